/**
 * Field validation the real API server does before storing, reported as 422
 * Invalid with a cause per field, as kubectl prints them.
 */
import { getPath, isRecord, type KubeObject } from '../../k8s/object.ts';
import type { ResourceType } from '../resource-types/types.ts';
import { errors, type StatusCause } from '../machinery/status.ts';
import { nameCauses } from '../machinery/object-metadata.ts';
import { sizeCauses } from './quotas.ts';

const required = (field: string): StatusCause => ({ reason: 'FieldValueRequired', message: 'Required value', field });

/** Pod spec fields that may change after creation; everything else is immutable. */
const MUTABLE_POD_SPEC = new Set(['activeDeadlineSeconds', 'tolerations', 'terminationGracePeriodSeconds', 'schedulingGates']);

export function validateObject(type: ResourceType, object: KubeObject, previous?: KubeObject, subresource?: string): void {
  const causes: StatusCause[] = [];
  if (type.kind === 'Pod') causes.push(...(subresource === 'ephemeralcontainers' && previous ? ephemeralContainerCauses(object, previous) : podCauses(object, previous)));
  if (type.kind === 'ConfigMap' || type.kind === 'Secret') {
    for (const field of ['data', 'binaryData', 'stringData']) {
      const map = getPath(object, [field]);
      if (map !== undefined && !isRecord(map)) causes.push({ reason: 'FieldValueInvalid', message: 'Invalid value: must be a map of keys to values', field });
      for (const k of Object.keys(isRecord(map) ? map : {}))
        if (!/^[-._a-zA-Z0-9]+$/.test(k)) causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: "${k}": a valid config key must consist of alphanumeric characters, '-', '_' or '.'`, field: `${field}[${k}]` });
    }
  }
  causes.push(...sizeCauses(type, object));
  if (causes.length > 0) throw errors.invalid(type, object.metadata.name, causes);
}

function podCauses(pod: KubeObject, previous?: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const containers = getPath(pod, ['spec', 'containers']);
  if (!Array.isArray(containers) || containers.length === 0) causes.push(required('spec.containers'));
  const seen = new Set<string>();
  (Array.isArray(containers) ? containers : []).forEach((c, i) => {
    const name = getPath(c, ['name']);
    if (typeof name !== 'string' || name === '') causes.push(required(`spec.containers[${i}].name`));
    else {
      causes.push(...nameCauses({ kind: 'Service' } as ResourceType, name, `spec.containers[${i}].name`));
      if (seen.has(name)) causes.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: "${name}"`, field: `spec.containers[${i}].name` });
      seen.add(name);
    }
    const image = getPath(c, ['image']);
    if (typeof image !== 'string' || image.trim() === '') causes.push(required(`spec.containers[${i}].image`));
    const ports = getPath(c, ['ports']);
    (Array.isArray(ports) ? ports : []).forEach((p, j) => {
      const port = getPath(p, ['containerPort']);
      if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535)
        causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(port)}: must be between 1 and 65535, inclusive`, field: `spec.containers[${i}].ports[${j}].containerPort` });
    });
  });
  if (previous) {
    const before = getPath(previous, ['spec']);
    const after = getPath(pod, ['spec']);
    if (isRecord(before) && isRecord(after)) {
      const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
        (k) => !MUTABLE_POD_SPEC.has(k) && JSON.stringify(before[k]) !== JSON.stringify(after[k]) && !(k === 'containers' && onlyImagesChanged(before[k], after[k])),
      );
      if (changed.length > 0)
        causes.push({
          reason: 'FieldValueForbidden',
          message: 'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
          field: 'spec',
        });
    }
  }
  return causes;
}

/** What the API server checks when ephemeral containers are added (ValidatePodEphemeralContainersUpdate). */
function ephemeralContainerCauses(pod: KubeObject, previous: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const list = (object: KubeObject, field: string): unknown[] => {
    const value = getPath(object, ['spec', field]);
    return Array.isArray(value) ? value : [];
  };
  const before = list(previous, 'ephemeralContainers');
  const after = list(pod, 'ephemeralContainers');
  const nameOf = (c: unknown) => String(getPath(c, ['name']) ?? '');
  for (const old of before) {
    const now = after.find((c) => nameOf(c) === nameOf(old));
    if (!now) causes.push({ reason: 'FieldValueForbidden', message: `Forbidden: existing ephemeral containers "${nameOf(old)}" may not be removed`, field: 'spec.ephemeralContainers' });
    else if (JSON.stringify(now) !== JSON.stringify(old)) causes.push({ reason: 'FieldValueForbidden', message: `Forbidden: existing ephemeral containers "${nameOf(old)}" may not be changed`, field: 'spec.ephemeralContainers' });
  }
  const regular = [...list(pod, 'containers'), ...list(pod, 'initContainers')].map(nameOf);
  const seen = new Set(regular);
  after.forEach((c, i) => {
    const field = `spec.ephemeralContainers[${i}]`;
    const name = getPath(c, ['name']);
    if (typeof name !== 'string' || name === '') causes.push(required(`${field}.name`));
    else if (before.some((old) => nameOf(old) === name)) seen.add(name);
    else {
      causes.push(...nameCauses({ kind: 'Service' } as ResourceType, name, `${field}.name`));
      if (seen.has(name)) causes.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: "${name}"`, field: `${field}.name` });
      seen.add(name);
    }
    const image = getPath(c, ['image']);
    if (typeof image !== 'string' || image.trim() === '') causes.push(required(`${field}.image`));
    const target = getPath(c, ['targetContainerName']);
    if (target !== undefined && !regular.includes(String(target))) causes.push({ reason: 'FieldValueNotFound', message: `Not found: "${String(target)}"`, field: `${field}.targetContainerName` });
  });
  return causes;
}

function onlyImagesChanged(before: unknown, after: unknown): boolean {
  if (!Array.isArray(before) || !Array.isArray(after) || before.length !== after.length) return false;
  return before.every((c, i) => JSON.stringify({ ...(c as object), image: null }) === JSON.stringify({ ...(after[i] as object), image: null }));
}
