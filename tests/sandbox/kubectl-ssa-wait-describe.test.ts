/** Server-side apply ownership and conflicts, kubectl wait, and describe with events. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { kubectlBinaries, startSandbox, type TestSandbox } from '../helpers/sandbox.ts';
import { tempDir } from '../helpers/temp-dir.ts';

// Every test below runs once per kubectl binary (the dispatcher, 1.30, 1.33), each against its own sandbox.
for (const { name: kubectlName, path: kubectlPath } of kubectlBinaries()) describe(`with kubectl ${kubectlName}`, () => {
let sandbox: TestSandbox;
let work: string;
before(async () => {
  sandbox = await startSandbox({ kubectl: kubectlPath });
  work = tempDir('ssa');
});
after(() => sandbox?.close());

async function ok(args: string[]): Promise<string> {
  const r = await sandbox.kubectl(args);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

describe('server-side apply', () => {
  it('conflicts with another manager, takes over with --force-conflicts, and drops fields it stops applying', async () => {
    await ok(['create', 'configmap', 'settings', '--from-literal=key=a', '--from-literal=other=x']);
    const file = join(work, 'settings.yaml');
    await writeFile(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: default}\ndata: {key: b, mine: "1"}\n');
    const conflict = await sandbox.kubectl(['apply', '--server-side', '-f', file]);
    assert.equal(conflict.code, 1);
    assert.match(conflict.stderr, /error: Apply failed with 1 conflict: conflict with "kubectl-create" using v1: \.data\.key\n/);
    assert.match(conflict.stderr, /--force-conflicts/);
    assert.match(await ok(['apply', '--server-side', '--force-conflicts', '-f', file]), /configmap\/settings serverside-applied/);
    const managed = JSON.parse(await ok(['get', 'cm', 'settings', '-o', 'json', '--show-managed-fields'])) as { metadata: { managedFields: { manager: string; operation: string; fieldsV1: { 'f:data': Record<string, unknown> } }[] } };
    const owners = Object.fromEntries(managed.metadata.managedFields.map((e) => [`${e.manager}/${e.operation}`, Object.keys(e.fieldsV1['f:data']).sort()]));
    assert.deepEqual(owners, { 'kubectl-create/Update': ['f:other'], 'kubectl/Apply': ['f:key', 'f:mine'] });
    await writeFile(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: default}\ndata: {key: b}\n');
    await ok(['apply', '--server-side', '-f', file]);
    assert.equal(await ok(['get', 'cm', 'settings', '-o', 'jsonpath={.data}']), '{"key":"b","other":"x"}');
  });

  it('co-owns a field applied with the value it already has', async () => {
    const file = join(work, 'shared.yaml');
    await writeFile(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: default}\ndata: {other: x}\n');
    assert.match(await ok(['apply', '--server-side', '--field-manager=second', '-f', file]), /serverside-applied/);
  });

  it('requires a field manager', async () => {
    const r = await sandbox.api('PATCH', '/api/v1/namespaces/default/configmaps/settings', { contentType: 'application/apply-patch+yaml', body: 'data: {a: b}' });
    assert.equal(r.status, 422);
    assert.match((r.body as { message: string }).message, /fieldManager: Required value: is required for apply patch/);
  });
});

describe('kubectl wait and describe', () => {
  it('waits until a condition set through the status subresource is true', async () => {
    await ok(['run', 'waiter', '--image=nginx']);
    const waiting = sandbox.kubectl(['wait', '--for=condition=Ready', 'pod/waiter', '--timeout=10s']);
    await new Promise((r) => setTimeout(r, 700));
    const status = { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString() }] } };
    const r = await sandbox.api('PATCH', '/api/v1/namespaces/default/pods/waiter/status', { contentType: 'application/merge-patch+json', body: JSON.stringify(status) });
    assert.equal(r.status, 200);
    const done = await waiting;
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /pod\/waiter condition met/);
  });

  it('describes a pod with its events', async () => {
    const pod = JSON.parse(await ok(['get', 'pod', 'waiter', '-o', 'json'])) as { metadata: { uid: string } };
    const event = {
      apiVersion: 'v1', kind: 'Event', metadata: { name: 'waiter.1', namespace: 'default' },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', name: 'waiter', namespace: 'default', uid: pod.metadata.uid },
      reason: 'Scheduled', message: 'Successfully assigned default/waiter to worker-0', type: 'Normal', source: { component: 'default-scheduler' },
      firstTimestamp: new Date().toISOString(), lastTimestamp: new Date().toISOString(), count: 1,
    };
    assert.equal((await sandbox.api('POST', '/api/v1/namespaces/default/events', { contentType: 'application/json', body: JSON.stringify(event) })).status, 201);
    const out = await ok(['describe', 'pod', 'waiter']);
    assert.match(out, /^Name:\s+waiter$/m);
    assert.match(out, /Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message\n[\s\S]*Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned default\/waiter to worker-0/);
    assert.match(await ok(['get', 'events', '--field-selector', 'involvedObject.name=waiter']), /Scheduled\s+pod\/waiter/);
  });
});
});
