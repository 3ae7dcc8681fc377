/**
 * The network model answers "can A reach B:port?" as OVN-Kubernetes would:
 * the lesson's promises at every step, the article's manifests reproducing
 * the reference's table (network-semantics.md §5), and each failure mode.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getPath } from '../../lab-server/k8s/object.ts';
import { canReach, type Endpoint } from '../../lab-server/sandbox/network/reachability.ts';
import { startSandbox, waitFor, type TestSandbox } from '../helpers/sandbox.ts';
import { ARTICLE_FIXTURE, CLI, LESSON_DIR } from '../helpers/paths.ts';
import { spawn } from 'node:child_process';
import { tempDir } from '../helpers/temp-dir.ts';

const ADAPTER: Endpoint = { namespace: 'data-adapter', pod: 'turtle-db-adapter' };
const VM: Endpoint = { namespace: 'data-consumer', vm: 'vm-workload' };
const DB = { host: '192.168.200.1', port: 5432 };
const ADAPTER_WEB = { host: '192.168.200.10', port: 9000 };
const manifest = (name: string) => join(LESSON_DIR, 'manifests', name);

async function kubectl(sandbox: TestSandbox, args: string[]): Promise<void> {
  const r = await sandbox.kubectl(args);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
}

async function workloadsUp(sandbox: TestSandbox): Promise<void> {
  const store = sandbox.handle.cluster.store;
  await waitFor('the adapter pod and the VM to run', () =>
    getPath(store.get('/pods', 'data-adapter', 'turtle-db-adapter'), ['status', 'phase']) === 'Running' &&
    getPath(store.get('kubevirt.io/virtualmachineinstances', 'data-consumer', 'vm-workload'), ['status', 'phase']) === 'Running', 30_000);
}

/** What nc itself reports, run in the workload with kubectl exec (pod) or virtctl ssh (VM). */
async function observe(sandbox: TestSandbox, from: Endpoint, host: string, port: number): Promise<string> {
  const nc = `nc -z -v -w 1 ${host} ${port}`;
  let text: string;
  if (from.pod) {
    const container = await sandbox.debugContainer(from.namespace, from.pod);
    const r = await sandbox.kubectl(['exec', '-n', from.namespace, from.pod, '-c', container, '--', ...nc.split(' ')]);
    text = r.stderr;
  } else {
    text = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'virtctl', 'ssh', `fedora@vm/${from.vm}`, '-n', from.namespace, '--command', `${nc} 2>&1`], { env: { ...process.env, KUBECONFIG: sandbox.kubeconfig } });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('close', () => resolve(out));
      child.stdin.end('fedora\n');
    });
  }
  if (/Connected to/.test(text)) return 'connected';
  if (/Connection refused/.test(text)) return 'refused';
  if (/TIMEOUT/.test(text)) return 'timeout';
  return `unexpected: ${text}`;
}

/** The lesson's probes, observed with the real tools; they must agree with the model. */
async function observedTable(sandbox: TestSandbox): Promise<string> {
  const seen = [await observe(sandbox, ADAPTER, DB.host, DB.port), await observe(sandbox, VM, DB.host, DB.port), await observe(sandbox, VM, ADAPTER_WEB.host, ADAPTER_WEB.port)].join(' ');
  assert.equal(seen, table(sandbox), 'nc in the workloads sees what the network model decides');
  return seen;
}

function table(sandbox: TestSandbox): string {
  const c = sandbox.handle.cluster;
  return [canReach(c, ADAPTER, DB), canReach(c, VM, DB), canReach(c, VM, ADAPTER_WEB)].map((d) => d.outcome).join(' ');
}

describe("the lesson's promises, step by step", () => {
  let sandbox: TestSandbox;
  before(async () => {
    sandbox = await startSandbox();
  });
  after(() => sandbox?.close());

  it('step 5: everything on data-net reaches everything', async () => {
    await kubectl(sandbox, ['apply', '-f', manifest('nncp-bridge-mapping.yaml'), '-f', manifest('namespaces.yaml')]);
    await kubectl(sandbox, ['apply', '-f', manifest('nad-data-adapter.yaml'), '-f', manifest('nad-data-consumer.yaml'), '-f', manifest('pod-turtle-db-adapter.yaml'), '-f', manifest('vm-workload.yaml')]);
    await kubectl(sandbox, ['wait', 'nncp/ovs-share-same-gw-bridge', '--for=condition=Available', '--timeout=20s']);
    await workloadsUp(sandbox);
    assert.equal(await observedTable(sandbox), 'connected connected connected');
    const closed = canReach(sandbox.handle.cluster, VM, { host: '192.168.200.10', port: 8080 });
    assert.equal(closed.outcome, 'refused', closed.reason);
    assert.equal(await observe(sandbox, VM, '192.168.200.10', 8080), 'refused', 'a port nothing listens on is refused');
  });

  it('step 6: switching MultiNetworkPolicy on changes nothing by itself', async () => {
    await kubectl(sandbox, ['patch', 'network.operator.openshift.io', 'cluster', '--type=merge', '--patch-file', manifest('network-enable-multinetworkpolicy.yaml')]);
    assert.equal(await observedTable(sandbox), 'connected connected connected');
  });

  it('step 7: a deny in data-adapter cuts the adapter off but not the VM; then data-consumer too', async () => {
    await kubectl(sandbox, ['apply', '-f', manifest('mnp-default-deny-data-adapter.yaml')]);
    assert.equal(await observedTable(sandbox), 'timeout connected timeout');
    const why = canReach(sandbox.handle.cluster, ADAPTER, DB);
    assert.deepEqual(why.decidedBy, { kind: 'policy', name: 'default-deny-to-database-server' });
    assert.match(why.reason, /isolated for egress by data-adapter\/default-deny-to-database-server/);
    await kubectl(sandbox, ['apply', '-f', manifest('mnp-default-deny-data-consumer.yaml')]);
    assert.equal(await observedTable(sandbox), 'timeout timeout timeout');
  });

  it('step 8: the allow policy in data-consumer lets the VM reach the database, and nothing else', async () => {
    await kubectl(sandbox, ['apply', '-f', manifest('mnp-allow-vm-to-database.yaml')]);
    assert.equal(await observedTable(sandbox), 'timeout connected timeout');
    const steps = canReach(sandbox.handle.cluster, VM, DB).steps.join('\n');
    assert.match(steps, /allow-vm-to-database allows egress to 192\.168\.200\.1 on TCP 5432/);
  });

  it('step 9: the challenge solution — only the adapter reaches the database, the VM reaches the adapter on 9000', async () => {
    await kubectl(sandbox, ['delete', '-f', manifest('mnp-allow-vm-to-database.yaml')]);
    await kubectl(sandbox, ['apply', '-f', manifest('mnp-challenge-adapter.yaml'), '-f', manifest('mnp-challenge-vm.yaml')]);
    assert.equal(await observedTable(sandbox), 'connected timeout connected');
    assert.equal(canReach(sandbox.handle.cluster, VM, { host: '192.168.200.10', port: 8080 }).outcome, 'timeout', 'other ports stay closed to the VM');
    assert.equal(await observe(sandbox, VM, '192.168.200.10', 8080), 'timeout', 'and nc waits for its timeout there');
  });
});

describe("the article's own manifests (network-semantics.md §5)", () => {
  let sandbox: TestSandbox;
  before(async () => {
    sandbox = await startSandbox();
  });
  after(() => sandbox?.close());

  it('no policy: every cell is reachable', async () => {
    await kubectl(sandbox, ['create', 'namespace', 'data-adapter']);
    await kubectl(sandbox, ['create', 'namespace', 'data-consumer']);
    for (const file of ['1-nncp.yaml', '2-nads.yaml', '3-workloads.yaml']) await kubectl(sandbox, ['apply', '-f', join(ARTICLE_FIXTURE, file)]);
    await kubectl(sandbox, ['wait', 'nncp/ovs-share-same-gw-bridge', '--for=condition=Available', '--timeout=20s']);
    await workloadsUp(sandbox);
    await kubectl(sandbox, ['patch', 'network.operator.openshift.io', 'cluster', '--type=merge', '-p', '{"spec":{"useMultiNetworkPolicy":true}}']);
    assert.equal(await observedTable(sandbox), 'connected connected connected');
  });

  it("after its default deny the VM still reaches the database", async () => {
    await kubectl(sandbox, ['apply', '-f', join(ARTICLE_FIXTURE, '4-default-deny.yaml')]);
    assert.equal(await observedTable(sandbox), 'timeout connected timeout');
  });

  it('its allow policy changes nothing, and carries a Warning event saying why', async () => {
    await kubectl(sandbox, ['apply', '-f', join(ARTICLE_FIXTURE, '5-allow-traffic-pod.yaml')]);
    assert.equal(await observedTable(sandbox), 'timeout connected timeout');
    const events = () => sandbox.handle.cluster.store.list('/events', 'data-adapter').filter((e) => getPath(e, ['involvedObject', 'name']) === 'allow-traffic-pod');
    const warning = await waitFor('the Warning on allow-traffic-pod', () => events().find((e) => e.type === 'Warning'));
    assert.match(String(warning.message), /IPAM-less networks can only have `ipBlock` peers/);
    const described = await sandbox.kubectl(['describe', 'multi-networkpolicy', '-n', 'data-adapter', 'allow-traffic-pod']);
    assert.match(described.stdout, /Warning\s+PolicyNotApplied/);
  });
});

describe('failure modes', () => {
  let sandbox: TestSandbox;
  let work: string;
  before(async () => {
    sandbox = await startSandbox();
    work = tempDir('failures');
    // The lesson up to step 5, without the NNCP.
    await kubectl(sandbox, ['apply', '-f', manifest('namespaces.yaml')]);
    await kubectl(sandbox, ['apply', '-f', manifest('nad-data-adapter.yaml'), '-f', manifest('nad-data-consumer.yaml'), '-f', manifest('pod-turtle-db-adapter.yaml'), '-f', manifest('vm-workload.yaml')]);
    await workloadsUp(sandbox);
  });
  after(() => sandbox?.close());

  const edited = async (name: string, from: string, to: string) => {
    const file = join(work, name);
    const text = await readFile(manifest(name), 'utf8');
    assert.ok(text.includes(from), `${name} holds ${from}`);
    await writeFile(file, text.replace(from, to));
    return file;
  };

  it('without a bridge mapping the pods run but the external database is unreachable', () => {
    const d = canReach(sandbox.handle.cluster, ADAPTER, DB);
    assert.equal(d.outcome, 'timeout');
    assert.match(d.reason, /has no bridge mapping for localnet data-net/);
  });

  it('a NAD config name that no mapping carries is as good as no mapping', async () => {
    await kubectl(sandbox, ['apply', '-f', manifest('nncp-bridge-mapping.yaml')]);
    await kubectl(sandbox, ['wait', 'nncp/ovs-share-same-gw-bridge', '--for=condition=Available', '--timeout=20s']);
    assert.equal(canReach(sandbox.handle.cluster, ADAPTER, DB).outcome, 'connected');
    await kubectl(sandbox, ['delete', 'pod', '-n', 'data-adapter', 'turtle-db-adapter']);
    await kubectl(sandbox, ['apply', '-f', await edited('nad-data-adapter.yaml', '"name": "data-net"', '"name": "datanet"')]);
    await kubectl(sandbox, ['apply', '-f', manifest('pod-turtle-db-adapter.yaml')]);
    await workloadsUp(sandbox);
    const d = canReach(sandbox.handle.cluster, ADAPTER, DB);
    assert.equal(d.outcome, 'timeout');
    assert.match(d.reason, /no bridge mapping for localnet datanet/);
  });

  it('the wrong VLAN never reaches the database', async () => {
    await kubectl(sandbox, ['delete', 'pod', '-n', 'data-adapter', 'turtle-db-adapter']);
    // Both NADs of the network move: OVN-K refuses one that disagrees with the other (D4).
    await kubectl(sandbox, ['apply', '-f', await edited('nad-data-adapter.yaml', '"vlanID": 123', '"vlanID": 124'), '-f', await edited('nad-data-consumer.yaml', '"vlanID": 123', '"vlanID": 124')]);
    await kubectl(sandbox, ['apply', '-f', manifest('pod-turtle-db-adapter.yaml')]);
    await workloadsUp(sandbox);
    const d = canReach(sandbox.handle.cluster, ADAPTER, DB);
    assert.equal(d.outcome, 'timeout');
    assert.match(d.reason, /tags frames with VLAN 124, but turtle-db \(192\.168\.200\.1\) is on VLAN 123/);
    await kubectl(sandbox, ['delete', 'pod', '-n', 'data-adapter', 'turtle-db-adapter']);
    await kubectl(sandbox, ['apply', '-f', manifest('nad-data-adapter.yaml'), '-f', manifest('nad-data-consumer.yaml'), '-f', manifest('pod-turtle-db-adapter.yaml')]);
    await workloadsUp(sandbox);
  });

  it('with enforcement off, a deny policy does nothing', async () => {
    await kubectl(sandbox, ['apply', '-f', manifest('mnp-default-deny-data-adapter.yaml')]);
    assert.equal(canReach(sandbox.handle.cluster, ADAPTER, DB).outcome, 'connected');
    await kubectl(sandbox, ['patch', 'network.operator.openshift.io', 'cluster', '--type=merge', '-p', '{"spec":{"useMultiNetworkPolicy":true}}']);
    assert.equal(canReach(sandbox.handle.cluster, ADAPTER, DB).outcome, 'timeout');
  });

  it('a deny without policyTypes isolates nothing under OVN-K', async () => {
    await kubectl(sandbox, ['apply', '-f', await edited('mnp-default-deny-data-adapter.yaml', '  policyTypes:\n    - Ingress\n    - Egress\n', '')]);
    assert.equal(canReach(sandbox.handle.cluster, ADAPTER, DB).outcome, 'connected');
  });

  it('an Ingress-only deny also drops the replies of the egress it leaves open (OCPBUGS-25928), unless a rule allows the other way', async () => {
    await kubectl(sandbox, ['apply', '-f', await edited('mnp-default-deny-data-adapter.yaml', '    - Egress\n', '')]);
    const d = canReach(sandbox.handle.cluster, ADAPTER, DB);
    assert.equal(d.outcome, 'timeout', 'real OVN-K on localnet keeps no connection state on a switch with only drop ACLs');
    assert.match(d.reason, /its replies are dropped: pod data-adapter\/turtle-db-adapter is isolated for ingress .*OCPBUGS-25928/);
    assert.equal(await observe(sandbox, ADAPTER, DB.host, DB.port), 'timeout');
    assert.equal(canReach(sandbox.handle.cluster, VM, ADAPTER_WEB).outcome, 'timeout');
    // The passing sibling of the e2e test: an allow rule in the other direction makes the switch stateful.
    await kubectl(sandbox, ['apply', '-f', await edited('mnp-default-deny-data-adapter.yaml', '    - Egress\n  ingress: []\n  egress: []\n', '  ingress: []\n  egress:\n    - {}\n')]);
    assert.equal(canReach(sandbox.handle.cluster, ADAPTER, DB).outcome, 'connected');
    assert.equal(await observe(sandbox, ADAPTER, DB.host, DB.port), 'connected');
  });

  it('a pod with an unknown image never runs, so it reaches nothing', async () => {
    await kubectl(sandbox, ['delete', 'pod', '-n', 'data-adapter', 'turtle-db-adapter']);
    await kubectl(sandbox, ['apply', '-f', await edited('pod-turtle-db-adapter.yaml', 'rust-turtle-viewer:main', 'rust-turtle-viewer:mian')]);
    const d = canReach(sandbox.handle.cluster, ADAPTER, DB);
    assert.equal(d.outcome, 'unavailable');
    assert.match(d.reason, /is not running/);
  });
});

/** OVN-Kubernetes' sharp edges, each as network-model-audit.md gives it, seen by nc in the workloads. */
describe("OVN-Kubernetes' edges (network-model-audit.md)", () => {
  let sandbox: TestSandbox;
  before(async () => {
    sandbox = await startSandbox();
    await kubectl(sandbox, ['apply', '-f', manifest('nncp-bridge-mapping.yaml'), '-f', manifest('namespaces.yaml')]);
    await kubectl(sandbox, ['apply', '-f', manifest('nad-data-adapter.yaml'), '-f', manifest('nad-data-consumer.yaml'), '-f', manifest('pod-turtle-db-adapter.yaml'), '-f', manifest('vm-workload.yaml')]);
    await kubectl(sandbox, ['wait', 'nncp/ovs-share-same-gw-bridge', '--for=condition=Available', '--timeout=20s']);
    await kubectl(sandbox, ['patch', 'network.operator.openshift.io', 'cluster', '--type=merge', '-p', '{"spec":{"useMultiNetworkPolicy":true}}']);
    await workloadsUp(sandbox);
  });
  after(() => sandbox?.close());

  /** The adapter's egress, isolated (with ingress allowed, so that replies pass), with these rules. */
  const adapterEgress = async (egress: unknown[], annotations: Record<string, string> = { 'k8s.v1.cni.cncf.io/policy-for': 'data-adapter/db-access-net' }) => {
    const policy = { apiVersion: 'k8s.cni.cncf.io/v1beta1', kind: 'MultiNetworkPolicy', metadata: { name: 'edge', namespace: 'data-adapter', annotations }, spec: { podSelector: {}, policyTypes: ['Egress'], ingress: [{}], egress } };
    const r = await sandbox.kubectl(['apply', '-f', '-'], { stdin: JSON.stringify(policy) });
    assert.equal(r.code, 0, r.stderr);
    const outcome = canReach(sandbox.handle.cluster, ADAPTER, DB).outcome;
    assert.equal(await observe(sandbox, ADAPTER, DB.host, DB.port), outcome, 'nc sees what the model decides');
    return outcome;
  };

  it('D2: an ipBlock cidr or except written as a bare IP is that one address', async () => {
    assert.equal(await adapterEgress([{ to: [{ ipBlock: { cidr: '192.168.200.1' } }] }]), 'connected');
    assert.equal(await adapterEgress([{ to: [{ ipBlock: { cidr: '192.168.200.0/24', except: ['192.168.200.1'] } }] }]), 'timeout', 'the excluded address stays out');
  });

  it('D7: a peer with no field allows every address', async () => {
    assert.equal(await adapterEgress([{ to: [{}] }]), 'connected');
    assert.equal(await adapterEgress([{ to: [{}, { ipBlock: { cidr: '10.9.9.0/24' } }] }]), 'timeout', 'skipped beside a real peer, it adds nothing');
  });

  it('D6: a port written as a string opens the whole protocol; a protocol OVN-K cannot write allows nothing', async () => {
    assert.equal(await adapterEgress([{ ports: [{ protocol: 'TCP', port: '8080' }] }]), 'connected');
    assert.equal(await adapterEgress([{ ports: [{ protocol: 'TCP', port: 8080 }] }]), 'timeout');
    assert.equal(await adapterEgress([{ ports: [{ protocol: 'tcp', port: 5432 }] }]), 'timeout');
    assert.equal(await adapterEgress([{ ports: [{ protocol: 'TCP', port: 5432 }, { protocol: 'ICMP' }] }]), 'timeout');
    // Nothing listens for UDP on the database's port: a UDP probe is refused (ICMP port unreachable), not connected.
    await adapterEgress([{}]);
    assert.equal(canReach(sandbox.handle.cluster, ADAPTER, { ...DB, protocol: 'UDP' }).outcome, 'refused');
  });

  it('D8: policy-for loses only its spaces, so a trailing newline names no NAD and the policy is ignored', async () => {
    assert.equal(await adapterEgress([], { 'k8s.v1.cni.cncf.io/policy-for': ' data-adapter/db-access-net ' }), 'timeout');
    assert.equal(await adapterEgress([], { 'k8s.v1.cni.cncf.io/policy-for': 'data-adapter/db-access-net\n' }), 'connected');
    await kubectl(sandbox, ['delete', 'multi-networkpolicy', '-n', 'data-adapter', 'edge']);
  });

  it('D3: two networks on one localnet are two switches: other VLAN, no segment; and a policy for one leaves the other alone', async () => {
    const nad = (name: string, vlan: number) => ({
      apiVersion: 'k8s.cni.cncf.io/v1', kind: 'NetworkAttachmentDefinition', metadata: { name, namespace: 'data-consumer' },
      spec: { config: JSON.stringify({ cniVersion: '0.3.1', name, physicalNetworkName: 'data-net', type: 'ovn-k8s-cni-overlay', topology: 'localnet', vlanID: vlan, netAttachDefName: `data-consumer/${name}` }) },
    });
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'other', namespace: 'data-consumer', annotations: { 'k8s.v1.cni.cncf.io/networks': JSON.stringify([{ name: 'other-net', ips: ['192.168.200.40/24'] }]) } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } };
    const r = await sandbox.kubectl(['apply', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [nad('other-net', 124), pod] }) });
    assert.equal(r.code, 0, r.stderr);
    await waitFor('the pod on other-net to run', () => getPath(sandbox.handle.cluster.store.get('/pods', 'data-consumer', 'other'), ['status', 'phase']) === 'Running');
    const d = canReach(sandbox.handle.cluster, VM, { host: '192.168.200.40', port: 80 });
    assert.equal(d.outcome, 'timeout');
    assert.match(d.reason, /is on network other-net \(VLAN 124\), a switch of its own/);
    // A deny for other-net does not isolate the VM on data-net, though both ride localnet data-net.
    const deny = { apiVersion: 'k8s.cni.cncf.io/v1beta1', kind: 'MultiNetworkPolicy', metadata: { name: 'deny-other', namespace: 'data-consumer', annotations: { 'k8s.v1.cni.cncf.io/policy-for': 'data-consumer/other-net' } }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } };
    assert.equal((await sandbox.kubectl(['apply', '-f', '-'], { stdin: JSON.stringify(deny) })).code, 0);
    assert.equal(canReach(sandbox.handle.cluster, VM, DB).outcome, 'connected');
    assert.equal(await observe(sandbox, VM, DB.host, DB.port), 'connected');
    await kubectl(sandbox, ['delete', 'multi-networkpolicy', '-n', 'data-consumer', 'deny-other']);
  });

  it('D4: a second NAD of a network that disagrees with the first is refused, and its pods never start', async () => {
    const nad = { apiVersion: 'k8s.cni.cncf.io/v1', kind: 'NetworkAttachmentDefinition', metadata: { name: 'clash', namespace: 'data-consumer' }, spec: { config: JSON.stringify({ cniVersion: '0.3.1', name: 'data-net', type: 'ovn-k8s-cni-overlay', topology: 'localnet', vlanID: 124, netAttachDefName: 'data-consumer/clash' }) } };
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'clashing', namespace: 'data-consumer', annotations: { 'k8s.v1.cni.cncf.io/networks': JSON.stringify([{ name: 'clash', ips: ['192.168.200.42/24'] }]) } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } };
    assert.equal((await sandbox.kubectl(['apply', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [nad, pod] }) })).code, 0);
    await waitFor('the sandbox failure event', async () => /timed out waiting for annotations/.test((await sandbox.kubectl(['get', 'events', '-n', 'data-consumer', '--field-selector', 'involvedObject.name=clashing'])).stdout));
    assert.equal(getPath(sandbox.handle.cluster.store.get('/pods', 'data-consumer', 'clashing'), ['status', 'phase']), 'Pending');
    assert.equal(canReach(sandbox.handle.cluster, VM, DB).outcome, 'connected', 'the network itself, and its first NADs, carry on');
  });

  it('D9: vlanID 0 is untagged: the pod runs, and does not reach VLAN 123', async () => {
    const nad = { apiVersion: 'k8s.cni.cncf.io/v1', kind: 'NetworkAttachmentDefinition', metadata: { name: 'untagged', namespace: 'data-consumer' }, spec: { config: JSON.stringify({ cniVersion: '0.3.1', name: 'untagged', physicalNetworkName: 'data-net', type: 'ovn-k8s-cni-overlay', topology: 'localnet', vlanID: 0, netAttachDefName: 'data-consumer/untagged' }) } };
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'plain', namespace: 'data-consumer', annotations: { 'k8s.v1.cni.cncf.io/networks': JSON.stringify([{ name: 'untagged', ips: ['192.168.200.41/24'] }]) } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } };
    assert.equal((await sandbox.kubectl(['apply', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [nad, pod] }) })).code, 0);
    await waitFor('the pod on the untagged network to run', () => getPath(sandbox.handle.cluster.store.get('/pods', 'data-consumer', 'plain'), ['status', 'phase']) === 'Running');
    const d = canReach(sandbox.handle.cluster, { namespace: 'data-consumer', pod: 'plain' }, DB);
    assert.equal(d.outcome, 'timeout');
    assert.match(d.reason, /tags frames with no VLAN, but turtle-db \(192\.168\.200\.1\) is on VLAN 123/);
  });
});

describe('OCPBUGS-25928 modelled as fixed', () => {
  let sandbox: TestSandbox;
  before(async () => {
    sandbox = await startSandbox({ environment: (env) => ({ ...env, cluster: { ...env.cluster, fixedBugs: ['OCPBUGS-25928'] } }) });
    await kubectl(sandbox, ['apply', '-f', manifest('nncp-bridge-mapping.yaml'), '-f', manifest('namespaces.yaml')]);
    await kubectl(sandbox, ['apply', '-f', manifest('nad-data-adapter.yaml'), '-f', manifest('pod-turtle-db-adapter.yaml')]);
    await kubectl(sandbox, ['wait', 'nncp/ovs-share-same-gw-bridge', '--for=condition=Available', '--timeout=20s']);
    await kubectl(sandbox, ['patch', 'network.operator.openshift.io', 'cluster', '--type=merge', '-p', '{"spec":{"useMultiNetworkPolicy":true}}']);
  });
  after(() => sandbox?.close());

  it('lets the replies of an Ingress-only deny pass, as a release with the fix would', async () => {
    const text = (await readFile(manifest('mnp-default-deny-data-adapter.yaml'), 'utf8')).replace('    - Egress\n', '');
    const r = await sandbox.kubectl(['apply', '-f', '-'], { stdin: text });
    assert.equal(r.code, 0, r.stderr);
    await waitFor('the adapter to run', () => getPath(sandbox.handle.cluster.store.get('/pods', 'data-adapter', 'turtle-db-adapter'), ['status', 'phase']) === 'Running');
    assert.equal(canReach(sandbox.handle.cluster, ADAPTER, DB).outcome, 'connected');
  });
});
