/**
 * Every lint rule, each with a passing and a failing case. Failing cases are
 * single mutations of the shipped lesson, so each shows one real mistake an
 * author could make and where the linter points.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lintDir } from '../../lab-server/lint/lint.ts';
import { LOADER_RULES, RULES } from '../../lab-server/lint/rules/index.ts';
import { lessonCopy, manifestFolder, type Edit } from '../helpers/lesson-copy.ts';
import { LESSON_DIR } from '../helpers/paths.ts';

interface FailingCase {
  name: string;
  edits: Edit[];
  /** The finding: in this file, on the line holding `at`, with this text in its message. */
  file: string;
  at: string;
  message: RegExp;
}

interface RuleCases {
  rule: string;
  /** Extra passing variants beyond the shipped lesson. */
  passing?: { name: string; edits: Edit[] }[];
  failing: FailingCase[];
}

const NAD = 'manifests/nad-data-adapter.yaml';
const NAD2 = 'manifests/nad-data-consumer.yaml';
const POD = 'manifests/pod-turtle-db-adapter.yaml';
const VM = 'manifests/vm-workload.yaml';
const ALLOW = 'manifests/mnp-allow-vm-to-database.yaml';
const NNCP = 'manifests/nncp-bridge-mapping.yaml';

const CASES: RuleCases[] = [
  {
    rule: 'schema',
    failing: [
      { name: 'wrong type in lesson.yaml', edits: [{ file: 'lesson.yaml', from: 'estimatedMinutes: 45', to: 'estimatedMinutes: soon' }], file: 'lesson.yaml', at: 'estimatedMinutes:', message: /expected number/ },
      { name: 'unknown persona in a step', edits: [{ file: 'steps/02-bridge-mapping.mdx', from: 'persona: cluster-admin', to: 'persona: admin' }], file: 'steps/02-bridge-mapping.mdx', at: 'persona: admin', message: /cluster-admin/ },
      { name: 'misspelt field', edits: [{ file: 'steps/03-namespaces.mdx', from: 'hints:', to: 'hintz:' }], file: 'steps/03-namespaces.mdx', at: 'hintz:', message: /unknown field "hintz"/ },
      { name: 'bad JSONPath in a check', edits: [{ file: 'steps/03-namespaces.mdx', from: 'path: .status.phase', to: 'path: .status..phase' }], file: 'steps/03-namespaces.mdx', at: 'path: .status..phase', message: /expected a field name/ },
      { name: 'VLAN outside 1–4094 in the environment', edits: [{ file: 'lesson.yaml', from: 'vlan: 123', to: 'vlan: 4095' }], file: 'lesson.yaml', at: 'vlan: 4095', message: /1 to 4094/ },
    ],
  },
  {
    rule: 'manifest-parse',
    failing: [
      { name: 'YAML syntax error', edits: [{ file: 'manifests/namespaces.yaml', from: '  name: data-consumer', to: '  name: data-consumer: x' }], file: 'manifests/namespaces.yaml', at: 'data-consumer: x', message: /YAML syntax error: Nested mappings/ },
      { name: 'document without kind', edits: [{ file: 'manifests/namespaces.yaml', from: 'kind: Namespace\nmetadata:\n  name: data-consumer', to: 'metadata:\n  name: data-consumer' }], file: 'manifests/namespaces.yaml', at: 'apiVersion: v1\nmetadata', message: /not a Kubernetes object/ },
    ],
  },
  {
    rule: 'nad-config-json',
    failing: [{ name: 'config is not JSON', edits: [{ file: NAD, from: '"vlanID": 123,', to: '"vlanID": 123' }], file: NAD, at: 'config:', message: /not valid JSON/ }],
  },
  {
    rule: 'nad-localnet-fields',
    failing: [
      { name: 'netAttachDefName of another NAD', edits: [{ file: NAD2, from: '"netAttachDefName": "data-consumer/db-access-net"', to: '"netAttachDefName": "data-adapter/db-access-net"' }], file: NAD2, at: 'config:', message: /netAttachDefName.*data-consumer\/db-access-net/ },
      { name: 'VLAN out of range', edits: [{ file: NAD, from: '"vlanID": 123', to: '"vlanID": 5000' }], file: NAD, at: 'config:', message: /vlanID 5000/ },
      { name: 'not an OVN-K type', edits: [{ file: NAD, from: '"type": "ovn-k8s-cni-overlay"', to: '"type": "bridge"' }], file: NAD, at: 'config:', message: /ignores NADs of any type/ },
    ],
  },
  {
    rule: 'nad-bridge-mapping',
    passing: [{ name: 'physicalNetworkName carries the mapping', edits: [{ file: NAD2, from: '"name": "data-net"', to: '"name": "data-net-b",\n      "physicalNetworkName": "data-net"' }] }],
    failing: [{ name: 'network name not mapped', edits: [{ file: NAD2, from: '"name": "data-net"', to: '"name": "datanet"' }], file: NAD2, at: 'config:', message: /"datanet" has no bridge mapping/ }],
  },
  {
    rule: 'nncp-bridge-mappings',
    failing: [
      { name: 'bridge that the nodes do not have', edits: [{ file: NNCP, from: 'bridge: br-ex', to: 'bridge: br-data' }], file: NNCP, at: 'bridge: br-data', message: /"br-data" does not exist/ },
      { name: 'nodeSelector matching no node', edits: [{ file: NNCP, from: 'node-role.kubernetes.io/worker: ""', to: 'node-role.kubernetes.io/infra: ""' }], file: NNCP, at: 'nodeSelector:', message: /matches no node/ },
      { name: 'duplicate localnet', edits: [{ file: NNCP, from: '          state: present', to: '          state: present\n        - localnet: data-net # again\n          bridge: br-ex' }], file: NNCP, at: 'data-net # again', message: /mapped twice/ },
    ],
  },
  {
    rule: 'network-selection-syntax',
    passing: [{ name: 'short form', edits: [{ file: VM, from: 'networkName: db-access-net', to: 'networkName: data-consumer/db-access-net' }] }],
    failing: [{ name: 'annotation is broken JSON', edits: [{ file: POD, from: '"ips": ["192.168.200.10/24"]', to: '"ips": ["192.168.200.10/24"' }], file: POD, at: 'k8s.v1.cni.cncf.io/networks', message: /not valid JSON/ }],
  },
  {
    rule: 'network-selection-namespace',
    failing: [
      { name: 'NAD from another namespace', edits: [{ file: VM, from: 'networkName: db-access-net', to: 'networkName: data-adapter/db-access-net' }], file: VM, at: 'networkName:', message: /namespace isolation violation/ },
      { name: 'NAD that does not exist', edits: [{ file: POD, from: '"name": "db-access-net"', to: '"name": "db-net"' }], file: POD, at: 'k8s.v1.cni.cncf.io/networks', message: /data-adapter\/db-net, which no manifest defines/ },
    ],
  },
  {
    rule: 'static-ip-cidr',
    failing: [{ name: 'bare IP without prefix', edits: [{ file: POD, from: '"192.168.200.10/24"', to: '"192.168.200.10"' }], file: POD, at: 'k8s.v1.cni.cncf.io/networks', message: /"192.168.200.10" .* is not a CIDR/ }],
  },
  {
    rule: 'static-ip-unique',
    failing: [
      { name: "the VM's address on the pod", edits: [{ file: POD, from: '"192.168.200.10/24"', to: '"192.168.200.20/24"' }], file: VM, at: 'volumes:', message: /192.168.200.20 .* already used by pod data-adapter\/turtle-db-adapter/ },
      { name: "the database's address", edits: [{ file: POD, from: '"192.168.200.10/24"', to: '"192.168.200.1/24"' }], file: POD, at: 'k8s.v1.cni.cncf.io/networks', message: /external host turtle-db/ },
    ],
  },
  {
    rule: 'static-ip-ipam',
    failing: [{ name: 'static ips on a NAD with subnets', edits: [{ file: NAD, from: '"vlanID": 123,', to: '"vlanID": 123,\n      "subnets": "192.168.200.0/24",' }], file: POD, at: 'k8s.v1.cni.cncf.io/networks', message: /cannot allocate a static IP request with IPAM/ }],
  },
  {
    rule: 'nad-network-agreement',
    failing: [{ name: 'the same network on another VLAN', edits: [{ file: NAD2, from: '"vlanID": 123', to: '"vlanID": 124' }], file: NAD2, at: 'config:', message: /has vlanID 123 where this NAD has 124; OVN-K refuses this NAD/ }],
  },
  {
    rule: 'mnp-policy-for',
    failing: [
      { name: 'annotation missing', edits: [{ file: ALLOW, from: /  annotations:\n.*\n/, to: '' }], file: ALLOW, at: 'metadata:', message: /no k8s.v1.cni.cncf.io\/policy-for/ },
      { name: 'names a NAD that does not exist', edits: [{ file: ALLOW, from: 'policy-for: data-consumer/db-access-net', to: 'policy-for: data-consumer/db-net' }], file: ALLOW, at: 'policy-for', message: /no manifest defines/ },
      { name: 'a block scalar leaves a newline in the name', edits: [{ file: ALLOW, from: 'policy-for: data-consumer/db-access-net', to: 'policy-for: |\n      data-consumer/db-access-net' }], file: ALLOW, at: 'policy-for', message: /strips only spaces/ },
    ],
  },
  {
    rule: 'mnp-policy-types',
    failing: [{ name: 'policyTypes omitted', edits: [{ file: ALLOW, from: '  policyTypes:\n    - Egress\n', to: '' }], file: ALLOW, at: 'spec:', message: /isolates nothing/ }],
  },
  {
    rule: 'mnp-unlisted-rules',
    failing: [{ name: 'egress rules with only Ingress listed', edits: [{ file: ALLOW, from: '    - Egress\n', to: '    - Ingress\n' }], file: ALLOW, at: 'egress:', message: /without Egress/ }],
  },
  {
    rule: 'mnp-ipam-less-peers',
    failing: [{ name: 'namespaceSelector peer', edits: [{ file: ALLOW, from: '        - ipBlock:\n            cidr: 192.168.200.1/32', to: '        - namespaceSelector:\n            matchLabels:\n              kubernetes.io/metadata.name: data-adapter' }], file: ALLOW, at: 'namespaceSelector', message: /rejects the whole policy/ }],
  },
  {
    rule: 'mnp-port-protocol',
    failing: [
      { name: 'port without protocol', edits: [{ file: ALLOW, from: '        - protocol: TCP\n          port: 5432', to: '        - port: 5432' }], file: ALLOW, at: 'port: 5432', message: /without protocol/ },
      { name: 'lowercase protocol', edits: [{ file: ALLOW, from: 'protocol: TCP', to: 'protocol: tcp' }], file: ALLOW, at: 'protocol: tcp', message: /"tcp" is not one OVN-K writes an ACL for/ },
      { name: 'quoted port', edits: [{ file: ALLOW, from: 'port: 5432', to: 'port: "5432"' }], file: ALLOW, at: 'port: "5432"', message: /reads it as 0 and opens every TCP port/ },
    ],
  },
  {
    rule: 'mnp-peers',
    failing: [
      { name: 'cidr without a prefix length', edits: [{ file: ALLOW, from: 'cidr: 192.168.200.1/32', to: 'cidr: 192.168.200.1' }], file: ALLOW, at: 'cidr: 192.168.200.1', message: /reads it as 192\.168\.200\.1\/32/ },
      { name: 'an empty peer', edits: [{ file: ALLOW, from: '    - to:\n        - ipBlock:\n            cidr: 192.168.200.1/32\n', to: '    - to:\n        - {}\n' }], file: ALLOW, at: '- {}', message: /allows every address/ },
    ],
  },
  {
    rule: 'mnp-selector-matches',
    passing: [{ name: "a VM's launcher label", edits: [{ file: ALLOW, from: 'vm: my-virtual-machine', to: 'vm.kubevirt.io/name: vm-workload' }] }],
    failing: [
      { name: 'label no workload has', edits: [{ file: ALLOW, from: 'vm: my-virtual-machine', to: 'vm: other-machine' }], file: ALLOW, at: 'podSelector:', message: /matches no workload in data-consumer; workloads there: VM vm-workload/ },
      { name: 'selects a workload of another namespace', edits: [{ file: ALLOW, from: 'vm: my-virtual-machine', to: 'role: db-adapter' }], file: ALLOW, at: 'podSelector:', message: /matches data-adapter\/turtle-db-adapter in another namespace/ },
    ],
  },
  {
    rule: 'step-manifests',
    failing: [
      { name: 'applied but never shown', edits: [{ file: 'steps/03-namespaces.mdx', from: '<Manifest file="namespaces.yaml" />', to: '' }], file: 'steps/03-namespaces.mdx', at: 'manifests: [namespaces.yaml]', message: /never shows it/ },
      { name: 'listed file missing', edits: [{ file: 'steps/03-namespaces.mdx', from: 'manifests: [namespaces.yaml]', to: 'manifests: [namespaces.yaml, projects.yaml]' }], file: 'steps/03-namespaces.mdx', at: 'manifests: [', message: /"projects.yaml" is not in manifests/ },
      { name: 'challenge shows its solution', edits: [{ file: 'steps/09-challenge.mdx', from: 'Reach this end state', to: '<Manifest file="mnp-challenge-vm.yaml" />\n\nReach this end state' }], file: 'steps/09-challenge.mdx', at: '<Manifest file="mnp-challenge-vm.yaml" />', message: /hides its solution/ },
    ],
  },
  {
    rule: 'step-references',
    failing: [
      { name: 'duplicate step id', edits: [{ file: 'steps/03-namespaces.mdx', from: 'id: namespaces', to: 'id: overview' }], file: 'steps/03-namespaces.mdx', at: 'id: overview', message: /also used by/ },
      { name: 'connect check from an unknown pod', edits: [{ file: 'steps/07-default-deny.mdx', from: '{ namespace: data-adapter, pod: turtle-db-adapter }', to: '{ namespace: data-adapter, pod: turtle-adapter }' }], file: 'steps/07-default-deny.mdx', at: 'pod: turtle-adapter', message: /no manifest defines/ },
      { name: 'command check in an unknown VM', edits: [{ file: 'steps/05-workloads.mdx', from: 'in: { namespace: data-consumer, vm: vm-workload }', to: 'in: { namespace: data-consumer, vm: vm-workloads }' }], file: 'steps/05-workloads.mdx', at: 'vm: vm-workloads', message: /command check runs in VirtualMachine data-consumer\/vm-workloads, which no manifest defines/ },
    ],
  },
];

async function lineOf(dir: string, file: string, marker: string): Promise<number> {
  const text = await readFile(join(dir, file), 'utf8');
  const index = text.indexOf(marker);
  assert.ok(index >= 0, `marker ${JSON.stringify(marker)} not in ${file}`);
  return text.slice(0, index).split('\n').length;
}

describe('lint rules', () => {
  it('every rule has test cases', () => {
    const tested = new Set(CASES.map((c) => c.rule));
    for (const rule of [...LOADER_RULES, ...RULES]) assert.ok(tested.has(rule.id), `rule ${rule.id} has no cases`);
  });

  it('the shipped lesson is clean', async () => {
    const result = await lintDir(LESSON_DIR);
    assert.deepEqual(result.diagnostics, []);
  });

  for (const { rule, passing = [], failing } of CASES) {
    describe(rule, () => {
      for (const variant of passing) {
        it(`passes: ${variant.name}`, async () => {
          const dir = await lessonCopy(variant.edits);
          const found = (await lintDir(dir)).diagnostics;
          assert.deepEqual(found.map((d) => `${d.rule}: ${d.message}`), []);
        });
      }
      for (const c of failing) {
        it(`fails: ${c.name}`, async () => {
          const dir = await lessonCopy(c.edits);
          const found = (await lintDir(dir)).diagnostics.filter((d) => d.rule === rule);
          const expectedLine = await lineOf(dir, c.file, c.at);
          const match = found.find((d) => d.file === join(dir, c.file) && c.message.test(d.message));
          assert.ok(match, `no ${rule} finding in ${c.file} matching ${c.message}; got:\n${found.map((d) => `${d.file}:${d.line} ${d.message}`).join('\n')}`);
          assert.equal(match.line, expectedLine, `finding at line ${match.line}, expected ${expectedLine}: ${match.message}`);
          assert.ok(match.fix.length > 0, 'every finding says how to fix it');
        });
      }
    });
  }
});

describe('lint on a bare manifest folder', () => {
  it('runs the manifest rules without lesson.yaml', async () => {
    const dir = await manifestFolder({
      'mnp.yaml': 'apiVersion: k8s.cni.cncf.io/v1beta1\nkind: MultiNetworkPolicy\nmetadata:\n  name: p\n  namespace: a\nspec:\n  podSelector: {}\n',
    });
    const result = await lintDir(dir);
    assert.equal(result.kind, 'manifests');
    assert.deepEqual(result.diagnostics.map((d) => d.rule).sort(), ['mnp-policy-for', 'mnp-policy-types', 'mnp-selector-matches']);
  });
});
