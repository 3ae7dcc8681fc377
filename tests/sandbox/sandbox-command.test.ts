/** `labpath sandbox` as a user runs it: ready line, kubeconfig, signals, and --state across SIGKILL. */
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { LESSON_DIR } from '../helpers/paths.ts';
import { labpath, run } from '../helpers/run.ts';
import { KUBECTL } from '../helpers/sandbox.ts';
import { startSandboxCommand as startCommand } from '../helpers/sandbox-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

function kubectl(kubeconfig: string, home: string, args: string[]) {
  return run(KUBECTL, args, { env: { KUBECONFIG: kubeconfig, HOME: home, KUBECACHEDIR: join(home, `cache-${Math.random()}`) } });
}

describe('labpath sandbox', () => {
  it('prints its ready line, writes a kubeconfig with a token and CA, and stops on SIGTERM', async () => {
    const dir = tempDir('cmd');
    const running = await startCommand(['--kubeconfig', join(dir, 'kc')]);
    const config = parse(await readFile(running.kubeconfig, 'utf8')) as { clusters: { cluster: { server: string; 'certificate-authority-data': string } }[]; users: { user: { token: string } }[]; contexts: { context: { namespace: string } }[] };
    assert.equal(config.clusters[0]?.cluster.server, running.url);
    assert.match(Buffer.from(config.clusters[0]!.cluster['certificate-authority-data'], 'base64').toString(), /BEGIN CERTIFICATE/);
    assert.ok((config.users[0]?.user.token ?? '').length >= 24);
    assert.equal(config.contexts[0]?.context.namespace, 'default');
    const nodes = await kubectl(running.kubeconfig, dir, ['get', 'nodes', '-o', 'name']);
    assert.equal(nodes.stdout, 'node/control-plane-0\nnode/worker-0\nnode/worker-1\n');
    running.child.kill('SIGTERM');
    assert.equal(await running.exited, 0);
  });

  it('with --state, loses nothing across SIGKILL and a restart', async () => {
    const dir = tempDir('state');
    const state = join(dir, 'cluster.db');
    const first = await startCommand(['--kubeconfig', join(dir, 'kc'), '--state', state]);
    const manifests = join(LESSON_DIR, 'manifests');
    const applied = await kubectl(first.kubeconfig, dir, ['apply', '-f', join(manifests, 'namespaces.yaml'), '-f', join(manifests, 'nad-data-adapter.yaml'), '-f', join(manifests, 'pod-turtle-db-adapter.yaml')]);
    assert.equal(applied.code, 0, applied.stderr);
    // Let the pod settle (Running and Ready) so the snapshot is of a cluster at rest.
    assert.equal((await kubectl(first.kubeconfig, dir, ['wait', '-n', 'data-adapter', 'pod/turtle-db-adapter', '--for=condition=Ready', '--timeout=30s'])).code, 0);
    assert.equal((await kubectl(first.kubeconfig, dir, ['create', 'configmap', 'last-write', '-n', 'data-adapter', '--from-literal=k=v'])).code, 0);
    assert.equal((await kubectl(first.kubeconfig, dir, ['delete', 'namespace', 'data-consumer', '--wait=false'])).code, 0);
    const before = (await kubectl(first.kubeconfig, dir, ['get', 'pods,nad,cm', '-n', 'data-adapter', '-o', 'json'])).stdout;
    const listRv = (JSON.parse((await kubectl(first.kubeconfig, dir, ['get', '--raw', '/api/v1/namespaces/data-adapter/configmaps'])).stdout) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await startCommand(['--kubeconfig', join(dir, 'kc'), '--state', state]);
    const after = (await kubectl(second.kubeconfig, dir, ['get', 'pods,nad,cm', '-n', 'data-adapter', '-o', 'json'])).stdout;
    assert.deepEqual(JSON.parse(after), JSON.parse(before));
    assert.match((await kubectl(second.kubeconfig, dir, ['get', 'namespace', 'data-consumer'])).stderr, /not found/);
    // A write after the restart continues the resourceVersions; an old watch position must relist.
    const cm = await kubectl(second.kubeconfig, dir, ['create', 'configmap', 'after-restart', '-n', 'data-adapter', '--from-literal=k=v', '-o', 'jsonpath={.metadata.resourceVersion}']);
    assert.ok(Number(cm.stdout) > Number(listRv));
    const stale = await kubectl(second.kubeconfig, dir, ['get', '--raw', `/api/v1/namespaces/data-adapter/configmaps?watch=true&resourceVersion=${Number(listRv) - 1}&timeoutSeconds=1`]);
    assert.match(stale.stdout, /"type":"ERROR".*"code":410/);
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0);
  });

  it('refuses a port another sandbox holds, though both share ports between their own sockets', { timeout: 30_000 }, async () => {
    // SO_REUSEPORT on both sides would let the kernel split connections between them.
    const holder = createServer().listen({ port: 0, host: '127.0.0.1', reusePort: true });
    await once(holder, 'listening');
    const { port } = holder.address() as AddressInfo;
    try {
      const r = await labpath(['sandbox', '--port', String(port)]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`port ${port} is already in use`));
    } finally {
      holder.close();
    }
  });

  it('explains usage mistakes', async () => {
    assert.match((await labpath(['sandbox', '--port', 'x'])).stderr, /--port must be a whole number/);
    assert.match((await labpath(['sandbox', '--lesson', 'nope'])).stderr, /no lesson "nope"/);
    assert.equal((await labpath(['sandbox', '--bogus'])).code, 2);
  });
});
