/** The three patch formats of the Kubernetes API, applied to plain JSON values. */
import { isRecord } from '../../k8s/object.ts';
import { SchemaCursor } from '../openapi/schema-cursor.ts';
import { errors } from './status.ts';

type Json = unknown;

/** RFC 7386: null deletes, objects merge, everything else (lists too) replaces. */
export function applyMergePatch(target: Json, patch: Json): Json {
  if (!isRecord(patch)) return patch;
  const result: Record<string, Json> = isRecord(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

/** RFC 6902, with ~0 / ~1 escaping; a failed `test` or a bad path is a 422 in kind of the real server's message. */
export function applyJsonPatch(target: Json, operations: Json): Json {
  if (!Array.isArray(operations)) throw errors.badRequest('a JSON patch is a list of operations: [{"op": "replace", "path": "/spec/x", "value": 1}]');
  let doc = structuredClone(target);
  for (const [i, op] of operations.entries()) {
    if (!isRecord(op) || typeof op.op !== 'string' || typeof op.path !== 'string') throw errors.badRequest(`JSON patch operation ${i} needs "op" and "path"`);
    const path = parsePointer(op.path);
    switch (op.op) {
      case 'add':
        doc = setAt(doc, path, clone(op.value), 'add');
        break;
      case 'replace':
        getAt(doc, path, op.path);
        doc = setAt(doc, path, clone(op.value), 'replace');
        break;
      case 'remove':
        getAt(doc, path, op.path);
        doc = removeAt(doc, path);
        break;
      case 'move':
      case 'copy': {
        if (typeof op.from !== 'string') throw errors.badRequest(`JSON patch operation ${i} (${op.op}) needs "from"`);
        const from = parsePointer(op.from);
        const value = clone(getAt(doc, from, op.from));
        if (op.op === 'move') doc = removeAt(doc, from);
        doc = setAt(doc, path, value, 'add');
        break;
      }
      case 'test':
        if (JSON.stringify(getAt(doc, path, op.path)) !== JSON.stringify(op.value)) throw errors.badRequest(`the server rejected our request due to an error in our request: testing value ${op.path} failed`);
        break;
      default:
        throw errors.badRequest(`JSON patch operation ${i}: unknown op "${op.op}"; use add, remove, replace, move, copy or test`);
    }
  }
  return doc;
}

function clone(value: Json): Json {
  return value === undefined ? undefined : structuredClone(value);
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw errors.badRequest(`JSON pointer "${pointer}" must start with "/"`);
  return pointer.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function getAt(doc: Json, path: string[], pointer: string): Json {
  let current = doc;
  for (const key of path) {
    if (Array.isArray(current) && /^\d+$/.test(key) && Number(key) < current.length) current = current[Number(key)];
    else if (isRecord(current) && key in current) current = current[key];
    else throw errors.badRequest(`the server rejected our request due to an error in our request: ${pointer}: path not found`);
  }
  return current;
}

function setAt(doc: Json, path: string[], value: Json, mode: 'add' | 'replace'): Json {
  if (path.length === 0) return value;
  const [key, ...rest] = path as [string, ...string[]];
  if (Array.isArray(doc)) {
    const copy = [...doc];
    const index = key === '-' ? copy.length : Number(key);
    if (!Number.isInteger(index) || index < 0 || index > copy.length) throw errors.badRequest(`array index ${key} is out of range`);
    if (rest.length > 0) copy[index] = setAt(copy[index], rest, value, mode);
    else if (mode === 'add') copy.splice(index, 0, value);
    else copy[index] = value;
    return copy;
  }
  if (!isRecord(doc)) throw errors.badRequest(`cannot set "${key}": its parent is not an object`);
  if (rest.length > 0 && !(key in doc)) throw errors.badRequest(`the server rejected our request due to an error in our request: missing path element "${key}"`);
  return { ...doc, [key]: rest.length > 0 ? setAt(doc[key], rest, value, mode) : value };
}

function removeAt(doc: Json, path: string[]): Json {
  const [key, ...rest] = path as [string, ...string[]];
  if (Array.isArray(doc)) {
    const copy = [...doc];
    if (rest.length > 0) copy[Number(key)] = removeAt(copy[Number(key)], rest);
    else copy.splice(Number(key), 1);
    return copy;
  }
  if (!isRecord(doc)) return doc;
  const copy = { ...doc };
  if (rest.length > 0) copy[key] = removeAt(copy[key], rest);
  else delete copy[key];
  return copy;
}

/**
 * Strategic merge patch for built-in kinds: list fields whose schema carries
 * x-kubernetes-patch-merge-key merge by that key, with the $patch,
 * $setElementOrder, $retainKeys and $deleteFromPrimitiveList directives
 * kubectl sends; other lists are replaced.
 */
export function applyStrategicMergePatch(target: Json, patch: Json, cursor: SchemaCursor | undefined): Json {
  if (!isRecord(patch)) return patch;
  if (patch.$patch === 'replace') {
    const { $patch: _directive, ...rest } = patch;
    return rest;
  }
  if (patch.$patch === 'delete') return undefined;
  const result: Record<string, Json> = isRecord(target) ? { ...target } : {};
  const retain = Array.isArray(patch.$retainKeys) ? new Set(patch.$retainKeys.map(String)) : undefined;
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$retainKeys' || key === '$patch' || key.startsWith('$setElementOrder/')) continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const drop = new Set(Array.isArray(value) ? value.map((v) => JSON.stringify(v)) : []);
      if (Array.isArray(result[field])) result[field] = (result[field] as Json[]).filter((v) => !drop.has(JSON.stringify(v)));
      continue;
    }
    if (value === null) {
      delete result[key];
      continue;
    }
    const field = cursor?.property(key);
    if (Array.isArray(value) && field?.mergeKey) result[key] = mergeList(result[key], value, field.mergeKey, field.items());
    else if (Array.isArray(value) && field?.mergesAsSet) result[key] = [...new Set([...(Array.isArray(result[key]) ? (result[key] as Json[]) : []), ...value])];
    else {
      const merged = applyStrategicMergePatch(result[key], value, field);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    }
  }
  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith('$setElementOrder/') || !Array.isArray(order)) continue;
    const field = key.slice('$setElementOrder/'.length);
    const mergeKey = cursor?.property(field)?.mergeKey;
    if (mergeKey && Array.isArray(result[field])) result[field] = reorder(result[field] as Json[], order, mergeKey);
  }
  if (retain) for (const key of Object.keys(result)) if (!retain.has(key)) delete result[key];
  return result;
}

function mergeList(current: Json, patch: Json[], mergeKey: string, items: SchemaCursor): Json[] {
  const list = Array.isArray(current) ? [...current] : [];
  for (const item of patch) {
    if (!isRecord(item)) continue;
    const index = list.findIndex((existing) => isRecord(existing) && existing[mergeKey] === item[mergeKey]);
    if (item.$patch === 'delete') {
      if (index >= 0) list.splice(index, 1);
    } else if (index >= 0) list[index] = applyStrategicMergePatch(list[index], item, items);
    else list.push(applyStrategicMergePatch({}, item, items));
  }
  return list;
}

function reorder(list: Json[], order: Json[], mergeKey: string): Json[] {
  const position = (item: Json) => order.findIndex((o) => isRecord(o) && isRecord(item) && o[mergeKey] === item[mergeKey]);
  return [...list].sort((a, b) => {
    const pa = position(a);
    const pb = position(b);
    return (pa < 0 ? Infinity : pa) - (pb < 0 ? Infinity : pb);
  });
}
