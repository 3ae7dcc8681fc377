/**
 * The scale subresource of Deployments, ReplicaSets and StatefulSets
 * (autoscaling/v1 Scale): read it, or write its spec.replicas (PUT, or any
 * patch kubectl scale sends) into the owner's spec.
 */
import type { KubeObject } from '../../k8s/object.ts';
import { getPath } from '../../k8s/object.ts';
import { describeSelector, toLabelSelector } from '../../k8s/label-selector.ts';
import { applyJsonPatch, applyMergePatch } from '../machinery/patch.ts';
import { errors } from '../machinery/status.ts';
import { getObject, updateObject, type ResourceRequest } from './resource-handlers.ts';

export function scaleOf(object: KubeObject): KubeObject {
  const selector = toLabelSelector(getPath(object, ['spec', 'selector']));
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: { name: object.metadata.name, namespace: object.metadata.namespace, uid: object.metadata.uid, resourceVersion: object.metadata.resourceVersion, creationTimestamp: object.metadata.creationTimestamp },
    spec: { replicas: getPath(object, ['spec', 'replicas']) ?? 1 },
    status: { replicas: getPath(object, ['status', 'replicas']) ?? 0, ...(selector.ok ? { selector: describeSelector(selector.selector) } : {}) },
  };
}

export function getScale(req: ResourceRequest): KubeObject {
  return scaleOf(getObject(req));
}

/** A new Scale (whole, or the current one patched) sets the owner's spec.replicas. */
export function writeScale(req: ResourceRequest, scale: unknown, patchType?: string): KubeObject {
  const current = getObject(req);
  const next = patchType === undefined ? scale : patchType === 'application/json-patch+json' ? applyJsonPatch(scaleOf(current), scale) : applyMergePatch(scaleOf(current), scale);
  const wanted = getPath(next, ['spec', 'replicas']);
  if (typeof wanted !== 'number' || !Number.isInteger(wanted) || wanted < 0)
    throw errors.invalid({ group: 'autoscaling', kind: 'Scale', plural: 'scale' }, current.metadata.name, [{ reason: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(wanted ?? null)}: must be greater than or equal to 0` }]);
  const { subresource: _subresource, ...owner } = req;
  const updated = updateObject(owner, { ...current, spec: { ...(current.spec as object), replicas: wanted } });
  return scaleOf(updated);
}
