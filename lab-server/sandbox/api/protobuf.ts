/**
 * Decodes the protobuf bodies typed clients send (`kubectl create namespace`,
 * `create configmap`, `create secret`): the `k8s\0` magic, a runtime.Unknown
 * envelope, then the object. Field numbers come from the Kubernetes
 * generated.proto files, written here as data; unknown fields are skipped.
 */
type FieldSpec =
  /** int drops zeros (the non-pointer fields JSON omits when empty); count keeps them (replicas: 0 means 0). */
  | { name: string; type: 'string' | 'bytes' | 'bool' | 'int' | 'count' | 'time' | 'int-or-string' }
  | { name: string; type: 'message' | 'repeated-message'; message: MessageSpec }
  | { name: string; type: 'repeated-string' }
  | { name: string; type: 'map-string' | 'map-bytes' };
type MessageSpec = Record<number, FieldSpec>;

const OBJECT_META: MessageSpec = {
  1: { name: 'name', type: 'string' },
  2: { name: 'generateName', type: 'string' },
  3: { name: 'namespace', type: 'string' },
  5: { name: 'uid', type: 'string' },
  6: { name: 'resourceVersion', type: 'string' },
  7: { name: 'generation', type: 'int' },
  11: { name: 'labels', type: 'map-string' },
  12: { name: 'annotations', type: 'map-string' },
  14: { name: 'finalizers', type: 'repeated-string' },
};
// k8s.io/api/core/v1/generated.proto: the Pod fields a typed client sends on create.
const CONTAINER_PORT: MessageSpec = {
  1: { name: 'name', type: 'string' },
  2: { name: 'hostPort', type: 'int' },
  3: { name: 'containerPort', type: 'int' },
  4: { name: 'protocol', type: 'string' },
  5: { name: 'hostIP', type: 'string' },
};
const ENV_VAR: MessageSpec = { 1: { name: 'name', type: 'string' }, 2: { name: 'value', type: 'string' } };
const CONTAINER: MessageSpec = {
  1: { name: 'name', type: 'string' },
  2: { name: 'image', type: 'string' },
  3: { name: 'command', type: 'repeated-string' },
  4: { name: 'args', type: 'repeated-string' },
  5: { name: 'workingDir', type: 'string' },
  6: { name: 'ports', type: 'repeated-message', message: CONTAINER_PORT },
  7: { name: 'env', type: 'repeated-message', message: ENV_VAR },
  13: { name: 'terminationMessagePath', type: 'string' },
  14: { name: 'imagePullPolicy', type: 'string' },
  16: { name: 'stdin', type: 'bool' },
  17: { name: 'stdinOnce', type: 'bool' },
  18: { name: 'tty', type: 'bool' },
  20: { name: 'terminationMessagePolicy', type: 'string' },
};
const POD_SPEC: MessageSpec = {
  2: { name: 'containers', type: 'repeated-message', message: CONTAINER },
  3: { name: 'restartPolicy', type: 'string' },
  4: { name: 'terminationGracePeriodSeconds', type: 'int' },
  5: { name: 'activeDeadlineSeconds', type: 'int' },
  6: { name: 'dnsPolicy', type: 'string' },
  7: { name: 'nodeSelector', type: 'map-string' },
  8: { name: 'serviceAccountName', type: 'string' },
  10: { name: 'nodeName', type: 'string' },
  11: { name: 'hostNetwork', type: 'bool' },
  16: { name: 'hostname', type: 'string' },
  17: { name: 'subdomain', type: 'string' },
  19: { name: 'schedulerName', type: 'string' },
  20: { name: 'initContainers', type: 'repeated-message', message: CONTAINER },
  21: { name: 'automountServiceAccountToken', type: 'bool' },
  24: { name: 'priorityClassName', type: 'string' },
  30: { name: 'enableServiceLinks', type: 'bool' },
};

const LABEL_SELECTOR: MessageSpec = {
  1: { name: 'matchLabels', type: 'map-string' },
  2: { name: 'matchExpressions', type: 'repeated-message', message: { 1: { name: 'key', type: 'string' }, 2: { name: 'operator', type: 'string' }, 3: { name: 'values', type: 'repeated-string' } } },
};
const POD_TEMPLATE: MessageSpec = { 1: { name: 'metadata', type: 'message', message: OBJECT_META }, 2: { name: 'spec', type: 'message', message: POD_SPEC } };
// k8s.io/api/batch/v1/generated.proto (the fields kubectl create job and create cronjob send)
const JOB_SPEC: MessageSpec = {
  1: { name: 'parallelism', type: 'count' },
  2: { name: 'completions', type: 'count' },
  3: { name: 'activeDeadlineSeconds', type: 'int' },
  4: { name: 'selector', type: 'message', message: LABEL_SELECTOR },
  5: { name: 'manualSelector', type: 'bool' },
  6: { name: 'template', type: 'message', message: POD_TEMPLATE },
  7: { name: 'backoffLimit', type: 'count' },
  8: { name: 'ttlSecondsAfterFinished', type: 'count' },
  9: { name: 'completionMode', type: 'string' },
  10: { name: 'suspend', type: 'bool' },
};
// k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto: DeleteOptions, as kubectl drain and delete send them.
const DELETE_OPTIONS: MessageSpec = {
  1: { name: 'gracePeriodSeconds', type: 'int' },
  2: { name: 'preconditions', type: 'message', message: { 1: { name: 'uid', type: 'string' }, 2: { name: 'resourceVersion', type: 'string' } } },
  3: { name: 'orphanDependents', type: 'bool' },
  4: { name: 'propagationPolicy', type: 'string' },
  5: { name: 'dryRun', type: 'repeated-string' },
  6: { name: 'ignoreStoreReadErrorWithClusterBreakingPotential', type: 'bool' },
};
const KINDS: Record<string, MessageSpec> = {
  'v1/DeleteOptions': DELETE_OPTIONS,
  'meta.k8s.io/v1/DeleteOptions': DELETE_OPTIONS,
  // k8s.io/api/apps/v1/generated.proto (kubectl create deployment)
  'apps/v1/Deployment': {
    1: { name: 'metadata', type: 'message', message: OBJECT_META },
    2: {
      name: 'spec',
      type: 'message',
      message: {
        1: { name: 'replicas', type: 'count' },
        2: { name: 'selector', type: 'message', message: LABEL_SELECTOR },
        3: { name: 'template', type: 'message', message: POD_TEMPLATE },
        4: { name: 'strategy', type: 'message', message: { 1: { name: 'type', type: 'string' }, 2: { name: 'rollingUpdate', type: 'message', message: { 1: { name: 'maxUnavailable', type: 'int-or-string' }, 2: { name: 'maxSurge', type: 'int-or-string' } } } } },
        5: { name: 'minReadySeconds', type: 'int' },
        6: { name: 'revisionHistoryLimit', type: 'count' },
        7: { name: 'paused', type: 'bool' },
        9: { name: 'progressDeadlineSeconds', type: 'count' },
      },
    },
  },
  'batch/v1/Job': { 1: { name: 'metadata', type: 'message', message: OBJECT_META }, 2: { name: 'spec', type: 'message', message: JOB_SPEC } },
  'batch/v1/CronJob': {
    1: { name: 'metadata', type: 'message', message: OBJECT_META },
    2: {
      name: 'spec',
      type: 'message',
      message: {
        1: { name: 'schedule', type: 'string' },
        2: { name: 'startingDeadlineSeconds', type: 'int' },
        3: { name: 'concurrencyPolicy', type: 'string' },
        4: { name: 'suspend', type: 'bool' },
        5: { name: 'jobTemplate', type: 'message', message: { 1: { name: 'metadata', type: 'message', message: OBJECT_META }, 2: { name: 'spec', type: 'message', message: JOB_SPEC } } },
        6: { name: 'successfulJobsHistoryLimit', type: 'count' },
        7: { name: 'failedJobsHistoryLimit', type: 'count' },
        8: { name: 'timeZone', type: 'string' },
      },
    },
  },
  // k8s.io/api/core/v1/generated.proto (kubectl create service, expose)
  'v1/Service': {
    1: { name: 'metadata', type: 'message', message: OBJECT_META },
    2: {
      name: 'spec',
      type: 'message',
      message: {
        1: { name: 'ports', type: 'repeated-message', message: { 1: { name: 'name', type: 'string' }, 2: { name: 'protocol', type: 'string' }, 3: { name: 'port', type: 'int' }, 4: { name: 'targetPort', type: 'int-or-string' }, 5: { name: 'nodePort', type: 'int' }, 6: { name: 'appProtocol', type: 'string' } } },
        2: { name: 'selector', type: 'map-string' },
        3: { name: 'clusterIP', type: 'string' },
        4: { name: 'type', type: 'string' },
        5: { name: 'externalIPs', type: 'repeated-string' },
        7: { name: 'sessionAffinity', type: 'string' },
        10: { name: 'externalName', type: 'string' },
        18: { name: 'clusterIPs', type: 'repeated-string' },
      },
    },
  },
  'v1/ServiceAccount': { 1: { name: 'metadata', type: 'message', message: OBJECT_META }, 4: { name: 'automountServiceAccountToken', type: 'bool' } },
  'policy/v1/PodDisruptionBudget': {
    1: { name: 'metadata', type: 'message', message: OBJECT_META },
    2: { name: 'spec', type: 'message', message: { 1: { name: 'minAvailable', type: 'int-or-string' }, 2: { name: 'selector', type: 'message', message: LABEL_SELECTOR }, 3: { name: 'maxUnavailable', type: 'int-or-string' }, 4: { name: 'unhealthyPodEvictionPolicy', type: 'string' } } },
  },
  // k8s.io/api/authentication/v1/generated.proto (kubectl create token)
  'authentication.k8s.io/v1/TokenRequest': {
    1: { name: 'metadata', type: 'message', message: OBJECT_META },
    2: { name: 'spec', type: 'message', message: { 1: { name: 'audiences', type: 'repeated-string' }, 3: { name: 'boundObjectRef', type: 'message', message: { 1: { name: 'kind', type: 'string' }, 2: { name: 'apiVersion', type: 'string' }, 3: { name: 'name', type: 'string' }, 4: { name: 'uid', type: 'string' } } }, 4: { name: 'expirationSeconds', type: 'int' } } },
  },
  // k8s.io/api/authorization/v1 and authentication/v1 generated.proto (kubectl auth can-i, whoami)
  'authorization.k8s.io/v1/SelfSubjectAccessReview': {
    1: { name: 'metadata', type: 'message', message: OBJECT_META },
    2: {
      name: 'spec',
      type: 'message',
      message: {
        1: { name: 'resourceAttributes', type: 'message', message: { 1: { name: 'namespace', type: 'string' }, 2: { name: 'verb', type: 'string' }, 3: { name: 'group', type: 'string' }, 4: { name: 'version', type: 'string' }, 5: { name: 'resource', type: 'string' }, 6: { name: 'subresource', type: 'string' }, 7: { name: 'name', type: 'string' } } },
        2: { name: 'nonResourceAttributes', type: 'message', message: { 1: { name: 'path', type: 'string' }, 2: { name: 'verb', type: 'string' } } },
      },
    },
  },
  'authorization.k8s.io/v1/SelfSubjectRulesReview': { 1: { name: 'metadata', type: 'message', message: OBJECT_META }, 2: { name: 'spec', type: 'message', message: { 1: { name: 'namespace', type: 'string' } } } },
  'authentication.k8s.io/v1/SelfSubjectReview': { 1: { name: 'metadata', type: 'message', message: OBJECT_META } },
  // k8s.io/api/policy/v1/generated.proto
  'policy/v1/Eviction': {
    1: { name: 'metadata', type: 'message', message: OBJECT_META },
    2: { name: 'deleteOptions', type: 'message', message: DELETE_OPTIONS },
  },
  'v1/Pod': {
    1: { name: 'metadata', type: 'message', message: OBJECT_META },
    2: { name: 'spec', type: 'message', message: POD_SPEC },
  },
  'v1/Namespace': {
    1: { name: 'metadata', type: 'message', message: OBJECT_META },
    2: { name: 'spec', type: 'message', message: { 1: { name: 'finalizers', type: 'repeated-string' } } },
  },
  'v1/ConfigMap': {
    1: { name: 'metadata', type: 'message', message: OBJECT_META },
    2: { name: 'data', type: 'map-string' },
    3: { name: 'binaryData', type: 'map-bytes' },
    4: { name: 'immutable', type: 'bool' },
  },
  'v1/Secret': {
    1: { name: 'metadata', type: 'message', message: OBJECT_META },
    2: { name: 'data', type: 'map-bytes' },
    3: { name: 'type', type: 'string' },
    4: { name: 'stringData', type: 'map-string' },
    5: { name: 'immutable', type: 'bool' },
  },
};
const UNKNOWN: MessageSpec = {
  1: { name: 'typeMeta', type: 'message', message: { 1: { name: 'apiVersion', type: 'string' }, 2: { name: 'kind', type: 'string' } } },
  2: { name: 'raw', type: 'bytes' },
};

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

export class ProtobufError extends Error {}

export function decodeKubernetesProtobuf(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw new ProtobufError('the body does not start with the Kubernetes protobuf magic "k8s\\0"');
  const envelope = decodeMessage(body.subarray(4), UNKNOWN);
  const typeMeta = (envelope.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const key = `${typeMeta.apiVersion}/${typeMeta.kind}`;
  const spec = KINDS[key];
  if (!spec) throw new ProtobufError(`protobuf bodies are accepted for the kinds kubectl creates with typed clients (${Object.keys(KINDS).join(', ')}), not ${key}; send JSON instead`);
  const raw = envelope.raw instanceof Buffer ? envelope.raw : Buffer.alloc(0);
  return { apiVersion: typeMeta.apiVersion, kind: typeMeta.kind, ...decodeMessage(raw, spec) };
}

function decodeMessage(buffer: Buffer, spec: MessageSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const reader = new Reader(buffer);
  while (!reader.done) {
    const tag = reader.varint();
    const field = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    const fieldSpec = spec[field];
    if (wire === 0) {
      const value = reader.varint();
      if (fieldSpec?.type === 'bool') out[fieldSpec.name] = value !== 0n;
      else if (fieldSpec?.type === 'int' && value !== 0n) out[fieldSpec.name] = Number(value);
      else if (fieldSpec?.type === 'count') out[fieldSpec.name] = Number(value);
    } else if (wire === 2) {
      const bytes = reader.bytes();
      if (!fieldSpec) continue;
      switch (fieldSpec.type) {
        case 'string':
          if (bytes.length > 0) out[fieldSpec.name] = bytes.toString('utf8');
          break;
        case 'bytes':
          out[fieldSpec.name] = bytes;
          break;
        case 'int-or-string': {
          // k8s.io/apimachinery/pkg/util/intstr: type 0 is an int (intVal), 1 a string (strVal).
          const value = decodeMessage(bytes, { 1: { name: 'type', type: 'int' }, 2: { name: 'intVal', type: 'count' }, 3: { name: 'strVal', type: 'string' } });
          out[fieldSpec.name] = value.type === 1 ? (value.strVal ?? '') : (value.intVal ?? 0);
          break;
        }
        case 'message': {
          const value = decodeMessage(bytes, fieldSpec.message);
          if (Object.keys(value).length > 0) out[fieldSpec.name] = value;
          break;
        }
        case 'repeated-message':
          out[fieldSpec.name] = [...((out[fieldSpec.name] as unknown[] | undefined) ?? []), decodeMessage(bytes, fieldSpec.message)];
          break;
        case 'repeated-string':
          out[fieldSpec.name] = [...((out[fieldSpec.name] as string[] | undefined) ?? []), bytes.toString('utf8')];
          break;
        case 'map-string':
        case 'map-bytes': {
          const entry = decodeMessage(bytes, { 1: { name: 'key', type: 'string' }, 2: { name: 'value', type: fieldSpec.type === 'map-bytes' ? 'bytes' : 'string' } });
          const map = (out[fieldSpec.name] as Record<string, unknown> | undefined) ?? {};
          const value = entry.value ?? (fieldSpec.type === 'map-bytes' ? Buffer.alloc(0) : '');
          // Secret and ConfigMap binary data travel as base64 in JSON.
          map[String(entry.key ?? '')] = value instanceof Buffer ? value.toString('base64') : value;
          out[fieldSpec.name] = map;
          break;
        }
        default:
          break;
      }
    } else if (wire === 1) reader.skip(8);
    else if (wire === 5) reader.skip(4);
    else throw new ProtobufError(`unsupported protobuf wire type ${wire}`);
  }
  return out;
}

class Reader {
  private offset = 0;
  private readonly buffer: Buffer;
  constructor(buffer: Buffer) {
    this.buffer = buffer;
  }
  get done(): boolean {
    return this.offset >= this.buffer.length;
  }
  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.offset >= this.buffer.length) throw new ProtobufError('truncated protobuf varint');
      const byte = this.buffer[this.offset++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
    }
    throw new ProtobufError('protobuf varint too long');
  }
  bytes(): Buffer {
    const length = Number(this.varint());
    if (this.offset + length > this.buffer.length) throw new ProtobufError('truncated protobuf field');
    const out = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }
  skip(n: number): void {
    if (this.offset + n > this.buffer.length) throw new ProtobufError('truncated protobuf field');
    this.offset += n;
  }
}
