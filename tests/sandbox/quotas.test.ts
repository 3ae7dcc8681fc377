/**
 * What a sandbox cluster takes, as Kubernetes limits it: 1 MiB of ConfigMap
 * data, 256 KiB of annotations, etcd's request size, nesting depth, and the
 * sandbox's own caps on objects, bytes and watches per cluster; malformed
 * label selectors refused with the real parser's words.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'node:https';
import { LIMITS } from '../../lab-server/sandbox/api/quotas.ts';
import { startSandbox, type TestSandbox } from '../helpers/sandbox.ts';
import { tempDir } from '../helpers/temp-dir.ts';

let sandbox: TestSandbox;
before(async () => {
  sandbox = await startSandbox();
});
after(() => sandbox?.close());

const CM = '/api/v1/namespaces/default/configmaps';
const configMap = (name: string, data: Record<string, string>, annotations?: Record<string, string>) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(annotations ? { annotations } : {}) }, data });

describe('object size', () => {
  it('kubectl create of a 1.2 MB ConfigMap is refused with the real message; 900 KB is taken', async () => {
    const dir = tempDir('big');
    await writeFile(join(dir, 'big.txt'), 'x'.repeat(1_200_000));
    await writeFile(join(dir, 'fits.txt'), 'x'.repeat(900_000));
    const big = await sandbox.kubectl(['create', 'configmap', 'big', `--from-file=${join(dir, 'big.txt')}`]);
    assert.notEqual(big.code, 0);
    assert.match(big.stderr, /ConfigMap "big" is invalid: \[\]: Too long: must have at most 1048576 bytes/);
    const fits = await sandbox.kubectl(['create', 'configmap', 'fits', `--from-file=${join(dir, 'fits.txt')}`]);
    assert.equal(fits.code, 0, fits.stderr);
  });

  it('annotations are held to 256 KiB, a stored object to etcd\'s 1.5 MiB, a body to 3 MiB', async () => {
    const annotated = await sandbox.api('POST', CM, { contentType: 'application/json', body: configMap('annotated', {}, { note: 'y'.repeat(300_000) }) });
    assert.equal(annotated.status, 422);
    assert.match((annotated.body as { message: string }).message, /ConfigMap "annotated" is invalid: metadata\.annotations: Too long: must have at most 262144 bytes/);
    // A custom resource has no data limit of its own: etcd's request size holds it.
    const nad = JSON.stringify({ apiVersion: 'k8s.cni.cncf.io/v1', kind: 'NetworkAttachmentDefinition', metadata: { name: 'huge' }, spec: { config: 'z'.repeat(2_000_000) } });
    const stored = await sandbox.api('POST', '/apis/k8s.cni.cncf.io/v1/namespaces/default/network-attachment-definitions', { contentType: 'application/json', body: nad });
    assert.equal(stored.status, 413, stored.text);
    assert.match((stored.body as { message: string }).message, /etcdserver: request is too large/);
    const body = await sandbox.api('POST', CM, { contentType: 'application/json', body: configMap('body', { a: 'q'.repeat(3_200_000) }) });
    assert.equal(body.status, 413);
    assert.match((body.body as { message: string }).message, /Request entity too large: limit is 3145728/);
  });

  it('a body nested deeper than the limit is refused, and the server goes on', async () => {
    const deep = `${'{"d":'.repeat(50_000)}1${'}'.repeat(50_000)}`;
    const r = await sandbox.api('POST', CM, { contentType: 'application/json', body: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"extra":${deep}}` });
    assert.equal(r.status, 400);
    assert.match((r.body as { message: string }).message, new RegExp(`nests deeper than ${LIMITS.nestingDepth} levels`));
    assert.equal((await sandbox.kubectl(['get', 'ns', 'default', '-o', 'name'])).stdout, 'namespace/default\n');
  });
});

describe('per-cluster caps', () => {
  it('a flood of watches hits the cap with 429 and Retry-After; closing them frees it', async () => {
    const open: { destroy(): void }[] = [];
    const watch = () =>
      new Promise<{ status: number; retryAfter: string | undefined; message: string }>((resolve, reject) => {
        const url = new URL(`${sandbox.host.url}/api/v1/namespaces/default/configmaps?watch=true`);
        const req = request(url, { ca: sandbox.host.certificates.caCert, headers: { authorization: `Bearer ${sandbox.handle.token}` } }, (res) => {
          if (res.statusCode === 200) {
            open.push(req);
            resolve({ status: 200, retryAfter: undefined, message: '' });
            return;
          }
          let text = '';
          res.on('data', (c) => (text += c)).on('end', () => resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'] as string | undefined, message: text }));
        });
        req.on('error', (error) => ((error as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(error)));
        req.end();
      });
    const answers = [];
    for (let i = 0; i < LIMITS.clusterWatches + 5; i++) answers.push(await watch());
    assert.equal(answers.filter((a) => a.status === 200).length, LIMITS.clusterWatches);
    const refused = answers.at(-1)!;
    assert.equal(refused.status, 429);
    assert.equal(refused.retryAfter, '1');
    assert.match(refused.message, /"message":"Too many requests, please try again later\.","reason":"TooManyRequests"/);
    for (const req of open) req.destroy();
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal((await watch()).status, 200, 'a closed watch frees its place');
    for (const req of open) req.destroy();
  });

  it('objects beyond the cluster\'s cap are refused as a quota refuses them', async () => {
    const store = sandbox.handle.cluster.store;
    const room = LIMITS.clusterObjects - store.count;
    for (let i = 0; i < room; i++) store.put('/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `filler-${i}`, namespace: 'fill' } });
    const r = await sandbox.kubectl(['create', 'configmap', 'one-too-many', '--from-literal=a=b']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /configmaps "one-too-many" is forbidden: exceeded quota: labpath-sandbox, requested: count\/objects=1, used: count\/objects=5000, limited: count\/objects=5000/);
    for (let i = 0; i < room; i++) store.remove('/configmaps', 'fill', `filler-${i}`);
    assert.equal((await sandbox.kubectl(['create', 'configmap', 'now-fits', '--from-literal=a=b'])).code, 0);
  });
});

describe('label selectors', () => {
  it('an unbalanced or malformed selector is refused with the parser\'s words', async () => {
    const cases: [string, RegExp][] = [
      ['app in (a', /unable to parse requirement: found '', expected: ',' or '\)'/],
      ['app in a)', /unable to parse requirement: found 'a' expected: '\('/],
      ['app=', /^$/],
      ['app==x,', /found '', expected: identifier after ','/],
      ['-bad=x', /unable to parse requirement: <nil>: Invalid value: "-bad": name part must consist of alphanumeric characters/],
      ['a b', /found 'b', expected: in, notin, =, ==, !=, gt, lt/],
      ['tier>x', /for 'Gt', 'Lt' operators, the value must be an integer/],
    ];
    for (const [selector, message] of cases) {
      const r = await sandbox.api('GET', `${CM}?labelSelector=${encodeURIComponent(selector)}`);
      if (message.source === '^$') {
        assert.equal(r.status, 200, `${selector}: ${r.text}`);
        continue;
      }
      assert.equal(r.status, 400, `${selector}: ${r.text}`);
      assert.match((r.body as { message: string }).message, message, selector);
    }
    const kubectl = await sandbox.kubectl(['get', 'pods', '-A', '-l', 'app in (a']);
    assert.match(kubectl.stderr, /unable to parse requirement: found '', expected: ',' or '\)'/);
  });

  it('well-formed selectors, set-based and numeric, still select', async () => {
    await sandbox.kubectl(['create', 'configmap', 'tiered', '--from-literal=a=b']);
    await sandbox.kubectl(['label', 'configmap', 'tiered', 'tier=3', 'role=db']);
    for (const selector of ['role in (db,web)', 'tier>2', 'tier<4,role', 'role,!missing', 'role,role notin (web)', 'role in (,db)']) {
      const r = await sandbox.kubectl(['get', 'configmaps', '-l', selector, '-o', 'name']);
      assert.equal(r.stdout, 'configmap/tiered\n', `${selector}: ${r.stderr}`);
    }
    assert.equal((await sandbox.kubectl(['get', 'configmaps', '-l', 'tier>3', '-o', 'name'])).stdout, '');
  });
});
