/**
 * The real kubectl against `labpath sandbox`'s API server: discovery, tables,
 * output formats, writes, selectors, watches and errors.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { kubectlBinaries, startSandbox, type TestSandbox } from '../helpers/sandbox.ts';

// Every test below runs once per kubectl binary (the dispatcher, 1.30, 1.33), each against its own sandbox.
for (const { name: kubectlName, path: kubectlPath } of kubectlBinaries()) describe(`with kubectl ${kubectlName}`, () => {
let sandbox: TestSandbox;
before(async () => {
  sandbox = await startSandbox({ kubectl: kubectlPath });
});
after(() => sandbox?.close());

async function ok(args: string[]): Promise<string> {
  const r = await sandbox.kubectl(args);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

describe('kubectl against the sandbox', () => {
  it(`sees the lesson's nodes with wide columns`, async () => {
    const out = await ok(['get', 'nodes', '-o', 'wide']);
    assert.match(out, /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\s+INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE/);
    assert.match(out, /\nworker-0\s+Ready\s+worker\s+\S+\s+v1\.32\.\d+\s+10\.0\.0\.20\s/);
    assert.match(out, /\ncontrol-plane-0\s+Ready\s+control-plane,master\s/);
  });

  it('reports the server version the dispatcher picks kubectl by', async () => {
    const out = await ok(['version', '-o', 'json']);
    const version = JSON.parse(out) as { serverVersion: { major: string; minor: string } };
    assert.deepEqual([version.serverVersion.major, version.serverVersion.minor], ['1', '32']);
  });

  it('creates a namespace (a protobuf body), which gets its default ServiceAccount', async () => {
    assert.equal((await ok(['create', 'namespace', 'lab-a'])).trim(), 'namespace/lab-a created');
    const ns = JSON.parse(await ok(['get', 'namespace', 'lab-a', '-o', 'json'])) as { metadata: { labels: Record<string, string>; uid: string }; status: { phase: string } };
    assert.equal(ns.status.phase, 'Active');
    assert.equal(ns.metadata.labels['kubernetes.io/metadata.name'], 'lab-a');
    assert.match(ns.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.match(await ok(['get', 'serviceaccounts', '-n', 'lab-a']), /\ndefault\s+0\s/);
  });

  it('creates configmaps and secrets from literals and lists them with -l and -A', async () => {
    await ok(['create', 'configmap', 'app-config', '-n', 'lab-a', '--from-literal=mode=demo', '--from-literal=level=2']);
    await ok(['create', 'secret', 'generic', 'db', '-n', 'lab-a', '--from-literal=password=cheese']);
    await ok(['label', 'configmap', 'app-config', '-n', 'lab-a', 'tier=backend']);
    assert.match(await ok(['get', 'cm', '-n', 'lab-a', '-l', 'tier=backend']), /\napp-config\s+2\s/);
    assert.match(await ok(['get', 'cm', '-A', '-l', 'tier in (backend,frontend)']), /\nlab-a\s+app-config\s+2\s/);
    // Only the namespace's own CA bundles lack the label and so match tier!=backend.
    assert.equal((await ok(['get', 'cm', '-n', 'lab-a', '-l', 'tier!=backend', '-o', 'name'])).trim(), 'configmap/kube-root-ca.crt\nconfigmap/openshift-service-ca.crt');
    assert.equal(await ok(['get', 'secret', 'db', '-n', 'lab-a', '-o', 'jsonpath={.data.password}']), Buffer.from('cheese').toString('base64'));
    assert.match(await ok(['get', 'secret', 'db', '-n', 'lab-a']), /\ndb\s+Opaque\s+1\s/);
  });

  it('patches with merge, JSON and strategic patches', async () => {
    await ok(['patch', 'configmap', 'app-config', '-n', 'lab-a', '--type', 'merge', '-p', '{"data":{"mode":"live","level":null}}']);
    assert.equal(await ok(['get', 'cm', 'app-config', '-n', 'lab-a', '-o', 'jsonpath={.data}']), '{"mode":"live"}');
    await ok(['patch', 'configmap', 'app-config', '-n', 'lab-a', '--type', 'json', '-p', '[{"op":"add","path":"/data/extra","value":"x"},{"op":"replace","path":"/data/mode","value":"test"}]']);
    assert.equal(await ok(['get', 'cm', 'app-config', '-n', 'lab-a', '-o', 'jsonpath={.data}']), '{"extra":"x","mode":"test"}');
    await ok(['patch', 'configmap', 'app-config', '-n', 'lab-a', '-p', '{"metadata":{"labels":{"patched":"yes"}}}']);
    assert.equal(await ok(['get', 'cm', 'app-config', '-n', 'lab-a', '-o', 'jsonpath={.metadata.labels.patched}']), 'yes');
  });

  it('refuses strategic merge patches on custom resources with 415', async () => {
    const r = await sandbox.kubectl(['patch', 'network.operator.openshift.io', 'cluster', '--type', 'strategic', '-p', '{"spec":{"useMultiNetworkPolicy":true}}']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /UnsupportedMediaType|unknown format/);
    await ok(['patch', 'network.operator.openshift.io', 'cluster', '--type', 'merge', '-p', '{"spec":{"useMultiNetworkPolicy":true}}']);
    assert.equal(await ok(['get', 'network.operator.openshift.io', 'cluster', '-o', 'jsonpath={.spec.useMultiNetworkPolicy}']), 'true');
  });

  it('lists custom resources by short name and category, with their printer columns', async () => {
    assert.match(await ok(['get', 'crd']), /\nvirtualmachines\.kubevirt\.io\s+\d{4}-/);
    assert.match(await ok(['get', 'clusterversion']), /^NAME\s+VERSION\s+AVAILABLE\s+PROGRESSING\s+SINCE\s+STATUS\nversion\s+4\.19\.0\s+True\s+False\s+\d+s\s+Cluster version is 4\.19\.0\n/);
    const r = await sandbox.kubectl(['get', 'vm,nad', '-A']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr + r.stdout, /No resources found/);
  });

  it('pages long lists with limit and continue, as kubectl --chunk-size does', async () => {
    for (let i = 0; i < 7; i++) await ok(['create', 'configmap', `page-${i}`, '-n', 'lab-a', '--from-literal=a=b']);
    const names = (await ok(['get', 'cm', '-n', 'lab-a', '--chunk-size=3', '-o', 'name'])).trim().split('\n').filter((n) => n.includes('page-'));
    assert.deepEqual(names, [0, 1, 2, 3, 4, 5, 6].map((i) => `configmap/page-${i}`));
    const first = (await sandbox.api('GET', '/api/v1/namespaces/lab-a/configmaps?limit=2')).body as { items: unknown[]; metadata: { continue: string; remainingItemCount: number } };
    assert.equal(first.items.length, 2);
    assert.ok(first.metadata.continue && first.metadata.remainingItemCount > 0);
    assert.equal((await sandbox.api('GET', '/api/v1/namespaces/lab-a/configmaps?limit=2&continue=garbage')).status, 400);
  });

  it('watches: get -w prints changes as they happen', async () => {
    const watch = sandbox.kubectl(['get', 'configmaps', '-n', 'lab-a', '-w', '--request-timeout=4s']);
    await new Promise((r) => setTimeout(r, 1000));
    await ok(['create', 'configmap', 'watched', '-n', 'lab-a', '--from-literal=a=b']);
    const result = await watch;
    assert.match(result.stdout, /\nwatched\s+1\s/);
  });

  it('streams a watch list: initial objects, then a bookmark marking their end, then changes', async () => {
    const path = '/api/v1/namespaces/lab-a/secrets?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1';
    const r = await sandbox.api('GET', path);
    const events = r.text.trim().split('\n').map((line) => JSON.parse(line) as { type: string; object: { metadata: { name?: string; annotations?: Record<string, string> } } });
    assert.deepEqual(events.map((e) => e.type), ['ADDED', 'BOOKMARK']);
    assert.equal(events[0]?.object.metadata.name, 'db');
    assert.equal(events[1]?.object.metadata.annotations?.['k8s.io/initial-events-end'], 'true');
  });

  it('answers health checks without credentials', async () => {
    for (const path of ['/healthz', '/readyz', '/livez']) {
      const r = await sandbox.api('GET', path, { token: 'none' });
      assert.deepEqual([r.status, r.text], [200, 'ok'], path);
    }
  });

  it('deletes a namespace: Terminating, contents removed, then gone', async () => {
    await ok(['create', 'namespace', 'lab-gone']);
    await ok(['create', 'configmap', 'c', '-n', 'lab-gone', '--from-literal=a=b']);
    assert.match(await ok(['delete', 'namespace', 'lab-gone']), /namespace "lab-gone" deleted/);
    const r = await sandbox.kubectl(['get', 'namespace', 'lab-gone']);
    assert.match(r.stderr, /namespaces "lab-gone" not found/);
    assert.equal(sandbox.handle.cluster.store.list('/configmaps', 'lab-gone').length, 0);
  });

  it('explains errors as a real server does', async () => {
    const cases: [string[], RegExp][] = [
      [['get', 'pod', 'nope'], /Error from server \(NotFound\): pods "nope" not found/],
      [['get', 'vm', 'nope', '-n', 'default'], /virtualmachines\.kubevirt\.io "nope" not found/],
      [['create', 'namespace', 'lab-a'], /Error from server \(AlreadyExists\): namespaces "lab-a" already exists/],
      [['create', 'namespace', 'Bad_Name'], /The Namespace "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 label/],
      [['get', 'frobnicators'], /the server doesn't have a resource type "frobnicators"/],
      [['create', 'configmap', 'x', '-n', 'missing-ns', '--from-literal=a=b'], /namespaces "missing-ns" not found/],
    ];
    for (const [args, expected] of cases) {
      const r = await sandbox.kubectl(args);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.stderr, expected);
    }
  });

  it('serves OpenShift projects as a view of namespaces, created by a ProjectRequest', async () => {
    const request = { apiVersion: 'project.openshift.io/v1', kind: 'ProjectRequest', metadata: { name: 'turtles' }, displayName: 'Turtle power', description: 'The lesson project' };
    const r = await sandbox.api('POST', '/apis/project.openshift.io/v1/projectrequests', { contentType: 'application/json', body: JSON.stringify(request) });
    assert.equal(r.status, 201, r.text);
    assert.equal((r.body as { kind: string }).kind, 'Project');
    assert.match(await ok(['get', 'projects']), /\nturtles\s+Turtle power\s+Active\n/);
    assert.equal(await ok(['get', 'namespace', 'turtles', '-o', 'jsonpath={.metadata.annotations.openshift\\.io/description}']), 'The lesson project');
    assert.match(await ok(['delete', 'project', 'turtles']), /project\.project\.openshift\.io "turtles" deleted/);
    assert.match((await sandbox.kubectl(['get', 'namespace', 'turtles'])).stderr, /not found/);
  });

  it('refuses requests without a valid token', async () => {
    const r = await sandbox.kubectl(['get', 'pods', '--token', 'not-a-token']);
    assert.match(r.stderr, /You must be logged in to the server/);
  });
});
});
