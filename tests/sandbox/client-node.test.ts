/**
 * @kubernetes/client-node 2 against the sandbox, unchanged: typed APIs,
 * KubernetesObjectApi (which resolves kinds through legacy discovery), watch
 * and exec; and one cluster's token never reaching another's objects.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { loadLesson } from '../../lab-server/lesson/load.ts';
import { sharingConnections } from '../../lab-server/kube/shared-connections.ts';
import { startSandbox, waitFor, type TestSandbox } from '../helpers/sandbox.ts';
import { LESSON_DIR } from '../helpers/paths.ts';

let sandbox: TestSandbox;
let config: k8s.KubeConfig;
before(async () => {
  sandbox = await startSandbox();
  config = new k8s.KubeConfig();
  config.loadFromString(sandbox.handle.kubeconfig);
});
after(() => sandbox?.close());

describe('client-node against the sandbox', () => {
  it('lists nodes and creates a namespace with the typed API', async () => {
    const core = config.makeApiClient(k8s.CoreV1Api);
    const nodes = await core.listNode();
    assert.deepEqual(nodes.items.map((n) => n.metadata?.name), ['control-plane-0', 'worker-0', 'worker-1']);
    const ns = await core.createNamespace({ body: { metadata: { name: 'from-client' } } });
    assert.equal(ns.status?.phase, 'Active');
    await assert.rejects(core.readNamespacedPod({ name: 'nope', namespace: 'from-client' }), (error: { code?: number; body?: string }) => error.code === 404 && /pods \\"nope\\" not found|pods "nope" not found/.test(String(error.body)));
  });

  it('applies lesson manifests with KubernetesObjectApi', async () => {
    const objects = k8s.KubernetesObjectApi.makeApiClient(config);
    const { manifests } = await loadLesson(LESSON_DIR);
    const nad = manifests.objects.find((m) => m.fileName === 'nad-data-adapter.yaml')!.object;
    await objects.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'data-adapter' } });
    const created = await objects.create(nad as k8s.KubernetesObject);
    assert.equal(created.metadata?.namespace, 'data-adapter');
    const read = await objects.read({ apiVersion: nad.apiVersion, kind: nad.kind, metadata: { name: 'db-access-net', namespace: 'data-adapter' } });
    assert.match(String((read as { spec?: { config?: string } }).spec?.config), /"vlanID": 123/);
    const patched = await objects.patch({ apiVersion: nad.apiVersion, kind: nad.kind, metadata: { name: 'db-access-net', namespace: 'data-adapter', labels: { team: 'net' } } }, undefined, undefined, undefined, undefined, k8s.PatchStrategy.MergePatch);
    assert.equal(patched.metadata?.labels?.team, 'net');
  });

  it('watches changes', async () => {
    const seen: string[] = [];
    const watch = new k8s.Watch(config);
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    // The namespace's own CA bundles (kube-root-ca.crt, openshift-service-ca.crt) are there already: watch only ours.
    const request = await watch.watch('/api/v1/namespaces/from-client/configmaps', { fieldSelector: 'metadata.name=watched' }, (type, object: k8s.V1ConfigMap) => {
      seen.push(`${type} ${object.metadata?.name}`);
      if (seen.length === 2) done();
    }, () => undefined);
    const core = config.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: 'from-client', body: { metadata: { name: 'watched' }, data: { a: 'b' } } });
    await core.deleteNamespacedConfigMap({ namespace: 'from-client', name: 'watched' });
    await finished;
    request.abort();
    assert.deepEqual(seen, ['ADDED watched', 'DELETED watched']);
  });

  it('execs a command and gets its status', async () => {
    const core = config.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedPod({ namespace: 'from-client', body: { metadata: { name: 'shell' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } });
    await waitFor('the pod to run', () => sandbox.handle.cluster.store.get('/pods', 'from-client', 'shell')?.status && (sandbox.handle.cluster.store.get('/pods', 'from-client', 'shell')!.status as { phase?: string }).phase === 'Running');
    let out = '';
    const stdout = new Writable({ write(chunk, _encoding, callback) { out += chunk; callback(); } });
    const status = await new Promise<k8s.V1Status>((resolve, reject) => {
      new k8s.Exec(config).exec('from-client', 'shell', 'c', ['sh', '-c', 'echo hi; exit 2'], stdout, null, null, false, (s) => resolve(s)).catch(reject);
    });
    assert.equal(out, 'hi\n');
    assert.equal(status.reason, 'NonZeroExitCode');
  });
});

describe('object metadata', () => {
  it('keeps an object with finalizers until the last one is removed', async () => {
    const core = config.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: 'from-client', body: { metadata: { name: 'guarded', finalizers: ['example.com/cleanup'] }, data: { a: 'b' } } });
    await core.deleteNamespacedConfigMap({ namespace: 'from-client', name: 'guarded' });
    const marked = await core.readNamespacedConfigMap({ namespace: 'from-client', name: 'guarded' });
    assert.ok(marked.metadata?.deletionTimestamp, 'the delete only marks the object');
    await core.patchNamespacedConfigMap({ namespace: 'from-client', name: 'guarded', body: [{ op: 'remove', path: '/metadata/finalizers' }] });
    await assert.rejects(core.readNamespacedConfigMap({ namespace: 'from-client', name: 'guarded' }), (error: { code?: number }) => error.code === 404);
  });

  it('stamps uid, creationTimestamp and resourceVersion, and bumps generation only on spec changes of custom resources', async () => {
    const objects = k8s.KubernetesObjectApi.makeApiClient(config);
    const nad: k8s.KubernetesObject & { spec: { config: string } } = { apiVersion: 'k8s.cni.cncf.io/v1', kind: 'NetworkAttachmentDefinition', metadata: { name: 'gen', namespace: 'from-client' }, spec: { config: '{}' } };
    const created = await objects.create(nad);
    assert.equal(created.metadata?.generation, 1);
    assert.match(String(created.metadata?.uid), /^[0-9a-f-]{36}$/);
    const labelled = await objects.patch({ ...nad, metadata: { ...nad.metadata, labels: { a: 'b' } } }, undefined, undefined, undefined, undefined, k8s.PatchStrategy.MergePatch);
    assert.equal(labelled.metadata?.generation, 1, 'metadata changes keep the generation');
    const changed = await objects.patch({ ...nad, spec: { config: '{"x":1}' } }, undefined, undefined, undefined, undefined, k8s.PatchStrategy.MergePatch);
    assert.equal(changed.metadata?.generation, 2);
    assert.ok(Number(changed.metadata?.resourceVersion) > Number(created.metadata?.resourceVersion));
  });
});

describe('namespace deletion, dry runs and generated names', () => {
  it('keeps a namespace Terminating while a finalizer holds its contents, and refuses new content (403)', async () => {
    const core = config.makeApiClient(k8s.CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'closing' } } });
    await core.createNamespacedConfigMap({ namespace: 'closing', body: { metadata: { name: 'held', finalizers: ['example.com/hold'] } } });
    await core.deleteNamespace({ name: 'closing' });
    assert.equal((await core.readNamespace({ name: 'closing' })).status?.phase, 'Terminating');
    const refused = await sandbox.api('POST', '/api/v1/namespaces/closing/configmaps', { contentType: 'application/json', body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late' } }) });
    assert.equal(refused.status, 403);
    assert.match((refused.body as { message: string }).message, /unable to create new content in namespace closing because it is being terminated/);
    await core.patchNamespacedConfigMap({ namespace: 'closing', name: 'held', body: [{ op: 'remove', path: '/metadata/finalizers' }] });
    await new Promise((r) => setTimeout(r, 50));
    await assert.rejects(core.readNamespace({ name: 'closing' }), (error: { code?: number }) => error.code === 404);
  });

  it('dryRun=All validates and answers without storing', async () => {
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dry' } });
    const r = await sandbox.api('POST', '/api/v1/namespaces/from-client/configmaps?dryRun=All', { contentType: 'application/json', body });
    assert.equal(r.status, 201);
    assert.equal((await sandbox.api('GET', '/api/v1/namespaces/from-client/configmaps/dry')).status, 404);
    assert.equal((await sandbox.api('POST', '/api/v1/namespaces/from-client/configmaps?dryRun=Some', { contentType: 'application/json', body })).status, 400);
  });

  it('names objects from generateName', async () => {
    const r = await sandbox.api('POST', '/api/v1/namespaces/from-client/configmaps', { contentType: 'application/json', body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'report-' } }) });
    assert.equal(r.status, 201);
    assert.match((r.body as { metadata: { name: string } }).metadata.name, /^report-[a-z0-9]{5}$/);
  });

  it('prints objects as YAML', async () => {
    const out = await sandbox.kubectl(['get', 'namespace', 'from-client', '-o', 'yaml']);
    assert.match(out.stdout, /^apiVersion: v1\nkind: Namespace\nmetadata:\n {2}creationTimestamp: "[^"]+"\n {2}labels:\n {4}kubernetes\.io\/metadata\.name: from-client\n/);
  });
});

describe('one process, many clusters', () => {
  it('keeps a connection open after an answer, unless a body was left unread on it', async () => {
    assert.equal((await sandbox.api('GET', '/api/v1/namespaces/default')).headers.connection, 'keep-alive');
    const refused = await sandbox.api('POST', '/api/v1/namespaces', { token: 'not-a-token', contentType: 'application/json', body: '{"metadata":{"name":"x"}}' });
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.connection, 'close');
  });

  it("the check engine's config shares one connection pool across API calls", async () => {
    const shared = sharingConnections(config);
    const contexts = [0, 1].map(() => new k8s.RequestContext(`${sandbox.host.url}/api/v1/nodes`, k8s.HttpMethod.GET));
    for (const context of contexts) await shared.applySecurityAuthentication(context);
    assert.ok(contexts[0]!.getDispatcher());
    assert.equal(contexts[0]!.getDispatcher(), contexts[1]!.getDispatcher());
    assert.equal(contexts[1]!.getHeaders().Authorization, `Bearer ${sandbox.handle.token}`);
    const sockets = [{}, {}] as { agent?: unknown }[];
    for (const options of sockets) await shared.applyToHTTPSOptions(options as never);
    assert.ok(sockets[0]!.agent);
    assert.equal(sockets[0]!.agent, sockets[1]!.agent);
    assert.equal((await sharingConnections(shared).makeApiClient(k8s.CoreV1Api).listNode()).items.length, 3);
  });

  it("a cluster's token reaches only its own objects", async () => {
    const { lesson } = await loadLesson(LESSON_DIR);
    const other = sandbox.host.addCluster(lesson!.lesson.environment, 'other');
    assert.equal((await sandbox.api('POST', '/api/v1/namespaces', { contentType: 'application/json', body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'only-in-a' } }) })).status, 201);
    assert.equal((await sandbox.api('GET', '/api/v1/namespaces/only-in-a', { token: other.token })).status, 404);
    assert.equal((await sandbox.api('DELETE', '/api/v1/namespaces/only-in-a', { token: other.token })).status, 404);
    const names = ((await sandbox.api('GET', '/api/v1/namespaces', { token: other.token })).body as { items: { metadata: { name: string } }[] }).items.map((n) => n.metadata.name);
    assert.ok(!names.includes('only-in-a') && !names.includes('from-client'));
    assert.equal((await sandbox.api('GET', '/api/v1/namespaces/only-in-a')).status, 200);
    sandbox.host.removeCluster(other.token);
    assert.equal((await sandbox.api('GET', '/api/v1/namespaces', { token: other.token })).status, 401);
  });
});
