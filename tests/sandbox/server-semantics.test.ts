/**
 * The API server's semantics that clients trip on when they differ: tables
 * carrying whole objects for sorting, watch spellings and resourceVersions,
 * no-op writes, namespaces that terminate, log options, pods bound to a node,
 * main processes that end, and how the server answers the anonymous, bad JSON
 * and oversized bodies.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startSandbox, waitFor, type TestSandbox } from '../helpers/sandbox.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { ObjectStore } from '../../lab-server/sandbox/store/object-store.ts';

let sandbox: TestSandbox;
before(async () => {
  sandbox = await startSandbox();
  assert.equal((await sandbox.kubectl(['run', 'web', '--image=nginx'])).code, 0);
  await waitFor('web running', async () => (await sandbox.kubectl(['get', 'pod', 'web', '-o', 'jsonpath={.status.phase}'])).stdout === 'Running');
});
after(() => sandbox?.close());

async function ok(args: string[]): Promise<string> {
  const r = await sandbox.kubectl(args);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const lines = (text: string) => text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; object: { metadata: { name?: string; resourceVersion?: string } } });

describe('tables', () => {
  it('carry whole objects when asked (includeObject=Object), so kubectl sorts on any field', async () => {
    const events = await ok(['get', 'events', '--sort-by=.lastTimestamp']);
    assert.match(events, /Started container web/);
    const table = await sandbox.api('GET', '/api/v1/namespaces/default/pods?includeObject=Object', { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    const row = (table.body as { rows: { object: { kind: string; spec?: unknown } }[] }).rows[0]!;
    assert.equal(row.object.kind, 'Pod');
    assert.ok(row.object.spec);
    const bad = await sandbox.api('GET', '/api/v1/pods?includeObject=All', { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    assert.equal(bad.status, 400);
  });
});

describe('watches', () => {
  it('take watch=True (python) and the legacy /watch/ paths (ruby-kubeclient)', async () => {
    for (const path of ['/api/v1/namespaces/default/pods?watch=True&timeoutSeconds=1', '/api/v1/watch/namespaces/default/pods?timeoutSeconds=1', '/api/v1/watch/pods?timeoutSeconds=1&fieldSelector=metadata.namespace%3Ddefault']) {
      const r = await sandbox.api('GET', path);
      assert.equal(r.status, 200, path);
      assert.deepEqual(lines(r.text).map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'web']], path);
    }
    assert.equal((await sandbox.api('GET', '/api/v1/pods?watch=maybe')).status, 400);
  });

  it('send a bookmark just before the deadline', async () => {
    const r = await sandbox.api('GET', '/api/v1/namespaces/default/configmaps?watch=1&allowWatchBookmarks=true&timeoutSeconds=3&resourceVersion=' + sandbox.handle.cluster.store.resourceVersion);
    assert.deepEqual(lines(r.text).map((e) => e.type), ['BOOKMARK']);
  });

  it('wait for a resourceVersion the cluster has not reached, then answer 504 Too large', async () => {
    const asked = sandbox.handle.cluster.store.resourceVersion + 1000;
    const r = await sandbox.api('GET', `/api/v1/configmaps?resourceVersion=${asked}`);
    assert.equal(r.status, 504);
    assert.match((r.body as { message: string }).message, new RegExp(`^Timeout: Too large resource version: ${asked}, current: \\d+$`));
  });

  it('resume from the log, and answer 410 once a resourceVersion has fallen out of it', async () => {
    const store = new ObjectStore(3, 60_000);
    const put = (name: string) => store.put('/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' } });
    for (const name of ['a', 'b', 'c', 'd', 'e']) put(name);
    assert.equal(store.changesSince(1), undefined);
    assert.deepEqual(store.changesSince(3)?.map((c) => c.object.metadata.name), ['d', 'e']);
    const aged = new ObjectStore(100, 20);
    aged.put('/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'old', namespace: 'default' } });
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.equal(aged.changesSince(0), undefined, 'past the watch cache window');
    assert.deepEqual(aged.changesSince(1), []);
  });
});

describe('lists at a resourceVersion', () => {
  it('read the list as it was with resourceVersionMatch=Exact, and check the options as the server does', async () => {
    await ok(['create', 'configmap', 'then']);
    const rv = (await ok(['get', 'configmap', 'then', '-o', 'jsonpath={.metadata.resourceVersion}'])).trim();
    await ok(['delete', 'configmap', 'then']);
    await ok(['create', 'configmap', 'later']);
    const exact = await sandbox.api('GET', `/api/v1/namespaces/default/configmaps?resourceVersion=${rv}&resourceVersionMatch=Exact`);
    const names = (exact.body as { metadata: { resourceVersion: string }; items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name);
    assert.ok(names.includes('then') && !names.includes('later'), names.join());
    assert.equal((exact.body as { metadata: { resourceVersion: string } }).metadata.resourceVersion, rv);
    const cases: [string, RegExp][] = [
      ['resourceVersionMatch=Exact', /resourceVersionMatch is forbidden unless resourceVersion is provided/],
      ['resourceVersion=1&resourceVersionMatch=Latest', /Unsupported value: "Latest": supported values: "Exact", "NotOlderThan"/],
      ['resourceVersion=0&resourceVersionMatch=Exact', /resourceVersionMatch "exact" is forbidden for resourceVersion "0"/],
    ];
    for (const [query, message] of cases) {
      const r = await sandbox.api('GET', `/api/v1/configmaps?${query}`);
      assert.equal(r.status, 422, query);
      assert.match((r.body as { message: string }).message, /^ListOptions\.meta\.k8s\.io "" is invalid: /);
      assert.match((r.body as { message: string }).message, message);
    }
  });
});

describe('writes', () => {
  it('that change nothing keep the resourceVersion: kubectl says "no change"', async () => {
    await ok(['create', 'configmap', 'same', '--from-literal=a=b']);
    const before = await ok(['get', 'configmap', 'same', '-o', 'jsonpath={.metadata.resourceVersion}']);
    assert.match(await ok(['patch', 'configmap', 'same', '-p', '{"data":{"a":"b"}}']), /configmap\/same patched \(no change\)/);
    assert.equal(await ok(['get', 'configmap', 'same', '-o', 'jsonpath={.metadata.resourceVersion}']), before);
  });
});

describe('namespaces', () => {
  it('stay Terminating, saying what remains, while their pods go', async () => {
    await ok(['create', 'namespace', 'going']);
    await ok(['run', 'p', '-n', 'going', '--image=nginx']);
    await waitFor('p running', async () => (await sandbox.kubectl(['get', 'pod', 'p', '-n', 'going', '-o', 'jsonpath={.status.phase}'])).stdout === 'Running');
    await ok(['delete', 'namespace', 'going', '--wait=false']);
    assert.match(await ok(['get', 'namespace', 'going']), /going\s+Terminating/);
    assert.match(await ok(['get', 'namespace', 'going', '-o', 'jsonpath={.status.conditions[?(@.type=="NamespaceContentRemaining")].message}']), /Some resources are remaining: pods\. has 1 resource instances/);
    await ok(['wait', '--for=delete', 'namespace/going', '--timeout=20s']);
  });
});

describe('logs', () => {
  it('honour sinceSeconds, sinceTime and limitBytes, and refuse what PodLogOptions refuses', async () => {
    const logs = sandbox.handle.cluster.logs;
    logs.append('default', 'web', 'web', 'early line');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const since = new Date().toISOString();
    logs.append('default', 'web', 'web', 'late line');
    assert.equal(await ok(['logs', 'web', '--since=1s']), 'late line\n');
    assert.equal(await ok(['logs', 'web', `--since-time=${since}`]), 'late line\n');
    assert.equal(await ok(['logs', 'web', '--limit-bytes=4']), (await ok(['logs', 'web'])).slice(0, 4));
    const both = await sandbox.api('GET', `/api/v1/namespaces/default/pods/web/log?sinceSeconds=5&sinceTime=${since}`);
    assert.equal(both.status, 422);
    assert.match((both.body as { message: string }).message, /at most one of `sinceTime` or `sinceSeconds` may be specified/);
    assert.equal((await sandbox.api('GET', '/api/v1/namespaces/default/pods/web/log?limitBytes=0')).status, 422);
  });
});

describe('pods and their main processes', () => {
  it('run on the node named in spec.nodeName (kubectl debug node/…), and their command completes', async () => {
    const r = await sandbox.kubectl(['debug', 'node/worker-0', '--image=busybox', '--profile=general', '--', 'sh', '-c', 'echo on the node']);
    assert.equal(r.code, 0, r.stderr);
    const pod = /pod (node-debugger-worker-0-\w+)/.exec(r.stdout)![1]!;
    await waitFor('the debug pod to complete', async () => (await sandbox.kubectl(['get', 'pod', pod, '-o', 'jsonpath={.status.phase}'])).stdout === 'Succeeded');
    assert.equal(await ok(['logs', pod]), 'on the node\n');
  });

  it('end by restartPolicy: Error for Never, CrashLoopBackOff for Always', async () => {
    await ok(['run', 'once', '--image=busybox', '--restart=Never', '--command', '--', 'sh', '-c', 'echo done; exit 2']);
    await ok(['run', 'again', '--image=busybox', '--command', '--', 'sh', '-c', 'echo looping']);
    await waitFor('once to fail', async () => (await sandbox.kubectl(['get', 'pod', 'once', '-o', 'jsonpath={.status.phase}'])).stdout === 'Failed');
    assert.equal(await ok(['get', 'pod', 'once', '-o', 'jsonpath={.status.containerStatuses[0].state.terminated.exitCode} {.status.containerStatuses[0].state.terminated.reason}']), '2 Error');
    await waitFor('again to back off', async () => (await sandbox.kubectl(['get', 'pod', 'again', '-o', 'jsonpath={.status.containerStatuses[0].state.waiting.reason}'])).stdout === 'CrashLoopBackOff');
    assert.match(await ok(['get', 'pod', 'again']), /again\s+0\/1\s+CrashLoopBackOff\s+\d/);
  });

  it('have their status written back by the kubelet when a client writes another over it', async () => {
    await ok(['patch', 'pod', 'web', '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Failed"}}']);
    assert.equal(await ok(['get', 'pod', 'web', '-o', 'jsonpath={.status.phase}']), 'Failed');
    await waitFor('the kubelet to write Running back', async () => (await ok(['get', 'pod', 'web', '-o', 'jsonpath={.status.phase}'])) === 'Running');
  });

  it('report the ids python\'s client requires of a node', async () => {
    const info = JSON.parse(await ok(['get', 'node', 'worker-0', '-o', 'jsonpath={.status.nodeInfo}'])) as Record<string, string>;
    assert.match(info.machineID!, /^[0-9a-f]{32}$/);
    assert.match(info.systemUUID!, /^[0-9a-f-]{36}$/);
    assert.match(info.bootID!, /^[0-9a-f-]{36}$/);
    assert.equal(info.kubeProxyVersion, '');
  });
});

describe('answers', () => {
  it('refuse the anonymous with 403 as OpenShift does, and a bad token with 401', async () => {
    const anonymous = await sandbox.api('GET', '/api/v1/namespaces/default/pods', { headers: { authorization: '' } });
    assert.equal(anonymous.status, 403);
    assert.equal((anonymous.body as { message: string }).message, 'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "default"');
    const path = await sandbox.api('GET', '/api', { headers: { authorization: '' } });
    assert.equal((path.body as { message: string }).message, 'forbidden: User "system:anonymous" cannot get path "/api"');
    assert.equal((await sandbox.api('GET', '/api', { token: 'forged' })).status, 401);
  });

  it('name every answer with an Audit-Id, report the real v1.32.5 build, and list health checks', async () => {
    const version = await sandbox.api('GET', '/version');
    assert.match(String(version.headers['audit-id']), /^[0-9a-f-]{36}$/);
    assert.equal((version.body as { gitCommit: string }).gitCommit, '9894294ef13a5b32803e3ca2c0d620a088cc84d1');
    const ready = await sandbox.api('GET', '/readyz?verbose');
    assert.match(ready.text, /^\[\+\]ping ok\n/);
    assert.match(ready.text, /\[\+\]etcd-readiness ok\n/);
    assert.match(ready.text, /readyz check passed\n$/);
    assert.equal((await sandbox.api('GET', '/livez/etcd')).text, 'ok');
    assert.equal((await sandbox.api('GET', '/livez/nonsense')).status, 404);
  });

  it('explain bad JSON in Go\'s words', async () => {
    const r = await sandbox.api('POST', '/api/v1/namespaces/default/configmaps', { contentType: 'application/json', body: '{"metadata": {"name": "x",}}' });
    assert.equal(r.status, 400);
    assert.equal((r.body as { message: string }).message, "couldn't get version/kind; json parse error: invalid character '}' looking for beginning of object key string");
  });

  it('read an oversized body to its end, so kubectl always prints the 413', async () => {
    const file = join(tempDir('big'), 'big.yaml');
    await writeFile(file, `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: huge}\ndata:\n  blob: "${'x'.repeat(4 * 1024 * 1024)}"\n`);
    for (let i = 0; i < 3; i++) {
      const r = await sandbox.kubectl(['create', '-f', file]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /Request entity too large: limit is 3145728/, `try ${i + 1}: ${r.stderr}`);
    }
  });
});
