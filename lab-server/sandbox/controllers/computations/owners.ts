/** What controllers share: owner references, what an owner owns, readiness, and writing a child's spec. */
import { randomBytes } from 'node:crypto';
import { getPath, isRecord, type KubeObject } from '../../../k8s/object.ts';
import type { ClusterView } from '../../store/cluster-view.ts';
import type { RuleEvent } from '../rule.ts';
import { now } from '../../machinery/object-metadata.ts';

export function ownerRef(owner: KubeObject): Record<string, unknown> {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
}

/** Objects of `resource` in the owner's namespace whose controller is the owner; those being deleted only with `terminating`. */
export function ownedBy(cluster: ClusterView, resource: string, owner: KubeObject, terminating = false): KubeObject[] {
  return cluster.store.list(resource, owner.metadata.namespace).filter((o) => {
    const refs = (o.metadata.ownerReferences as { uid?: string; controller?: boolean }[] | undefined) ?? [];
    return refs.some((r) => r.uid === owner.metadata.uid && r.controller) && (terminating || !o.metadata.deletionTimestamp);
  });
}

export function podReady(pod: KubeObject): boolean {
  return ((getPath(pod, ['status', 'conditions']) as unknown[] | undefined) ?? []).some((c) => getPath(c, ['type']) === 'Ready' && getPath(c, ['status']) === 'True');
}

export function podPhase(pod: KubeObject): string {
  return String(getPath(pod, ['status', 'phase']) ?? 'Pending');
}

/** Five random lowercase letters and digits, as generateName adds (without vowels, so no words). */
export function nameSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...randomBytes(5)].map((b) => alphabet[b % alphabet.length]).join('');
}

/** A pod from a template, owned by `owner`, as a workload controller creates it through the API server. */
export function createPod(cluster: ClusterView, owner: KubeObject, name: string, template: unknown, extra: { labels?: Record<string, string>; annotations?: Record<string, string>; spec?: Record<string, unknown> } = {}): KubeObject {
  const meta = isRecord(getPath(template, ['metadata'])) ? (getPath(template, ['metadata']) as Record<string, unknown>) : {};
  return cluster.createSystemObject({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: owner.metadata.namespace,
      labels: { ...((meta.labels as Record<string, string> | undefined) ?? {}), ...extra.labels },
      ...(meta.annotations || extra.annotations ? { annotations: { ...((meta.annotations as Record<string, string> | undefined) ?? {}), ...extra.annotations } } : {}),
      ownerReferences: [ownerRef(owner)],
    },
    spec: { ...structuredClone((getPath(template, ['spec']) as Record<string, unknown> | undefined) ?? {}), ...extra.spec },
  });
}

/** Marks a pod for graceful deletion, as a controller's DELETE does. */
export function deletePod(cluster: ClusterView, pod: KubeObject): void {
  if (pod.metadata.deletionTimestamp) return;
  const grace = Number(getPath(pod, ['spec', 'terminationGracePeriodSeconds']) ?? 30);
  cluster.store.put('/pods', { ...pod, metadata: { ...pod.metadata, deletionTimestamp: now(), deletionGracePeriodSeconds: grace } });
}

/** Writes a new spec of an object a controller manages, bumping its generation as the API server would. */
export function updateSpec(cluster: ClusterView, resource: string, object: KubeObject, spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): KubeObject {
  const changed = JSON.stringify(spec) !== JSON.stringify(object.spec);
  return cluster.store.put(resource, { ...object, metadata: { ...object.metadata, ...metadata, ...(changed ? { generation: Number(object.metadata.generation ?? 1) + 1 } : {}) }, spec });
}

export const controllerEvent = (source: string) => (type: RuleEvent['type'], reason: string, message: string): RuleEvent => ({ type, reason, message, source });
