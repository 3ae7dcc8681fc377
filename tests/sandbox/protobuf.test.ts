/**
 * Protobuf create bodies as typed Go clients send them. The Namespace body is
 * the one recorded from kubectl (shared/reference/kubectl-traces); the Pod body
 * is encoded here with the field numbers of k8s.io/api core/v1 generated.proto.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, type TestSandbox } from '../helpers/sandbox.ts';

let sandbox: TestSandbox;
before(async () => {
  sandbox = await startSandbox();
});
after(() => sandbox?.close());

const PROTOBUF = 'application/vnd.kubernetes.protobuf';

/** Minimal protobuf writer: tags, varints and length-delimited fields. */
function varint(n: number): Buffer {
  const bytes: number[] = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    bytes.push(byte);
  } while (n > 0);
  return Buffer.from(bytes);
}
const field = (n: number, value: Buffer | string) => {
  const data = Buffer.isBuffer(value) ? value : Buffer.from(value);
  return Buffer.concat([varint((n << 3) | 2), varint(data.length), data]);
};
const number = (n: number, value: number) => Buffer.concat([varint(n << 3), varint(value)]);
const message = (...parts: Buffer[]) => Buffer.concat(parts);

describe('protobuf create bodies', () => {
  it('creates the Namespace kubectl sent in the recorded trace', async () => {
    // From protobuf-create-namespace.hex: kubectl create namespace x1.
    const body = Buffer.from('6b3873000a0f0a02763112094e616d657370616365121a0a120a02783112001a0022002a0032003800420012001a020a001a002200', 'hex');
    const r = await sandbox.api('POST', '/api/v1/namespaces?fieldManager=kubectl-create&fieldValidation=Strict', { contentType: PROTOBUF, body });
    assert.equal(r.status, 201, r.text);
    assert.equal((r.body as { metadata: { name: string } }).metadata.name, 'x1');
  });

  it('creates a Pod with containers, ports and env', async () => {
    const container = message(
      field(1, 'web'),
      field(2, 'nginx:1.27'),
      field(3, 'nginx'),
      field(4, '-g'),
      field(4, 'daemon off;'),
      field(6, message(field(1, 'http'), number(3, 8080), field(4, 'TCP'))),
      field(7, message(field(1, 'MODE'), field(2, 'demo'))),
    );
    const pod = message(field(1, message(field(1, 'typed'), field(11, message(field(1, 'app'), field(2, 'web'))))), field(2, message(field(2, container), field(3, 'Never'))));
    const unknown = message(field(1, message(field(1, 'v1'), field(2, 'Pod'))), field(2, pod));
    const body = Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), unknown]);
    const r = await sandbox.api('POST', '/api/v1/namespaces/default/pods', { contentType: PROTOBUF, body });
    assert.equal(r.status, 201, r.text);
    const created = r.body as { metadata: { name: string; labels: Record<string, string> }; spec: { restartPolicy: string; containers: unknown[] } };
    assert.deepEqual(created.metadata.labels, { app: 'web' });
    assert.equal(created.spec.restartPolicy, 'Never');
    assert.deepEqual(created.spec.containers[0], {
      name: 'web', image: 'nginx:1.27', command: ['nginx'], args: ['-g', 'daemon off;'], ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }], env: [{ name: 'MODE', value: 'demo' }],
      // The API server's defaults.
      imagePullPolicy: 'IfNotPresent', resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
    });
  });

  it('refuses kinds it cannot decode, saying to send JSON', async () => {
    const unknown = message(field(1, message(field(1, 'v1'), field(2, 'LimitRange'))), field(2, Buffer.alloc(0)));
    const r = await sandbox.api('POST', '/api/v1/namespaces/default/limitranges', { contentType: PROTOBUF, body: Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), unknown]) });
    assert.equal(r.status, 400);
    assert.match((r.body as { message: string }).message, /accepted for the kinds kubectl creates with typed clients \(.*apps\/v1\/Deployment.*\), not v1\/LimitRange; send JSON instead/);
  });
});
