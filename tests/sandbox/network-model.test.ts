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
    await kubectl(sandbox, ['apply', '-f', await edited('nad-data-adapter.yaml', '"vlanID": 123', '"vlanID": 124')]);
    await kubectl(sandbox, ['apply', '-f', manifest('pod-turtle-db-adapter.yaml')]);
    await workloadsUp(sandbox);
    const d = canReach(sandbox.handle.cluster, ADAPTER, DB);
    assert.equal(d.outcome, 'timeout');
    assert.match(d.reason, /tags frames with VLAN 124, but turtle-db \(192\.168\.200\.1\) is on VLAN 123/);
    await kubectl(sandbox, ['delete', 'pod', '-n', 'data-adapter', 'turtle-db-adapter']);
    await kubectl(sandbox, ['apply', '-f', manifest('nad-data-adapter.yaml'), '-f', manifest('pod-turtle-db-adapter.yaml')]);
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

  it('an Ingress-only deny leaves egress open', async () => {
    await kubectl(sandbox, ['apply', '-f', await edited('mnp-default-deny-data-adapter.yaml', '    - Egress\n', '')]);
    assert.equal(canReach(sandbox.handle.cluster, ADAPTER, DB).outcome, 'connected');
    assert.equal(canReach(sandbox.handle.cluster, VM, ADAPTER_WEB).outcome, 'timeout');
  });

  it('a pod with an unknown image never runs, so it reaches nothing', async () => {
    await kubectl(sandbox, ['delete', 'pod', '-n', 'data-adapter', 'turtle-db-adapter']);
    await kubectl(sandbox, ['apply', '-f', await edited('pod-turtle-db-adapter.yaml', 'rust-turtle-viewer:main', 'rust-turtle-viewer:mian')]);
    const d = canReach(sandbox.handle.cluster, ADAPTER, DB);
    assert.equal(d.outcome, 'unavailable');
    assert.match(d.reason, /is not running/);
  });
});
