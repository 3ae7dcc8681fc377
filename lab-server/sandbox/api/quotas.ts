/**
 * The limits a real cluster enforces on what it stores, and the sandbox's own
 * per-cluster caps, so that one learner's cluster cannot take the lab's
 * memory: as data here, enforced on the API's writes and watches with the
 * answers a real API server gives.
 */
import type { KubeObject } from '../../k8s/object.ts';
import type { Cluster } from '../cluster.ts';
import type { ResourceType } from '../resource-types/types.ts';
import { resourceKey } from '../store/object-store.ts';
import { ApiError, errors, type StatusCause } from '../machinery/status.ts';

export const LIMITS = {
  /** ConfigMap and Secret data (core.MaxSecretSize). */
  configDataBytes: 1024 * 1024,
  /** All annotations of an object together (TotalAnnotationSizeLimitB). */
  annotationBytes: 256 * 1024,
  /** What etcd takes in one request (--max-request-bytes, 1.5 MiB by default). */
  storedObjectBytes: 1.5 * 1024 * 1024,
  /** How deeply a request body may nest. Kubernetes' decoder allows 10000; no manifest comes near 100. */
  nestingDepth: 100,
  /** Per sandbox cluster: objects, their bytes, and watches open at once. */
  clusterObjects: 5000,
  clusterBytes: 64 * 1024 * 1024,
  clusterWatches: 100,
} as const;

/** What metadata and data size rules say of an object, as 422 causes. */
export function sizeCauses(type: ResourceType, object: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const annotations = object.metadata.annotations ?? {};
  const annotationBytes = Object.entries(annotations).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(String(v)), 0);
  if (annotationBytes > LIMITS.annotationBytes) causes.push(tooLong('metadata.annotations', LIMITS.annotationBytes));
  if (type.group === '' && (type.kind === 'ConfigMap' || type.kind === 'Secret')) {
    let bytes = 0;
    for (const field of ['data', 'binaryData', 'stringData'] as const) {
      const map = (object as Record<string, unknown>)[field];
      if (!map || typeof map !== 'object') continue;
      for (const [key, value] of Object.entries(map as Record<string, unknown>)) {
        // binaryData and a Secret's data are base64: their stored size is what they decode to.
        const decoded = field === 'binaryData' || (type.kind === 'Secret' && field === 'data');
        bytes += Buffer.byteLength(key) + (decoded ? Buffer.from(String(value), 'base64').length : Buffer.byteLength(String(value)));
      }
    }
    if (bytes > LIMITS.configDataBytes) causes.push(tooLong('[]', LIMITS.configDataBytes));
  }
  return causes;
}

function tooLong(field: string, bytes: number): StatusCause {
  return { reason: 'FieldValueTooLong', message: `Too long: must have at most ${bytes} bytes`, field };
}

/** Refuses a body that nests deeper than the limit; walked without recursion, so a hostile body cannot exhaust the stack. */
export function checkDepth(value: unknown): void {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth > LIMITS.nestingDepth) throw errors.badRequest(`the request body nests deeper than ${LIMITS.nestingDepth} levels (json: exceeded max depth)`);
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
}

/**
 * Admits a write of `object` (replacing `previous`, if any) into the
 * cluster: etcd's request size, then the cluster's object and byte caps,
 * refused as a ResourceQuota would refuse it.
 */
export function admitWrite(cluster: Cluster, type: ResourceType, object: KubeObject, previous: KubeObject | undefined): void {
  const bytes = Buffer.byteLength(JSON.stringify(object));
  if (bytes > LIMITS.storedObjectBytes) throw new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'etcdserver: request is too large', reason: 'RequestEntityTooLarge', code: 413 });
  const store = cluster.store;
  const name = `${type.plural}${type.group ? `.${type.group}` : ''} "${object.metadata.name}"`;
  if (!previous && store.count >= LIMITS.clusterObjects)
    throw errors.forbidden(`${name} is forbidden: exceeded quota: labpath-sandbox, requested: count/objects=1, used: count/objects=${store.count}, limited: count/objects=${LIMITS.clusterObjects}`, type, object.metadata.name);
  // The store knows what the object it replaces takes; it is not serialized again.
  const grows = bytes - (previous ? store.sizeOf(resourceKey(type), previous.metadata.namespace, previous.metadata.name) : 0);
  if (grows > 0 && store.bytes + grows > LIMITS.clusterBytes)
    throw errors.forbidden(`${name} is forbidden: exceeded quota: labpath-sandbox, requested: storage=${grows}, used: storage=${store.bytes}, limited: storage=${LIMITS.clusterBytes}`, type, object.metadata.name);
}

/** Counts a watch against the cluster's cap for as long as it is open; 429 as the API server's max-in-flight filter answers. */
export function admitWatch(cluster: Cluster): () => void {
  if (cluster.openWatches >= LIMITS.clusterWatches) throw errors.tooManyRequests();
  cluster.openWatches++;
  let done = false;
  return () => {
    if (!done) cluster.openWatches--;
    done = true;
  };
}
