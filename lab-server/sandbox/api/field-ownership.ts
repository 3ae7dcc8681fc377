/**
 * Field ownership for server-side apply (structured-merge-diff, simplified):
 * every write records which manager set which fields in metadata.managedFields
 * (FieldsV1); an apply that changes a field another manager owns conflicts
 * unless forced, and fields a manager stops applying are removed when no one
 * else owns them.
 */
import { isRecord, type KubeObject } from '../../k8s/object.ts';
import type { SchemaCursor } from '../openapi/schema-cursor.ts';
import { now } from '../machinery/object-metadata.ts';

/** One owned field: the FieldsV1 path elements, e.g. ['f:spec', 'f:containers', 'k:{"name":"c"}', 'f:image']. */
type FieldPath = string[];

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

export interface Conflict {
  manager: string;
  operation: string;
  apiVersion: string;
  field: string;
}

/** Server-managed fields nobody owns. */
const UNOWNED = new Set(['f:apiVersion', 'f:kind', 'f:status']);
const UNOWNED_META = new Set(['f:name', 'f:namespace', 'f:uid', 'f:resourceVersion', 'f:generation', 'f:creationTimestamp', 'f:managedFields', 'f:deletionTimestamp', 'f:deletionGracePeriodSeconds', 'f:selfLink']);

export function fieldPaths(value: unknown, cursor: SchemaCursor | undefined, prefix: FieldPath = []): FieldPath[] {
  if (!isRecord(value)) return [prefix];
  const out: FieldPath[] = [];
  for (const [key, child] of Object.entries(value)) {
    const element = `f:${key}`;
    if (prefix.length === 0 && UNOWNED.has(element)) continue;
    if (prefix.length === 1 && prefix[0] === 'f:metadata' && UNOWNED_META.has(element)) continue;
    const field = cursor?.property(key);
    const path = [...prefix, element];
    if (Array.isArray(child) && field?.mergeKey) {
      const key = field.mergeKey;
      for (const item of child) {
        if (!isRecord(item)) continue;
        const itemPath = [...path, `k:${JSON.stringify({ [key]: item[key] })}`];
        out.push([...itemPath, '.'], ...fieldPaths(item, field.items(), itemPath).filter((p) => p.length > itemPath.length));
      }
    } else if (Array.isArray(child) && field?.mergesAsSet) {
      for (const item of child) out.push([...path, `v:${JSON.stringify(item)}`]);
    } else if (isRecord(child) && Object.keys(child).length > 0 && !(field?.open && field.type === undefined)) {
      out.push(...fieldPaths(child, field, path));
    } else {
      out.push(path);
    }
  }
  return out;
}

const join = (p: FieldPath) => p.join('\u0000');
const split = (s: string): FieldPath => s.split('\u0000');

export function toFieldsV1(paths: Iterable<FieldPath>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const path of paths) {
    let node = root;
    for (const element of path) node = (node[element] ??= {}) as Record<string, unknown>;
  }
  return root;
}

export function fromFieldsV1(tree: unknown, prefix: FieldPath = []): FieldPath[] {
  if (!isRecord(tree)) return [];
  const entries = Object.entries(tree);
  if (entries.length === 0) return prefix.length > 0 ? [prefix] : [];
  return entries.flatMap(([element, child]) => (element === '.' ? [[...prefix, '.']] : fromFieldsV1(child, [...prefix, element])));
}

/** Reads the value a FieldsV1 path addresses; undefined when absent. */
function valueAt(object: unknown, path: FieldPath): unknown {
  let current = object;
  for (const element of path) {
    if (element === '.') return current;
    if (element.startsWith('f:')) current = isRecord(current) ? current[element.slice(2)] : undefined;
    else if (element.startsWith('k:')) {
      const key = JSON.parse(element.slice(2)) as Record<string, unknown>;
      current = Array.isArray(current) ? current.find((item) => isRecord(item) && Object.entries(key).every(([k, v]) => item[k] === v)) : undefined;
    } else if (element.startsWith('v:')) {
      const wanted = element.slice(2);
      current = Array.isArray(current) && current.some((item) => JSON.stringify(item) === wanted) ? JSON.parse(wanted) : undefined;
    }
    if (current === undefined) return undefined;
  }
  return current;
}

/** Removes the value a path addresses, pruning nothing else. */
function removeAt(object: Record<string, unknown>, path: FieldPath): void {
  const parentPath = path.slice(0, -1);
  const last = path[path.length - 1]!;
  if (last === '.') return removeAt(object, parentPath);
  const parent = parentPath.length === 0 ? object : valueAt(object, parentPath);
  if (last.startsWith('f:') && isRecord(parent)) delete parent[last.slice(2)];
  else if (Array.isArray(parent)) {
    const target = valueAt(object, path);
    const index = parent.findIndex((item) => item === target || JSON.stringify(item) === JSON.stringify(target));
    if (index >= 0) parent.splice(index, 1);
  }
}

/** `.spec.containers[name="c"].image`, as conflicts name fields. */
export function describePath(path: FieldPath): string {
  return path
    .filter((e) => e !== '.')
    .map((e) => {
      if (e.startsWith('f:')) return `.${e.slice(2)}`;
      if (e.startsWith('k:')) return `[${Object.entries(JSON.parse(e.slice(2)) as Record<string, unknown>).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
      return `[${e.slice(2)}]`;
    })
    .join('');
}

function entries(object: KubeObject | undefined): ManagedFieldsEntry[] {
  const list = object?.metadata.managedFields;
  return Array.isArray(list) ? (list as ManagedFieldsEntry[]) : [];
}

function withEntries(object: KubeObject, list: ManagedFieldsEntry[]): KubeObject {
  const kept = list.filter((e) => Object.keys(e.fieldsV1).length > 0);
  const metadata = { ...object.metadata };
  if (kept.length > 0) metadata.managedFields = kept;
  else delete metadata.managedFields;
  return { ...object, metadata };
}

/**
 * Applies `applied` for `manager`. Returns the merged object with updated
 * managedFields, or the conflicts when other managers own changed fields.
 */
export function serverSideApply(
  current: KubeObject,
  applied: KubeObject,
  manager: string,
  force: boolean,
  cursor: SchemaCursor | undefined,
  merge: (current: KubeObject, applied: KubeObject) => KubeObject,
): { object: KubeObject } | { conflicts: Conflict[] } {
  const appliedPaths = fieldPaths(applied, cursor);
  const appliedKeys = new Set(appliedPaths.map(join));
  const others = entries(current).filter((e) => !(e.manager === manager && e.operation === 'Apply'));
  const conflicts: Conflict[] = [];
  const taken = new Set<string>();
  for (const path of appliedPaths) {
    if (JSON.stringify(valueAt(current, path)) === JSON.stringify(valueAt(applied, path))) continue;
    for (const entry of others) {
      if (entry.manager === manager) continue;
      const owned = new Set(fromFieldsV1(entry.fieldsV1).map(join));
      if (!owned.has(join(path))) continue;
      taken.add(join(path));
      if (!force) conflicts.push({ manager: entry.manager, operation: entry.operation, apiVersion: entry.apiVersion, field: describePath(path) });
    }
  }
  if (conflicts.length > 0) return { conflicts };

  const merged = merge(current, applied) as KubeObject & Record<string, unknown>;
  const previous = entries(current).find((e) => e.manager === manager && e.operation === 'Apply');
  const ownedByOthers = new Set(others.flatMap((e) => fromFieldsV1(e.fieldsV1).map(join)));
  for (const path of fromFieldsV1(previous?.fieldsV1)) {
    const key = join(path);
    if (!appliedKeys.has(key) && !ownedByOthers.has(key)) removeAt(merged, path);
  }
  const updatedOthers = others.map((e) => ({ ...e, fieldsV1: toFieldsV1(fromFieldsV1(e.fieldsV1).filter((p) => !taken.has(join(p)))) }));
  const mine: ManagedFieldsEntry = { manager, operation: 'Apply', apiVersion: applied.apiVersion, time: now(), fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(appliedPaths) };
  return { object: withEntries(merged, [...updatedOthers, mine]) };
}

/** Records an ordinary write: the manager takes the fields it changed; others lose them. */
export function recordUpdate(before: KubeObject | undefined, after: KubeObject, manager: string, cursor: SchemaCursor | undefined, subresource?: string): KubeObject {
  const beforePaths = before ? fieldPaths(stripManaged(before), cursor) : [];
  const afterPaths = fieldPaths(stripManaged(after), cursor);
  const changed = new Set(
    [...afterPaths, ...beforePaths]
      .filter((p) => JSON.stringify(valueAt(before, p)) !== JSON.stringify(valueAt(after, p)))
      .map(join),
  );
  if (changed.size === 0 && before) return withEntries(after, entries(before));
  const present = new Set(afterPaths.map(join));
  const list = entries(before).map((e) => ({ ...e, fieldsV1: toFieldsV1(fromFieldsV1(e.fieldsV1).filter((p) => !changed.has(join(p)) || (e.manager === manager && present.has(join(p))))) }));
  const existing = list.find((e) => e.manager === manager && e.operation === 'Update' && e.subresource === subresource);
  const mine = new Set([...fromFieldsV1(existing?.fieldsV1).map(join), ...[...changed].filter((k) => present.has(k))]);
  const entry: ManagedFieldsEntry = { manager, operation: 'Update', apiVersion: after.apiVersion, time: now(), fieldsType: 'FieldsV1', fieldsV1: toFieldsV1([...mine].map(split)), ...(subresource ? { subresource } : {}) };
  return withEntries(after, [...list.filter((e) => e !== existing), entry]);
}

function stripManaged(object: KubeObject): KubeObject {
  const { managedFields: _managed, ...metadata } = object.metadata;
  return { ...object, metadata };
}
