/**
 * Pods come alive as on a real cluster: scheduled, networks attached by
 * Multus/OVN-K, images pulled, Running and Ready, with the events a real
 * cluster emits; and the real failures stay failures, each with its event.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getPath, type KubeObject } from '../../lab-server/k8s/object.ts';
import { startSandbox, waitFor, type TestSandbox } from '../helpers/sandbox.ts';
import { LESSON_DIR } from '../helpers/paths.ts';
import { tempDir } from '../helpers/temp-dir.ts';

let sandbox: TestSandbox;
let work: string;
before(async () => {
  sandbox = await startSandbox();
  work = tempDir('pods');
  await sandbox.applyLessonManifests('namespaces.yaml', 'nad-data-adapter.yaml');
});
after(() => sandbox?.close());

const store = () => sandbox.handle.cluster.store;
const pod = (ns: string, name: string) => store().get('/pods', ns, name);
const events = (ns: string, name: string) =>
  store().list('/events', ns).filter((e) => getPath(e, ['involvedObject', 'name']) === name).map((e) => `${String(e.type)} ${String(e.reason)}: ${String(e.message)}`);
const waiting = (p: KubeObject | undefined) => getPath(p, ['status', 'containerStatuses', 0, 'state', 'waiting', 'reason']);

async function applyYaml(name: string, yaml: string): Promise<void> {
  const file = join(work, `${name}.yaml`);
  await writeFile(file, yaml);
  const r = await sandbox.kubectl(['apply', '-f', file]);
  assert.equal(r.code, 0, r.stderr);
}

function podYaml(name: string, namespace: string, extra: { networks?: string; image?: string; nodeSelector?: string } = {}): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: ${namespace}
${extra.networks ? `  annotations:\n    k8s.v1.cni.cncf.io/networks: '${extra.networks}'\n` : ''}spec:
${extra.nodeSelector ? `  nodeSelector: {${extra.nodeSelector}}\n` : ''}  containers:
  - name: main
    image: ${extra.image ?? 'registry.access.redhat.com/ubi9/ubi'}
`;
}

/** A localnet NAD in data-adapter whose CNI config is `config` over the lesson's network. */
function nadYaml(name: string, config: Record<string, unknown>): string {
  const full = { cniVersion: '0.3.1', name: 'data-net', type: 'ovn-k8s-cni-overlay', topology: 'localnet', vlanID: 123, ...config };
  return `apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata: {name: ${name}, namespace: data-adapter}
spec:
  config: '${JSON.stringify(full)}'
`;
}

describe('a pod on the lesson network', () => {
  it('becomes Running and Ready with its events in the order a kubelet emits them', async () => {
    const r = await sandbox.kubectl(['apply', '-f', join(LESSON_DIR, 'manifests', 'pod-turtle-db-adapter.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    const waited = await sandbox.kubectl(['wait', '-n', 'data-adapter', 'pod/turtle-db-adapter', '--for=condition=Ready', '--timeout=20s']);
    assert.equal(waited.code, 0, waited.stderr);
    const list = await sandbox.kubectl(['get', 'pod', '-n', 'data-adapter', 'turtle-db-adapter', '-o', 'wide']);
    assert.match(list.stdout, /\nturtle-db-adapter\s+1\/1\s+Running\s+0\s+\S+\s+10\.12[89]\.\d+\.\d+\s+worker-[01]\s/);
    assert.deepEqual(events('data-adapter', 'turtle-db-adapter').map((e) => e.split(':')[0]), [
      'Normal Scheduled', 'Normal AddedInterface', 'Normal AddedInterface', 'Normal Pulling', 'Normal Pulled', 'Normal Created', 'Normal Started',
    ]);
    assert.match(events('data-adapter', 'turtle-db-adapter')[2]!, /Add net1 \[192\.168\.200\.10\/24\] from data-adapter\/db-access-net/);
  });

  it('records the network-status annotation as Multus writes it', async () => {
    const status = JSON.parse(pod('data-adapter', 'turtle-db-adapter')!.metadata.annotations!['k8s.v1.cni.cncf.io/network-status']!) as { name: string; interface: string; ips?: string[]; mac: string; default?: boolean }[];
    assert.equal(status[0]?.name, 'ovn-kubernetes');
    assert.equal(status[0]?.default, true);
    assert.deepEqual({ ...status[1] }, { name: 'data-adapter/db-access-net', interface: 'net1', ips: ['192.168.200.10'], mac: '0a:58:c0:a8:c8:0a', dns: {} });
  });

  it('stops its containers and goes when deleted', async () => {
    const r = await sandbox.kubectl(['delete', 'pod', '-n', 'data-adapter', 'turtle-db-adapter']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(pod('data-adapter', 'turtle-db-adapter'), undefined);
    assert.ok(events('data-adapter', 'turtle-db-adapter').includes('Normal Killing: Stopping container db-adapter'));
  });
});

describe('failures stay failures', () => {
  const sandboxFailure = async (name: string, namespace: string, pattern: RegExp) => {
    const failed = await waitFor(`FailedCreatePodSandBox on ${name}`, () => events(namespace, name).find((e) => e.startsWith('Warning FailedCreatePodSandBox')));
    assert.match(failed, pattern);
    assert.equal(waiting(pod(namespace, name)), 'ContainerCreating');
    assert.equal(getPath(pod(namespace, name), ['status', 'phase']), 'Pending');
  };

  it('a missing NAD leaves the pod in ContainerCreating, until the NAD appears', async () => {
    await applyYaml('no-nad', podYaml('no-nad', 'data-consumer', { networks: '[{"name": "db-access-net"}]' }));
    await sandboxFailure('no-nad', 'data-consumer', /cannot find a network-attachment-definition \(db-access-net\) in namespace \(data-consumer\)/);
    const r = await sandbox.kubectl(['apply', '-f', join(LESSON_DIR, 'manifests', 'nad-data-consumer.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    await waitFor('no-nad to run after its NAD appears', () => getPath(pod('data-consumer', 'no-nad'), ['status', 'phase']) === 'Running', 20_000);
  });

  it('a NAD from another namespace violates Multus namespace isolation', async () => {
    await applyYaml('cross', podYaml('cross-ns', 'data-consumer', { networks: 'data-adapter/db-access-net' }));
    await sandboxFailure('cross-ns', 'data-consumer', /namespace isolation violation: podnamespace: data-consumer \/ target namespace: data-adapter/);
  });

  it('an invalid NAD config is ignored by OVN-K, so the sandbox times out', async () => {
    await applyYaml('bad-nad', nadYaml('wrong-name', { netAttachDefName: 'data-adapter/db-access-net' }));
    await applyYaml('uses-bad', podYaml('uses-bad', 'data-adapter', { networks: 'wrong-name' }));
    await sandboxFailure('uses-bad', 'data-adapter', /failed to get pod annotation: timed out waiting for annotations: context deadline exceeded/);
  });

  it('static ips that are not CIDRs fail', async () => {
    await applyYaml('bare-ip', podYaml('bare-ip', 'data-adapter', { networks: '[{"name": "db-access-net", "ips": ["192.168.200.30"]}]' }));
    await sandboxFailure('bare-ip', 'data-adapter', /failed to parse static IP "192\.168\.200\.30"/);
  });

  it('static ips on a NAD with subnets fail', async () => {
    // A network of its own: beside data-net's NADs, a NAD of that name with subnets would be refused as disagreeing.
    await applyYaml('ipam-nad', nadYaml('with-ipam', { name: 'ipam-net', subnets: '192.168.200.0/24', netAttachDefName: 'data-adapter/with-ipam' }));
    await applyYaml('static-ipam', podYaml('static-ipam', 'data-adapter', { networks: '[{"name": "with-ipam", "ips": ["192.168.200.31/24"]}]' }));
    await sandboxFailure('static-ipam', 'data-adapter', /cannot allocate a static IP request with IPAM/);
  });

  it('an unknown image goes to ErrImagePull, then ImagePullBackOff', async () => {
    await applyYaml('typo', podYaml('typo-image', 'data-adapter', { image: 'ghcr.io/maiqueb/rust-turtle-viewr:main' }));
    await waitFor('ImagePullBackOff', () => waiting(pod('data-adapter', 'typo-image')) === 'ImagePullBackOff');
    const seen = events('data-adapter', 'typo-image');
    assert.ok(seen.some((e) => /^Warning Failed: Failed to pull image "ghcr\.io\/maiqueb\/rust-turtle-viewr:main"/.test(e)), seen.join('\n'));
    assert.ok(seen.includes('Warning Failed: Error: ErrImagePull'));
    assert.ok(seen.includes('Warning Failed: Error: ImagePullBackOff'));
    const list = await sandbox.kubectl(['get', 'pod', '-n', 'data-adapter', 'typo-image']);
    assert.match(list.stdout, /typo-image\s+0\/1\s+ImagePullBackOff/);
  });

  it('a nodeSelector no node matches leaves the pod unschedulable', async () => {
    await applyYaml('nowhere', podYaml('nowhere', 'data-adapter', { nodeSelector: 'disk: ssd' }));
    const failed = await waitFor('FailedScheduling', () => events('data-adapter', 'nowhere').find((e) => e.startsWith('Warning FailedScheduling')));
    assert.match(failed, /0\/3 nodes are available: 1 node\(s\) had untolerated taint \{node-role\.kubernetes\.io\/master: \}, 2 node\(s\) didn't match Pod's node affinity\/selector/);
    assert.equal(getPath(pod('data-adapter', 'nowhere'), ['spec', 'nodeName']), undefined);
  });
});
