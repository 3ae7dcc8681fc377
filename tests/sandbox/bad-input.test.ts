/**
 * Malformed requests get the Status a real API server returns and a message a
 * learner can act on; a fuzz run of generated bad requests leaves the server
 * serving and every object as it was.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, type ApiResponse, type TestSandbox } from '../helpers/sandbox.ts';

let sandbox: TestSandbox;
before(async () => {
  sandbox = await startSandbox();
  const r = await sandbox.kubectl(['create', 'configmap', 'keep', '--from-literal=a=b']);
  assert.equal(r.code, 0, r.stderr);
});
after(() => sandbox?.close());

function assertStatus(r: ApiResponse, code: number, reason: string, message?: RegExp): void {
  assert.equal(r.status, code, r.text);
  const body = r.body as { kind: string; status: string; reason: string; code: number; message: string };
  assert.deepEqual([body.kind, body.status, body.reason, body.code], ['Status', 'Failure', reason, code], r.text);
  if (message) assert.match(body.message, message);
}

const CM = '/api/v1/namespaces/default/configmaps';
const json = (value: unknown) => ({ contentType: 'application/json', body: JSON.stringify(value) });

describe('bad input classes', () => {
  it('400 for bodies that are not JSON or YAML', async () => {
    assertStatus(await sandbox.api('POST', CM, { contentType: 'application/json', body: '{"apiVersion": "v1", ' }), 400, 'BadRequest', /cannot unmarshal|JSON/);
    assertStatus(await sandbox.api('PATCH', `${CM}/keep`, { contentType: 'application/apply-patch+yaml', body: 'data: [unclosed' }), 400, 'BadRequest', /YAML/);
    assertStatus(await sandbox.api('POST', CM, { contentType: 'application/json', body: '[1,2]' }), 400, 'BadRequest', /must be a JSON or YAML object/);
  });

  it('400 for unknown fields under Strict, with the real message', async () => {
    const r = await sandbox.api('POST', `${CM}?fieldValidation=Strict`, json({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, dta: {} }));
    assertStatus(r, 400, 'BadRequest', /^ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "dta"$/);
  });

  it('422 with field causes for invalid values', async () => {
    const pod = await sandbox.api('POST', '/api/v1/namespaces/default/pods', json({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c' }] } }));
    assertStatus(pod, 422, 'Invalid', /^Pod "p" is invalid: spec\.containers\[0\]\.image: Required value$/);
    assert.deepEqual((pod.body as { details: { causes: unknown[] } }).details.causes, [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].image' }]);
    assertStatus(await sandbox.api('POST', CM, json({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Not_Valid' } })), 422, 'Invalid', /metadata\.name: Invalid value: "Not_Valid": a lowercase RFC 1123 subdomain/);
    const created = await sandbox.api('POST', '/api/v1/namespaces/default/pods', json({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'fixed' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }));
    assert.equal(created.status, 201);
    const change = await sandbox.api('PATCH', '/api/v1/namespaces/default/pods/fixed', { contentType: 'application/merge-patch+json', body: '{"spec":{"nodeName":"worker-1"}}' });
    assertStatus(change, 422, 'Invalid', /spec: Forbidden: pod updates may not change fields other than/);
  });

  it('409 for a stale resourceVersion and for a name that exists', async () => {
    const current = (await sandbox.api('GET', `${CM}/keep`)).body as { metadata: { resourceVersion: string } };
    const stale = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keep', resourceVersion: String(Number(current.metadata.resourceVersion) - 1) }, data: { a: 'z' } };
    assertStatus(await sandbox.api('PUT', `${CM}/keep`, json(stale)), 409, 'Conflict', /Operation cannot be fulfilled on configmaps "keep": the object has been modified; please apply your changes to the latest version and try again/);
    assertStatus(await sandbox.api('POST', CM, json({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keep' } })), 409, 'AlreadyExists', /configmaps "keep" already exists/);
  });

  it('413 for bodies over 3 MiB', async () => {
    const big = json({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { blob: 'x'.repeat(3 * 1024 * 1024 + 10) } });
    assertStatus(await sandbox.api('POST', CM, big), 413, 'RequestEntityTooLarge', /limit is 3145728/);
  });

  it('404 for unknown resources and paths, 405 for wrong verbs, 415 for wrong patch types', async () => {
    assertStatus(await sandbox.api('GET', '/api/v1/namespaces/default/widgets'), 404, 'NotFound', /could not find the requested resource/);
    assertStatus(await sandbox.api('GET', '/apis/example.com/v1/things'), 404, 'NotFound');
    assertStatus(await sandbox.api('GET', `${CM}/nope`), 404, 'NotFound', /configmaps "nope" not found/);
    assertStatus(await sandbox.api('DELETE', '/api/v1/namespaces'), 405, 'MethodNotAllowed');
    assertStatus(await sandbox.api('POST', `${CM}/keep`, json({})), 405, 'MethodNotAllowed');
    assertStatus(await sandbox.api('PATCH', `${CM}/keep`, { contentType: 'text/plain', body: 'x' }), 415, 'UnsupportedMediaType', /accepted media types include/);
  });

  it('401 without a valid token', async () => {
    assertStatus(await sandbox.api('GET', CM, { token: 'forged' }), 401, 'Unauthorized');
  });
});

/** A small deterministic PRNG, so a failure names a reproducible case. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('fuzz', () => {
  it('answers 240 generated bad requests with 4xx Status bodies and stays intact', async () => {
    const before = JSON.stringify(sandbox.handle.cluster.store.list('/configmaps', 'default'));
    const namespacesBefore = sandbox.handle.cluster.store.list('/namespaces').map((n) => n.metadata.name);
    const next = random(20261126);
    const pick = <T>(list: T[]): T => list[Math.floor(next() * list.length)]!;
    const nested = (depth: number): unknown => (depth === 0 ? 'x' : { a: nested(depth - 1) });
    const paths = [CM, `${CM}/keep`, `${CM}/keep/status`, '/api/v1/namespaces/default/pods/keep/exec', '/api/v1/namespaces/%2e%2e/configmaps', '/api/v1/namespaces/default/configmaps/' + 'n'.repeat(300), '/apis/kubevirt.io/v1/namespaces/default/virtualmachines/keep', '/api/v1/nodes/worker-0', '/apis/nmstate.io/v1/nodenetworkconfigurationpolicies', '/api/v2/pods', '/apis//v1/x', '/api/v1/namespaces/default/pods/keep/log?tailLines=-4'];
    const bodies: { contentType: string; body: string | Buffer }[] = [
      { contentType: 'application/json', body: '{' },
      { contentType: 'application/json', body: 'null' },
      { contentType: 'application/json', body: '"string"' },
      { contentType: 'application/json', body: JSON.stringify({ apiVersion: 'v2', kind: 'ConfigMap', metadata: { name: 'keep' } }) },
      { contentType: 'application/json', body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'keep' } }) },
      { contentType: 'application/json', body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keep', namespace: 'other' } }) },
      { contentType: 'application/json', body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: 'not-an-object' }) },
      { contentType: 'application/json', body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keep' }, data: nested(400) }) },
      { contentType: 'application/json-patch+json', body: '[{"op":"explode","path":"/data"}]' },
      { contentType: 'application/json-patch+json', body: '[{"op":"replace","path":"/no/such/path","value":1}]' },
      { contentType: 'application/json-patch+json', body: '[{"op":"test","path":"/data/a","value":"nope"}]' },
      { contentType: 'application/json-patch+json', body: '{"op":"add"}' },
      { contentType: 'application/merge-patch+json', body: '{"metadata":{"name":"renamed"}}' },
      { contentType: 'application/strategic-merge-patch+json', body: '{"metadata":{"resourceVersion":"1"}}' },
      { contentType: 'application/apply-patch+yaml', body: 'a: &a [*a, *a]\nb: *a\n' },
      { contentType: 'application/vnd.kubernetes.protobuf', body: Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]) },
      { contentType: 'application/vnd.kubernetes.protobuf', body: Buffer.from('not protobuf at all') },
      { contentType: 'application/yaml', body: '\t- : :' },
      { contentType: 'text/html', body: '<html>' },
    ];
    const methods = ['POST', 'PUT', 'PATCH', 'DELETE', 'GET'];
    let sent = 0;
    for (let i = 0; i < 240; i++) {
      const method = pick(methods);
      const path = pick(paths);
      const body = pick(bodies);
      const withFieldValidation = next() < 0.5 ? `${path.includes('?') ? '&' : '?'}fieldValidation=Strict` : '';
      // A DELETE carries a body that is not valid DeleteOptions, so no delete can succeed.
      const deleteBody = pick(bodies.filter((b) => !/^\{"(op|metadata)"|^\[\{/.test(String(b.body)) && !String(b.body).includes('"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"keep"}}')));
      const r = await sandbox.api(method, `${path}${withFieldValidation}`, method === 'GET' ? {} : method === 'DELETE' ? deleteBody : body);
      sent++;
      const context = `case ${i}: ${method} ${path} ${body.contentType}`;
      assert.ok(r.status < 500, `${context} got ${r.status}: ${r.text.slice(0, 300)}`);
      if (method !== 'GET') assert.ok(r.status >= 400, `${context} was accepted (${r.status}) though every generated write is invalid: ${r.text.slice(0, 300)}`);
      if (r.status >= 400) {
        assert.ok(r.body, `${context} answered ${r.status} without a Status body: ${r.text.slice(0, 200)}`);
        const status = r.body as { kind?: string; code?: number; message?: string };
        assert.equal(status.kind, 'Status', `${context}: ${r.text.slice(0, 200)}`);
        assert.equal(status.code, r.status, context);
        assert.ok((status.message ?? '').length > 0, context);
      }
    }
    assert.equal(sent, 240);
    // Still serving, and nothing the fuzz touched has changed.
    assert.equal((await sandbox.api('GET', '/api/v1/namespaces')).status, 200);
    const after = sandbox.handle.cluster.store.list('/configmaps', 'default');
    assert.equal(JSON.stringify(after), before);
    assert.deepEqual(sandbox.handle.cluster.store.list('/namespaces').map((n) => n.metadata.name), namespacesBefore);
  });
});
