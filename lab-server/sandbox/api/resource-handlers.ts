/**
 * The verbs on one resource type: get, list, watch, create, update, patch,
 * delete and deletecollection, with the semantics kubectl and client-go rely on
 * (resourceVersion conflicts, dryRun, finalizers, terminating namespaces).
 */
import type { KubeObject } from '../../k8s/object.ts';
import type { Cluster } from '../cluster.ts';
import { resourceKey } from '../store/object-store.ts';
import { apiVersionOf, type ResourceType } from '../resource-types/types.ts';
import { checkBody, now, prepareCreate, prepareUpdate } from '../machinery/object-metadata.ts';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from '../machinery/patch.ts';
import { objectFilter } from './selectors.ts';
import { ApiError, errors, successStatus } from '../machinery/status.ts';
import { validateObject } from './validation.ts';
import { admitWrite } from './quotas.ts';
import { documentForType } from '../openapi/documents.ts';
import { SchemaCursor } from '../openapi/schema-cursor.ts';
import { checkFields } from '../openapi/field-validation.ts';
import { recordUpdate, serverSideApply } from './field-ownership.ts';
import { checkPreconditions, type DeleteOptions } from './delete-options.ts';
import { queryBool } from './query.ts';
import { defaultsOnCreate } from '../admission/create-defaults.ts';
import { withSchemaDefaults } from '../admission/schema-defaults.ts';

export interface ResourceRequest {
  cluster: Cluster;
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
  params: URLSearchParams;
  /** Warnings for the response's Warning headers. */
  warnings: string[];
  /** The client's User-Agent, whose first word names the default field manager. */
  userAgent?: string;
}

function fieldManager(req: ResourceRequest): string {
  const explicit = req.params.get('fieldManager');
  if (explicit !== null) {
    if (explicit === '' || explicit.length > 128) throw errors.badRequest('fieldManager must be a non-empty name of at most 128 characters');
    return explicit;
  }
  return (req.userAgent ?? 'unknown').split('/')[0] || 'unknown';
}

function schemaCursor(type: ResourceType): SchemaCursor | undefined {
  const document = documentForType(type);
  const name = document?.kinds.get(type.kind);
  return document && name ? SchemaCursor.of(document.schemas, name) : undefined;
}

/**
 * Decodes a body against the kind's schema as the API server does: drops
 * undeclared fields and reports them per fieldValidation (Strict, Warn, Ignore);
 * type mismatches fail (400 for built-in kinds, 422 for custom resources).
 */
function decodeAgainstSchema(req: ResourceRequest, object: KubeObject): KubeObject {
  const mode = req.params.get('fieldValidation') ?? 'Warn';
  if (!['Strict', 'Warn', 'Ignore'].includes(mode)) throw errors.badRequest(`fieldValidation must be one of Strict, Warn or Ignore, not "${mode}"`);
  const cursor = schemaCursor(req.type);
  if (!cursor) return object;
  const report = checkFields(object, cursor);
  const { type } = req;
  if (report.mistyped.length > 0) {
    if (!type.strategicMerge)
      throw errors.invalid(type, object.metadata.name, report.mistyped.map((m) => ({ reason: 'FieldValueTypeInvalid', message: `Invalid value: "${m.actual}": ${m.field} in body must be of type ${m.expected}: "${m.actual}"`, field: m.field })));
    const first = report.mistyped[0]!;
    throw errors.badRequest(`${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: json: cannot unmarshal ${first.actual === 'integer' ? 'number' : first.actual} into Go struct field ${first.field} of type ${first.expected === 'integer' ? 'int32' : first.expected}`);
  }
  if (report.unknown.length > 0) {
    if (mode === 'Strict') throw errors.badRequest(`${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: strict decoding error: ${report.unknown.map((f) => `unknown field "${f}"`).join(', ')}`);
    if (mode === 'Warn') req.warnings.push(...report.unknown.map((f) => `unknown field "${f}"`));
  }
  // Custom resources take their schema's defaults on every write, not on create only.
  return (type.schema ? withSchemaDefaults(type.schema, report.value) : report.value) as KubeObject;
}

function key(req: ResourceRequest): string {
  return resourceKey(req.type);
}

function dryRun(req: ResourceRequest): boolean {
  const value = req.params.get('dryRun');
  if (value !== null && value !== 'All') throw errors.badRequest(`Invalid dryRun value "${value}": only "All" is supported`);
  return value === 'All';
}

export function getObject(req: ResourceRequest): KubeObject {
  const object = req.cluster.store.get(key(req), req.namespace, req.name ?? '');
  if (!object) throw errors.notFound(req.type, req.name ?? '');
  return object;
}

export interface ListPage {
  items: KubeObject[];
  resourceVersion: number;
  /** Set when `limit` cut the list: the token for the next page, and how many remain. */
  continue?: string;
  remainingItemCount?: number;
}

/** Lists with selectors and `limit`/`continue` pagination, as kubectl's chunked lists expect. */
/** A page of the list, now or (`at`, resourceVersionMatch=Exact) as it was at a resourceVersion. */
export function listObjects(req: ResourceRequest, at?: number): ListPage {
  const filter = objectFilter(req.type, req.params);
  const then = at === undefined ? req.cluster.store.list(key(req), req.namespace) : req.cluster.store.listAt(key(req), at, req.namespace);
  if (!then) throw errors.gone('The resourceVersion for the provided list is too old.');
  const all = then.filter(filter);
  const resourceVersion = at ?? req.cluster.store.resourceVersion;
  const token = req.params.get('continue');
  let start = 0;
  if (token) {
    try {
      const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown };
      if (typeof parsed.after !== 'string') throw new Error('no position');
      // Resume after the last object of the previous page, by its sort position.
      start = all.findIndex((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}` > (parsed.after as string));
      if (start < 0) start = all.length;
    } catch {
      throw errors.badRequest('continue key is not valid: pass the metadata.continue value of the previous page unchanged');
    }
  }
  const limitParam = req.params.get('limit');
  const limit = limitParam === null ? 0 : Number(limitParam);
  if (!Number.isInteger(limit) || limit < 0) throw errors.badRequest(`limit must be a whole number, not "${limitParam}"`);
  if (limit === 0 || start + limit >= all.length) return { items: all.slice(start), resourceVersion };
  const items = all.slice(start, start + limit);
  const last = items[items.length - 1]!;
  const next = Buffer.from(JSON.stringify({ after: `${last.metadata.namespace ?? ''}/${last.metadata.name}` })).toString('base64url');
  return { items, resourceVersion, continue: next, remainingItemCount: all.length - start - limit };
}

export function listDocument(req: ResourceRequest, page: ListPage): unknown {
  const metadata = { resourceVersion: String(page.resourceVersion), ...(page.continue ? { continue: page.continue, remainingItemCount: page.remainingItemCount } : {}) };
  return { apiVersion: apiVersionOf(req.type), kind: req.type.listKind, metadata, items: page.items };
}

function requireActiveNamespace(req: ResourceRequest): void {
  if (!req.type.namespaced || req.namespace === undefined) return;
  const ns = req.cluster.store.get('/namespaces', undefined, req.namespace);
  if (!ns) throw errors.notFound(req.cluster.type('v1', 'Namespace'), req.namespace);
  if (ns.metadata.deletionTimestamp)
    throw errors.forbidden(`${req.type.plural} "${req.name ?? ''}" is forbidden: unable to create new content in namespace ${req.namespace} because it is being terminated`, req.type, req.name);
}

export function createObject(req: ResourceRequest, body: unknown): KubeObject {
  const object = prepareCreate(req.type, decodeAgainstSchema(req, checkBody(req.type, body, req.namespace)));
  const name = object.metadata.name;
  validateObject(req.type, object);
  requireActiveNamespace({ ...req, name });
  if (req.cluster.store.get(key(req), req.namespace, name)) throw errors.alreadyExists(req.type, name);
  const created = recordUpdate(undefined, defaultsOnCreate(req.cluster, req.type, object), fieldManager(req), schemaCursor(req.type));
  admitWrite(req.cluster, req.type, created, undefined);
  if (dryRun(req)) return { ...created, metadata: { ...created.metadata, resourceVersion: '' } };
  return req.cluster.store.put(key(req), created);
}

export function updateObject(req: ResourceRequest, body: unknown): KubeObject {
  const current = getObject(req);
  const next = decodeAgainstSchema(req, checkBody(req.type, body, req.namespace));
  if (next.metadata.name !== undefined && next.metadata.name !== req.name) throw errors.badRequest(`the name of the object (${next.metadata.name}) does not match the name on the URL (${req.name})`);
  next.metadata.name = req.name ?? '';
  const sent = next.metadata.resourceVersion;
  if (sent !== undefined && sent !== '' && sent !== current.metadata.resourceVersion)
    throw errors.conflict(req.type, req.name ?? '', 'the object has been modified; please apply your changes to the latest version and try again');
  return store(req, current, recordUpdate(current, prepareUpdate(req.type, current, next, req.subresource), fieldManager(req), schemaCursor(req.type), req.subresource));
}

/** Writes an update, or completes a deletion whose last finalizer it removes. */
function store(req: ResourceRequest, current: KubeObject, updated: KubeObject): KubeObject {
  validateObject(req.type, updated, current, req.subresource);
  admitWrite(req.cluster, req.type, updated, current);
  if (dryRun(req)) return updated;
  const finalizers = updated.metadata.finalizers as string[] | undefined;
  if (current.metadata.deletionTimestamp && (!finalizers || finalizers.length === 0) && req.type.kind !== 'Namespace') {
    return req.cluster.store.remove(key(req), req.namespace, req.name ?? '') ?? updated;
  }
  // A write that changes nothing is not written, as etcd3's store skips it: same resourceVersion, no event.
  if (sameContent(current, updated)) return current;
  return req.cluster.store.put(key(req), updated);
}

function sameContent(a: KubeObject, b: KubeObject): boolean {
  const bare = (o: KubeObject) => JSON.stringify({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } });
  return bare(a) === bare(b);
}

export const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

/** Refuses a patch format this type does not take, before its body is read. */
export function checkPatchType(type: ResourceType, patchType: string): void {
  if (!PATCH_TYPES.includes(patchType) || (patchType === 'application/strategic-merge-patch+json' && !type.strategicMerge))
    throw errors.unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.filter((t) => type.strategicMerge || !t.includes('strategic')).join(', ')}`);
}

export function patchObject(req: ResourceRequest, patchType: string, patch: unknown): { object: KubeObject; created: boolean } {
  checkPatchType(req.type, patchType);
  if (patchType === 'application/apply-patch+yaml') return applyPatch(req, patch);
  const current = req.cluster.store.get(key(req), req.namespace, req.name ?? '');
  if (!current) throw errors.notFound(req.type, req.name ?? '');
  let patched: unknown;
  switch (patchType) {
    case 'application/json-patch+json':
      patched = applyJsonPatch(current, patch);
      break;
    case 'application/merge-patch+json':
      patched = applyMergePatch(current, patch);
      break;
    default:
      patched = applyStrategicMergePatch(current, patch, schemaCursor(req.type));
  }
  const next = decodeAgainstSchema(req, checkBody(req.type, patched, req.namespace));
  if (next.metadata.name !== req.name) throw errors.badRequest('a patch may not change metadata.name');
  const sent = next.metadata.resourceVersion;
  if (sent !== undefined && sent !== current.metadata.resourceVersion)
    throw errors.conflict(req.type, req.name ?? '', 'the object has been modified; please apply your changes to the latest version and try again');
  return { object: store(req, current, recordUpdate(current, prepareUpdate(req.type, current, next, req.subresource), fieldManager(req), schemaCursor(req.type), req.subresource)), created: false };
}

/** Server-side apply: creates when missing, else merges with field ownership and conflicts. */
function applyPatch(req: ResourceRequest, body: unknown): { object: KubeObject; created: boolean } {
  if (req.params.get('fieldManager') === null)
    throw errors.invalid({ group: 'meta.k8s.io', plural: 'patchoptions', kind: 'PatchOptions.meta.k8s.io' }, '', [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }]);
  const manager = fieldManager(req);
  const applied = decodeAgainstSchema(req, checkBody(req.type, body, req.namespace));
  if (applied.metadata.name !== undefined && applied.metadata.name !== req.name) throw errors.badRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${req.name})`);
  applied.metadata.name = req.name ?? '';
  const cursor = schemaCursor(req.type);
  const current = req.cluster.store.get(key(req), req.namespace, req.name ?? '');
  if (!current) {
    const object = prepareCreate(req.type, applied);
    validateObject(req.type, object);
    requireActiveNamespace(req);
    const result = serverSideApply({ ...object, metadata: { ...object.metadata } }, applied, manager, true, cursor, (_c, a) => ({ ...a, metadata: { ...object.metadata, ...a.metadata, uid: object.metadata.uid, creationTimestamp: object.metadata.creationTimestamp } }));
    if (!('object' in result)) throw errors.internal('apply on a new object cannot conflict');
    const created = defaultsOnCreate(req.cluster, req.type, result.object);
    admitWrite(req.cluster, req.type, created, undefined);
    return { object: dryRun(req) ? created : req.cluster.store.put(key(req), created), created: true };
  }
  const result = serverSideApply(current, applied, manager, queryBool(req.params, 'force'), cursor, (c, a) => applyStrategicMergePatch(c, a, cursor) as KubeObject);
  if ('conflicts' in result) {
    const lines = result.conflicts.map((c) => `conflict with "${c.manager}"${c.operation === 'Update' ? ` using ${c.apiVersion}` : ''}: ${c.field}`);
    const message = lines.length === 1 ? `Apply failed with 1 conflict: ${lines[0]}` : `Apply failed with ${lines.length} conflicts: ${lines.map((l) => `\n- ${l}`).join('')}`;
    throw new ApiError({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Conflict', code: 409,
      details: { causes: result.conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}"${c.operation === 'Update' ? ` using ${c.apiVersion}` : ''}`, field: c.field })) },
    });
  }
  const next = checkBody(req.type, result.object, req.namespace);
  return { object: store(req, current, prepareUpdate(req.type, current, next, req.subresource)), created: false };
}

/** Deletes at once, or marks for deletion while finalizers remain (namespaces always go through that). */
export function deleteObject(req: ResourceRequest, options: DeleteOptions = { dryRun: false }): { object: KubeObject; finished: boolean } {
  const current = getObject(req);
  checkPreconditions(req.type, current, options);
  if (dryRun(req) || options.dryRun) return { object: current, finished: false };
  const finalizers = (current.metadata.finalizers as string[] | undefined) ?? [];
  // A pod on a node terminates gracefully: the kubelet stops its containers, then it goes.
  const graceful = req.type.kind === 'Pod' && (current.spec as { nodeName?: string } | undefined)?.nodeName !== undefined && options.gracePeriodSeconds !== 0;
  if (req.type.kind === 'Namespace' || finalizers.length > 0 || graceful) {
    if (current.metadata.deletionTimestamp) return { object: current, finished: false };
    const grace = graceful ? Number(options.gracePeriodSeconds ?? (current.spec as { terminationGracePeriodSeconds?: number }).terminationGracePeriodSeconds ?? 30) : 0;
    const marked: KubeObject = { ...current, metadata: { ...current.metadata, deletionTimestamp: now(), deletionGracePeriodSeconds: grace } };
    if (req.type.kind === 'Namespace') marked.status = { ...(current.status as object), phase: 'Terminating' };
    return { object: req.cluster.store.put(key(req), marked), finished: false };
  }
  return { object: req.cluster.store.remove(key(req), req.namespace, req.name ?? '') ?? current, finished: true };
}

export function deleteCollection(req: ResourceRequest, options: DeleteOptions = { dryRun: false }): unknown {
  const page = listObjects(req);
  for (const item of page.items) deleteObject({ ...req, namespace: item.metadata.namespace, name: item.metadata.name }, options);
  return listDocument(req, page);
}

export function deletedStatus(req: ResourceRequest, object: KubeObject): unknown {
  return { ...successStatus({ name: object.metadata.name, group: req.type.group, kind: req.type.plural, uid: object.metadata.uid } as never) };
}
