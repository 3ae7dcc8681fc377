/**
 * The metadata rules every write goes through: names, generateName, uid,
 * timestamps, generation, and the status subresource's split of ownership.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { isRecord, type KubeObject } from '../../k8s/object.ts';
import { apiVersionOf, type ResourceType } from '../resource-types/types.ts';
import { errors, type StatusCause } from './status.ts';

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Kinds whose names must be DNS-1123 labels, not subdomains. */
const LABEL_NAMED = new Set(['Namespace', 'Service', 'Project']);

/** A metav1.Time: RFC 3339 to the second (of `ms`, or now). */
export function now(ms = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function nameCauses(type: ResourceType, name: string, field = 'metadata.name'): StatusCause[] {
  const label = LABEL_NAMED.has(type.kind);
  const ok = label ? DNS1123_LABEL.test(name) && name.length <= 63 : DNS1123_SUBDOMAIN.test(name) && name.length <= 253;
  if (ok) return [];
  const rule = label
    ? "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
    : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
  return [{ reason: 'FieldValueInvalid', message: `Invalid value: "${name}": ${rule}`, field }];
}

/** Checks the body is an object of this type and fills in the namespace from the URL. */
export function checkBody(type: ResourceType, body: unknown, namespace: string | undefined): KubeObject {
  if (!isRecord(body)) throw errors.badRequest('the request body must be a JSON or YAML object');
  // Built-in endpoints default the kind; custom resources are decoded unstructured and need it.
  if ((body.kind === undefined || body.kind === '') && !type.strategicMerge) throw errors.badRequest(`Object 'Kind' is missing in '${JSON.stringify(body).slice(0, 200)}'`);
  const apiVersion = apiVersionOf(type);
  if (body.apiVersion !== undefined && body.apiVersion !== apiVersion || body.kind !== undefined && body.kind !== type.kind)
    throw errors.badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${apiVersion})`);
  if (body.metadata !== undefined && body.metadata !== null && !isRecord(body.metadata))
    throw errors.badRequest(`${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: json: cannot unmarshal ${Array.isArray(body.metadata) ? 'array' : typeof body.metadata} into Go struct field ${type.kind}.metadata of type v1.ObjectMeta`);
  const metadata = isRecord(body.metadata) ? { ...body.metadata } : {};
  if (type.namespaced) {
    if (metadata.namespace !== undefined && metadata.namespace !== '' && metadata.namespace !== namespace)
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    metadata.namespace = namespace;
  } else {
    delete metadata.namespace;
  }
  return { ...body, apiVersion, kind: type.kind, metadata } as KubeObject;
}

/** Metadata a create sets: a name from generateName, uid, creationTimestamp, generation. */
export function prepareCreate(type: ResourceType, object: KubeObject): KubeObject {
  const metadata = { ...object.metadata };
  if (!metadata.name && typeof metadata.generateName === 'string') metadata.name = `${metadata.generateName}${randomBytes(3).toString('hex').slice(0, 5)}`;
  if (!metadata.name) throw errors.invalid(type, '', [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }]);
  const causes = nameCauses(type, metadata.name);
  if (causes.length > 0) throw errors.invalid(type, metadata.name, causes);
  for (const key of ['resourceVersion', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink']) delete metadata[key];
  metadata.uid = randomUUID();
  metadata.creationTimestamp = now();
  if (tracksGeneration(type)) metadata.generation = 1;
  else delete metadata.generation;
  const prepared: KubeObject = { ...object, metadata };
  if (type.subresources.includes('status') && type.group !== '') delete prepared.status;
  return prepared;
}

/**
 * An update keeps what clients may not change (uid, creationTimestamp, and the
 * status when it has its own subresource), and bumps generation when the rest changes.
 */
export function prepareUpdate(type: ResourceType, current: KubeObject, next: KubeObject, subresource: string | undefined): KubeObject {
  const metadata: KubeObject['metadata'] = {
    ...next.metadata,
    uid: current.metadata.uid,
    creationTimestamp: current.metadata.creationTimestamp,
    ...(current.metadata.deletionTimestamp ? { deletionTimestamp: current.metadata.deletionTimestamp } : {}),
    // A write that leaves managedFields out keeps them; an explicit list replaces them.
    ...(next.metadata.managedFields === undefined && current.metadata.managedFields ? { managedFields: current.metadata.managedFields } : {}),
  };
  if (current.metadata.deletionTimestamp === undefined) delete metadata.deletionTimestamp;
  if (subresource === 'status') {
    // Only the status moves through /status.
    return { ...current, status: next.status, metadata: { ...current.metadata, resourceVersion: next.metadata.resourceVersion } } as KubeObject;
  }
  if (subresource === 'ephemeralcontainers') {
    // Only spec.ephemeralContainers moves through /ephemeralcontainers (kubectl debug).
    const ephemeralContainers = (next.spec as { ephemeralContainers?: unknown } | undefined)?.ephemeralContainers;
    const spec = { ...(current.spec as Record<string, unknown>), ...(ephemeralContainers !== undefined ? { ephemeralContainers } : {}) };
    if (ephemeralContainers === undefined) delete spec.ephemeralContainers;
    return { ...current, spec, metadata: { ...current.metadata, resourceVersion: next.metadata.resourceVersion } } as KubeObject;
  }
  const updated: KubeObject = { ...next, metadata };
  if (type.subresources.includes('status')) {
    if (current.status === undefined) delete updated.status;
    else updated.status = current.status;
  }
  if (tracksGeneration(type)) {
    const specChanged = JSON.stringify(withoutMeta(current)) !== JSON.stringify(withoutMeta(updated));
    metadata.generation = Number(current.metadata.generation ?? 1) + (specChanged ? 1 : 0);
  } else delete metadata.generation;
  return updated;
}

/** Custom resources, CRDs and the workload kinds carry metadata.generation; the core kinds served here do not (pods gain it only in 1.33). */
function tracksGeneration(type: ResourceType): boolean {
  return type.generation ?? (!type.strategicMerge || type.kind === 'CustomResourceDefinition');
}

function withoutMeta(object: KubeObject): unknown {
  const { metadata: _metadata, status: _status, ...rest } = object;
  return rest;
}
