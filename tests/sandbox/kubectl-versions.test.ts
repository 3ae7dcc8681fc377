/**
 * What a learner types with any kubectl from 1.27 to 1.33 works against the
 * sandbox. kubectl up to 1.28 builds apply's patch, explains and validates
 * from OpenAPI v2 in protobuf; later ones from v3 — both are served from the
 * same schemas.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { everyKubectl, startSandbox, waitFor, type TestSandbox } from '../helpers/sandbox.ts';
import { tempDir } from '../helpers/temp-dir.ts';

let sandbox: TestSandbox;
let work: string;
before(async () => {
  sandbox = await startSandbox();
  work = tempDir('kubectl-versions');
  await sandbox.applyLessonManifests('namespaces.yaml', 'nad-data-adapter.yaml', 'pod-turtle-db-adapter.yaml');
  assert.equal((await sandbox.kubectl(['run', 'web', '-n', 'default', '--image=nginx'])).code, 0);
  for (const [ns, pod] of [['default', 'web'], ['data-adapter', 'turtle-db-adapter']] as const)
    await waitFor(`${ns}/${pod} running`, async () => (await sandbox.kubectl(['get', 'pod', pod, '-n', ns, '-o', 'jsonpath={.status.phase}'])).stdout === 'Running');
});

/** A free local port for port-forward to listen on. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** kubectl port-forward running until stopped; its output so far. */
function portForward(binary: string, kubeconfig: string, args: string[]) {
  const child = spawn(binary, ['port-forward', ...args], { env: { ...process.env, KUBECONFIG: kubeconfig, HOME: work } });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { output: () => output, exited, stop: () => (child.kill(), exited) };
}
after(() => sandbox?.close());

describe('OpenAPI v2', () => {
  it('is served as JSON (Swagger 2.0) and as protobuf, with an ETag that answers 304', async () => {
    const json = await sandbox.api('GET', '/openapi/v2');
    assert.equal(json.status, 200);
    const doc = json.body as { swagger: string; definitions: Record<string, { 'x-kubernetes-group-version-kind'?: unknown; properties?: Record<string, Record<string, unknown>> }>; paths: Record<string, Record<string, { parameters?: { name: string }[] }>> };
    assert.equal(doc.swagger, '2.0');
    assert.deepEqual(doc.definitions['io.k8s.api.core.v1.Pod']?.['x-kubernetes-group-version-kind'], [{ group: '', version: 'v1', kind: 'Pod' }]);
    // v3's allOf wrapper becomes a plain $ref, as kube-apiserver publishes v2.
    assert.equal(doc.definitions['io.k8s.api.core.v1.Pod']?.properties?.spec?.$ref, '#/definitions/io.k8s.api.core.v1.PodSpec');
    assert.equal(doc.definitions['io.k8s.api.core.v1.PodSpec']?.properties?.containers?.['x-kubernetes-patch-merge-key'], 'name');
    assert.ok(doc.paths['/api/v1/namespaces/{namespace}/pods/{name}']?.patch?.parameters?.some((p) => p.name === 'fieldValidation'));
    const protobuf = await sandbox.api('GET', '/openapi/v2', { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' });
    assert.equal(protobuf.status, 200);
    assert.equal(protobuf.headers['content-type'], 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    // Document.swagger (field 1, length-delimited) comes first.
    assert.deepEqual([...protobuf.raw.subarray(0, 5)], [0x0a, 3, ...Buffer.from('2.0')]);
    const etag = String(protobuf.headers.etag);
    assert.equal((await sandbox.api('GET', '/openapi/v2', { headers: { 'if-none-match': etag } })).status, 304);
  });
});

for (const { minor, path } of everyKubectl()) {
  describe(`kubectl 1.${minor}`, () => {
    const kubectl = (args: string[], env?: NodeJS.ProcessEnv) => sandbox.kubectl(args, { binary: path, ...(env ? { env } : {}) });
    const ok = async (args: string[], env?: NodeJS.ProcessEnv) => {
      const r = await kubectl(args, env);
      assert.equal(r.code, 0, `kubectl 1.${minor} ${args.join(' ')} failed:\n${r.stderr}`);
      return r.stdout;
    };
    const ns = `v${minor}`;

    it('creates, applies (then configures with a strategic merge), diffs, replaces and edits', async () => {
      await ok(['create', 'namespace', ns]);
      const pod = join(work, `pod-${minor}.yaml`);
      const podYaml = (label: string) => `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: ${ns}, labels: {tier: ${label}}}
spec:
  containers:
  - name: web
    image: quay.io/openshift/origin-network-tools:latest
    ports: [{containerPort: 8080}]
`;
      await writeFile(pod, podYaml('a'));
      assert.match(await ok(['create', '-f', pod]), /^pod\/web created$/m);
      // Client-side apply of an object created without it, then a change: the patch is built from the schema.
      assert.match(await ok(['apply', '-f', pod]), /pod\/web (configured|unchanged)/);
      await writeFile(pod, podYaml('b'));
      const diff = await kubectl(['diff', '-f', pod]);
      assert.equal(diff.code, 1, `diff exits 1 when it finds a difference:\n${diff.stderr}`);
      assert.match(diff.stdout, /^-    tier: a$/m);
      assert.match(diff.stdout, /^\+    tier: b$/m);
      assert.match(await ok(['apply', '-f', pod]), /^pod\/web configured$/m);
      assert.equal(await ok(['get', 'pod', 'web', '-n', ns, '-o', 'jsonpath={.metadata.labels.tier} {.spec.containers[0].ports[0].containerPort}']), 'b 8080');

      const list = join(work, `list-${minor}.yaml`);
      const listYaml = (value: string) => `apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: ConfigMap, metadata: {name: one, namespace: ${ns}}, data: {value: "${value}"}}
- {apiVersion: v1, kind: ConfigMap, metadata: {name: two, namespace: ${ns}}, data: {value: "${value}"}}
`;
      await writeFile(list, listYaml('1'));
      assert.match(await ok(['apply', '-f', list]), /configmap\/one created\nconfigmap\/two created/);
      await writeFile(list, listYaml('2'));
      assert.match(await ok(['replace', '-f', list]), /configmap\/one replaced/);
      assert.match(await ok(['apply', '--server-side', '--force-conflicts', '-f', list]), /configmap\/two serverside-applied/);
      const editor = join(work, `editor-${minor}.sh`);
      await writeFile(editor, `#!/bin/sh\nsed -i 's/value: "2"/value: "3"/' "$1"\n`, { mode: 0o755 });
      assert.match(await ok(['edit', 'configmap', 'one', '-n', ns], { EDITOR: editor }), /configmap\/one edited/);
      assert.equal(await ok(['get', 'configmap', 'one', '-n', ns, '-o', 'jsonpath={.data.value}']), '3');
    });

    it('refuses an unknown field as the real server does', async () => {
      const bad = join(work, `bad-${minor}.yaml`);
      await writeFile(bad, `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bad, namespace: ${ns}}\ndatta: {a: b}\n`);
      const r = await kubectl(['apply', '-f', bad]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /unknown field "datta"/);
    });

    it('execs over its own transport (SPDY up to 1.29, WebSocket after) with stdin and the exit code', async () => {
      const r = await kubectl(['exec', '-n', 'data-adapter', 'turtle-db-adapter', '--', 'sh', '-c', 'echo out; exit 3']);
      assert.equal(r.stdout, 'out\n');
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /command terminated with exit code 3/);
      const typed = await sandbox.kubectl(['exec', '-i', '-n', 'data-adapter', 'turtle-db-adapter', '--', 'sh'], { binary: path, stdin: 'echo typed\n' });
      assert.equal(typed.stdout, 'typed\n', typed.stderr);
      const missing = await kubectl(['exec', '-n', 'data-adapter', 'turtle-db-adapter', '--', 'tar', 'cf', '-', '/tmp']);
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, /exec: "tar": executable file not found in \$PATH/);
    });

    it('runs a pod with -i --rm: attached to its shell, then deleted', async () => {
      const r = await sandbox.kubectl(['run', '-i', '--rm', `once-${minor}`, '-n', ns, '--image=busybox', '--restart=Never', '--', 'sh'], { binary: path, stdin: 'echo attached\n' });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^attached$/m);
      assert.match(r.stdout, new RegExp(`pod "once-${minor}" deleted`));
    });

    it('port-forwards to what listens on all addresses, and is refused where the service binds another address only', async () => {
      const port = await freePort();
      const web = portForward(path, sandbox.kubeconfig, ['-n', 'default', 'pod/web', `${port}:80`]);
      try {
        await waitFor('port-forward to listen', () => web.output().includes(`Forwarding from 127.0.0.1:${port} -> 80`));
        const page = await fetch(`http://127.0.0.1:${port}/`);
        assert.equal(page.status, 200);
        assert.equal(page.headers.get('server'), 'nginx/1.27.3');
        assert.match(await page.text(), /Welcome to nginx!/);
        assert.equal((await fetch(`http://127.0.0.1:${port}/missing`)).status, 404);
      } finally {
        await web.stop();
      }
      const adapterPort = await freePort();
      const adapter = portForward(path, sandbox.kubeconfig, ['-n', 'data-adapter', 'pod/turtle-db-adapter', `${adapterPort}:9000`]);
      try {
        await waitFor('port-forward to listen', () => adapter.output().includes(`Forwarding from 127.0.0.1:${adapterPort} -> 9000`));
        await fetch(`http://127.0.0.1:${adapterPort}/`).then(() => assert.fail('the adapter binds 192.168.200.10 only'), () => undefined);
        await waitFor('the refusal', () => adapter.output().includes('an error occurred forwarding'));
        assert.match(adapter.output(), /failed to connect to localhost:9000 inside namespace \\?"[0-9a-f]{64}\\?", IPv4: dial tcp4 127\.0\.0\.1:9000: connect: connection refused/);
      } finally {
        await adapter.stop();
      }
    });

    it('explains built-in kinds and custom resources', async () => {
      assert.match(await ok(['explain', 'pod.spec.containers.ports']), /containerPort/);
      assert.match(await ok(['explain', 'nad.spec']), /config/);
      // Upstream's schemas: KubeVirt's VM template, MultiNetworkPolicy's rules.
      assert.match(await ok(['explain', 'vm.spec.template.spec.domain.devices']), /interfaces/);
      assert.match(await ok(['explain', 'multi-networkpolicy.spec']), /podSelector/);
      assert.match(await ok(['explain', 'csv.spec.install']), /strategy/);
      assert.match(await ok(['explain', 'hco.spec.featureGates']), /downwardMetrics/);
      assert.match(await ok(['explain', 'nmstate.spec']), /nodeSelector/);
      assert.match(await ok(['explain', 'nncp.spec']), /desiredState/);
      if (minor <= 28) assert.match(await ok(['explain', 'pod.spec.nodeSelector', '--output=plaintext-openapiv2']), /nodeSelector/);
    });
  });
}
