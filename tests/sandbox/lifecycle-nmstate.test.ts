/** kubernetes-nmstate in the sandbox: enactments per matching node, bridge mappings in each node's state, policy conditions. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getPath } from '../../lab-server/k8s/object.ts';
import { startSandbox, waitFor, type TestSandbox } from '../helpers/sandbox.ts';
import { LESSON_DIR } from '../helpers/paths.ts';
import { tempDir } from '../helpers/temp-dir.ts';

let sandbox: TestSandbox;
let work: string;
before(async () => {
  sandbox = await startSandbox();
  work = tempDir('nmstate');
});
after(() => sandbox?.close());

const store = () => sandbox.handle.cluster.store;
const policyStatus = (name: string) => {
  const conditions = getPath(store().get('nmstate.io/nodenetworkconfigurationpolicies', undefined, name), ['status', 'conditions']) as { type: string; status: string; reason: string; message: string }[] | undefined;
  return conditions?.find((c) => c.status === 'True');
};
const mappings = (node: string) => getPath(store().get('nmstate.io/nodenetworkstates', undefined, node), ['status', 'currentState', 'ovn', 'bridge-mappings']) as { localnet: string; bridge: string }[];

async function apply(name: string, yaml: string): Promise<void> {
  const file = join(work, `${name}.yaml`);
  await writeFile(file, yaml);
  const r = await sandbox.kubectl(['apply', '-f', file]);
  assert.equal(r.code, 0, r.stderr);
}

const policy = (name: string, selector: string, mappingsYaml: string) => `apiVersion: nmstate.io/v1
kind: NodeNetworkConfigurationPolicy
metadata: {name: ${name}}
spec:
  nodeSelector: {${selector}}
  desiredState:
    ovn:
      bridge-mappings:
${mappingsYaml}`;

describe('NodeNetworkConfigurationPolicies', () => {
  it('every node reports its network state, with the default physnet mapping', () => {
    for (const node of ['control-plane-0', 'worker-0', 'worker-1']) assert.deepEqual(mappings(node), [{ localnet: 'physnet', bridge: 'br-ex' }]);
  });

  it("the lesson's policy becomes Available and maps data-net to br-ex on every worker only", async () => {
    const r = await sandbox.kubectl(['apply', '-f', join(LESSON_DIR, 'manifests', 'nncp-bridge-mapping.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    const waited = await sandbox.kubectl(['wait', 'nncp/ovs-share-same-gw-bridge', '--for=condition=Available', '--timeout=15s']);
    assert.equal(waited.code, 0, waited.stderr);
    assert.deepEqual(policyStatus('ovs-share-same-gw-bridge'), { ...policyStatus('ovs-share-same-gw-bridge'), reason: 'SuccessfullyConfigured', message: '2/2 nodes successfully configured' });
    for (const worker of ['worker-0', 'worker-1']) assert.ok(mappings(worker).some((m) => m.localnet === 'data-net' && m.bridge === 'br-ex'), worker);
    assert.ok(!mappings('control-plane-0').some((m) => m.localnet === 'data-net'));
    const nnce = await sandbox.kubectl(['get', 'nnce']);
    assert.match(nnce.stdout, /\nworker-0\.ovs-share-same-gw-bridge\s+Available\s+\S+\s+SuccessfullyConfigured\n/);
    assert.match((await sandbox.kubectl(['get', 'nncp'])).stdout, /\novs-share-same-gw-bridge\s+Available\s+SuccessfullyConfigured\n/);
  });

  it('a mapping without a bridge fails on every node and degrades the policy', async () => {
    await apply('broken', policy('broken', 'node-role.kubernetes.io/worker: ""', '      - localnet: other\n'));
    await waitFor('broken to be Degraded', () => policyStatus('broken')?.type === 'Degraded');
    assert.equal(policyStatus('broken')?.message, '2/2 nodes failed to configure');
    const failing = getPath(store().get('nmstate.io/nodenetworkconfigurationenactments', undefined, 'worker-0.broken'), ['status', 'conditions']) as { type: string; status: string; message: string }[];
    assert.match(failing.find((c) => c.type === 'Failing' && c.status === 'True')!.message, /missing the `bridge` attribute/);
  });

  it('a duplicate localnet is rejected', async () => {
    await apply('dup', policy('dup', 'node-role.kubernetes.io/worker: ""', '      - {localnet: twice, bridge: br-ex}\n      - {localnet: twice, bridge: br-ex}\n'));
    await waitFor('dup to be Degraded', () => policyStatus('dup')?.type === 'Degraded');
  });

  it('a policy no node matches is ignored', async () => {
    await apply('nowhere', policy('nowhere', 'disk: ssd', '      - {localnet: x, bridge: br-ex}\n'));
    await waitFor('nowhere to be Ignored', () => policyStatus('nowhere')?.reason === 'NoMatchingNode');
    assert.equal(policyStatus('nowhere')?.message, 'Policy does not match any node');
  });

  it('state: absent removes a mapping', async () => {
    await apply('remove', policy('remove-data-net', 'node-role.kubernetes.io/worker: ""', '      - {localnet: data-net, state: absent}\n'));
    await waitFor('remove-data-net to be Available', () => policyStatus('remove-data-net')?.type === 'Available');
    assert.ok(!mappings('worker-0').some((m) => m.localnet === 'data-net'));
  });

  it('a node that stops matching loses its enactment but keeps its configuration', async () => {
    await apply('one-node', policy('one-node', 'kubernetes.io/hostname: worker-1', '      - {localnet: tenant-net, bridge: br-ex}\n'));
    await waitFor('one-node Available', () => policyStatus('one-node')?.type === 'Available');
    await apply('one-node', policy('one-node', 'kubernetes.io/hostname: worker-0', '      - {localnet: tenant-net, bridge: br-ex}\n'));
    await waitFor('the enactment to move to worker-0', () => store().get('nmstate.io/nodenetworkconfigurationenactments', undefined, 'worker-1.one-node') === undefined && store().get('nmstate.io/nodenetworkconfigurationenactments', undefined, 'worker-0.one-node'));
    assert.ok(mappings('worker-1').some((m) => m.localnet === 'tenant-net'), 'the handler does not revert the node');
  });
});
