/**
 * Mutation tests: each entry breaks one step's solution the way a learner
 * might, and `labpath verify` must fail at that step with the message the
 * learner needs. At least one mutation per step that has checks.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { loadLesson } from '../../lab-server/lesson/load.ts';
import { labpath } from '../helpers/run.ts';
import { lessonCopy, type Edit } from '../helpers/lesson-copy.ts';
import { LESSON_DIR } from '../helpers/paths.ts';

interface Mutation {
  name: string;
  /** The step file whose solution is broken (directly or through a manifest it applies). */
  step: string;
  edits: Edit[];
  /** How the step's row reads: its checks failed after the solve, or the solve itself failed. */
  fails: 'post-check' | 'solve';
  /** What the failure report must say. */
  says: RegExp[];
}

const MUTATIONS: Mutation[] = [
  {
    name: 'bridge mapping for a misspelled localnet',
    step: '02-bridge-mapping',
    edits: [{ file: 'manifests/nncp-bridge-mapping.yaml', from: 'localnet: data-net', to: 'localnet: datanet' }],
    fails: 'post-check',
    says: [/NodeNetworkState worker-\d/, /A worker has no bridge mapping from localnet data-net to br-ex/],
  },
  {
    name: 'a namespace misspelled',
    step: '03-namespaces',
    edits: [{ file: 'manifests/namespaces.yaml', from: 'name: data-consumer', to: 'name: data-consumers' }],
    fails: 'post-check',
    says: [/Namespace data-consumer does not exist or is not Active/],
  },
  {
    name: 'the wrong VLAN',
    step: '04-network-attachment',
    edits: [{ file: 'manifests/nad-data-adapter.yaml', from: '"vlanID": 123', to: '"vlanID": 124' }],
    fails: 'post-check',
    says: [/NetworkAttachmentDefinition data-adapter\/db-access-net\n\s+expected \.spec\.config → \.vlanID = 123; found 124\n\s+NAD data-adapter\/db-access-net is not on VLAN 123/],
  },
  {
    name: 'a config name that does not match the bridge mapping',
    step: '04-network-attachment',
    edits: [{ file: 'manifests/nad-data-consumer.yaml', from: '"name": "data-net"', to: '"name": "datanet"' }],
    fails: 'post-check',
    says: [/NAD data-consumer\/db-access-net has a config name other than "data-net"/],
  },
  {
    name: 'the adapter asks for the wrong static address',
    step: '05-workloads',
    edits: [{ file: 'manifests/pod-turtle-db-adapter.yaml', from: '"ips": ["192.168.200.10/24"]', to: '"ips": ["192.168.200.11/24"]' }],
    fails: 'post-check',
    says: [/The adapter pod has no interface on data-adapter\/db-access-net with 192\.168\.200\.10/, /The VM cannot reach the adapter's web server at 192\.168\.200\.10:9000/],
  },
  {
    name: 'a VM without the postgresql package',
    step: '05-workloads',
    edits: [{ file: 'manifests/vm-workload.yaml', from: /\n +packages:\n +- postgresql/, to: '' }],
    fails: 'post-check',
    says: [/found exit 127: .*psql: command not found/, /the VM's cloud-init did not install the postgresql package/],
  },
  {
    name: 'enforcement left off',
    step: '06-enable-multinetworkpolicy',
    edits: [{ file: 'manifests/network-enable-multinetworkpolicy.yaml', from: 'useMultiNetworkPolicy: true', to: 'useMultiNetworkPolicy: false' }],
    fails: 'post-check',
    says: [/spec\.useMultiNetworkPolicy is not true on network\.operator\.openshift\.io\/cluster/],
  },
  {
    name: 'the patch sent to config.openshift.io instead of the operator',
    step: '06-enable-multinetworkpolicy',
    edits: [{ file: 'steps/06-enable-multinetworkpolicy.mdx', from: 'oc patch network.operator.openshift.io cluster', to: 'oc patch network.config.openshift.io cluster' }],
    fails: 'solve',
    says: [/the API version in the data \(operator\.openshift\.io\/v1\) does not match the expected API version \(config\.openshift\.io\/v1\)/],
  },
  {
    name: 'a deny policy without policyTypes',
    step: '07-default-deny',
    edits: [{ file: 'manifests/mnp-default-deny-data-adapter.yaml', from: /\n  policyTypes:\n    - Ingress\n    - Egress/, to: '' }],
    fails: 'post-check',
    says: [/The adapter pod can still reach the database; its namespace needs a deny policy listing Egress in policyTypes/, /why: turtle-db accepts TCP 5432 from 192\.168\.200\.10; pod data-adapter\/turtle-db-adapter is not isolated for egress \(policies default-deny-to-database-server select it but list no Egress in policyTypes\)/],
  },
  {
    name: "data-consumer's deny policy put in data-adapter",
    step: '07-default-deny',
    edits: [{ file: 'manifests/mnp-default-deny-data-consumer.yaml', from: 'namespace: data-consumer', to: 'namespace: data-adapter' }],
    fails: 'post-check',
    says: [/There is no default-deny policy in data-consumer yet, so the VM is not isolated/],
  },
  {
    name: 'the allow policy opens the wrong port',
    step: '08-allow-vm-to-database',
    edits: [{ file: 'manifests/mnp-allow-vm-to-database.yaml', from: 'port: 5432', to: 'port: 5433' }],
    fails: 'post-check',
    says: [/The VM still cannot reach 192\.168\.200\.1:5432/, /why: /],
  },
  {
    name: 'the allow policy selects a label the VM does not carry',
    step: '08-allow-vm-to-database',
    edits: [{ file: 'manifests/mnp-allow-vm-to-database.yaml', from: 'vm: my-virtual-machine', to: 'app: my-virtual-machine' }],
    fails: 'post-check',
    says: [/The VM still cannot reach 192\.168\.200\.1:5432\. The allow policy must live in\s+data-consumer, select the VM's labels/],
  },
  {
    name: "the adapter's ingress rule names the wrong VM address",
    step: '09-challenge',
    edits: [{ file: 'manifests/mnp-challenge-adapter.yaml', from: 'cidr: 192.168.200.20/32', to: 'cidr: 192.168.200.21/32' }],
    fails: 'post-check',
    says: [/The VM cannot reach the adapter on TCP 9000/],
  },
];

/** The step's waits cut to a few seconds: a broken solution would only make verify wait longer for the same verdict. */
async function failFast(stepFile: string): Promise<Edit> {
  const file = `steps/${stepFile}.mdx`;
  const text = await readFile(join(LESSON_DIR, file), 'utf8');
  return /^timeoutSeconds:/m.test(text) ? { file, from: /^timeoutSeconds: \d+$/m, to: 'timeoutSeconds: 8' } : { file, from: /^(persona: .*)$/m, to: '$1\ntimeoutSeconds: 8' };
}

describe('verify catches a broken solution at its step', { concurrency: 4 }, () => {
  for (const mutation of MUTATIONS) {
    it(mutation.name, async () => {
      const dir = await lessonCopy([...mutation.edits, await failFast(mutation.step)]);
      const r = await labpath(['verify', '--lesson', dir]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      const number = Number(mutation.step.slice(0, 2));
      const id = mutation.step.slice(3);
      const row = mutation.fails === 'solve' ? 'failed\\s+exit \\d+\\s+skipped' : 'failed\\s+ok\\s+failed';
      assert.match(r.stdout, new RegExp(`^${number} ${id}\\s+${row}\\s`, 'm'), r.stdout);
      for (const said of mutation.says) assert.match(r.stdout, said);
      const later = 9 - number;
      if (later > 0) assert.match(r.stdout, new RegExp(`the ${later} later step\\(s\\) were not run`));
    });
  }

  it('covers every step that has checks', async () => {
    const { lesson } = await loadLesson(LESSON_DIR);
    assert.ok(lesson);
    const covered = new Set(MUTATIONS.map((m) => m.step));
    const uncovered = lesson.steps.filter((s) => s.step.checks.length > 0 && !covered.has(basename(s.file, '.mdx')));
    assert.deepEqual(uncovered.map((s) => s.step.id), []);
  });
});
