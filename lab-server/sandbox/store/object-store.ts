/**
 * One cluster's objects. Every write gets the next resourceVersion and lands in
 * a change log bounded like kube-apiserver's watch cache (by count, and by age
 * past its 75 s of freshness), so watches can resume from a resourceVersion and
 * get 410 Expired once it has fallen out, and a list can be read as it was at
 * a resourceVersion still in the log. Stored objects are never mutated in
 * place: writers store new objects.
 */
import type { KubeObject } from '../../k8s/object.ts';
import type { ResourceType } from '../resource-types/types.ts';
import type { ObjectPersistence } from './sqlite-state.ts';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Change {
  resourceVersion: number;
  type: ChangeType;
  /** `group/plural` of the object's type. */
  resource: string;
  object: KubeObject;
  /** The object before this change; undefined for ADDED. */
  previous?: KubeObject;
  /** When it happened (ms since the epoch). */
  at: number;
}

/** How long the watch cache keeps events at least (kube-apiserver's eventFreshDuration). */
export const WATCH_HISTORY_MS = 75_000;

export type ChangeListener = (change: Change) => void;

export function resourceKey(type: Pick<ResourceType, 'group' | 'plural'>): string {
  return `${type.group}/${type.plural}`;
}

export class ObjectStore {
  private revision = 0;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  /** Each object's size as JSON, for the cluster's byte cap. */
  private readonly sizes = new Map<string, number>();
  private totalBytes = 0;
  private readonly log: Change[] = [];
  private readonly listeners = new Set<ChangeListener>();

  private readonly logLimit: number;
  private persistence: ObjectPersistence | undefined;
  /** Changes before this resourceVersion are not in the log (they happened before a restart). */
  private compactedAt = 0;

  private readonly historyMs: number;

  constructor(logLimit = 2000, historyMs = WATCH_HISTORY_MS) {
    this.logLimit = logLimit;
    this.historyMs = historyMs;
  }

  /** Writes every later change through to `persistence` before it is visible. */
  persistTo(persistence: ObjectPersistence): void {
    this.persistence = persistence;
  }

  /** Loads objects saved earlier, continuing their resourceVersions. Watchers see nothing: it is the past. */
  restore(saved: { resource: string; object: KubeObject }[], revision: number): void {
    this.revision = revision;
    for (const { resource, object } of saved) {
      const bucket = this.objects.get(resource) ?? new Map<string, KubeObject>();
      bucket.set(objectKey(object.metadata.namespace, object.metadata.name), object);
      this.objects.set(resource, bucket);
      this.size(resource, object, Buffer.byteLength(JSON.stringify(object)));
      this.revision = Math.max(this.revision, Number(object.metadata.resourceVersion ?? 0));
    }
    // A watch from before the restart cannot be replayed: it gets 410 and relists.
    this.compactedAt = this.revision;
  }

  get resourceVersion(): number {
    return this.revision;
  }

  /** How many objects the cluster holds, and their bytes as JSON. */
  get count(): number {
    return this.sizes.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /** An object's size as JSON, as counted in `bytes`; 0 for one not stored. */
  sizeOf(resource: string, namespace: string | undefined, name: string): number {
    return this.sizes.get(`${resource}/${objectKey(namespace, name)}`) ?? 0;
  }

  /** The oldest resourceVersion a watch can still resume after: every change after it is in the log. */
  get oldestResumable(): number {
    this.expire();
    return this.compactedAt;
  }

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.objects.get(resource)?.get(objectKey(namespace, name));
  }

  list(resource: string, namespace?: string): KubeObject[] {
    const all = [...(this.objects.get(resource)?.values() ?? [])];
    return this.sorted(namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace));
  }

  /** Byte order of "namespace/name", as etcd orders its keys; list pagination relies on it. */
  private sorted(objects: KubeObject[]): KubeObject[] {
    const sortKey = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    return objects.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
  }

  /** Stores `object` (create or replace), stamping the next resourceVersion. */
  put(resource: string, object: KubeObject): KubeObject {
    const key = objectKey(object.metadata.namespace, object.metadata.name);
    const bucket = this.objects.get(resource) ?? new Map<string, KubeObject>();
    const previous = bucket.get(key);
    const stored = { ...object, metadata: { ...object.metadata, resourceVersion: String(++this.revision) } };
    const json = JSON.stringify(stored);
    this.persistence?.put(resource, stored, json, this.revision);
    bucket.set(key, stored);
    this.objects.set(resource, bucket);
    this.size(resource, stored, Buffer.byteLength(json));
    this.record({ resourceVersion: this.revision, type: previous ? 'MODIFIED' : 'ADDED', resource, object: stored, ...(previous ? { previous } : {}), at: Date.now() });
    return stored;
  }

  remove(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const bucket = this.objects.get(resource);
    const current = bucket?.get(objectKey(namespace, name));
    if (!bucket || !current) return undefined;
    this.persistence?.remove(resource, namespace, name, this.revision + 1);
    bucket.delete(objectKey(namespace, name));
    this.size(resource, current, undefined);
    const gone = { ...current, metadata: { ...current.metadata, resourceVersion: String(++this.revision) } };
    this.record({ resourceVersion: this.revision, type: 'DELETED', resource, object: gone, previous: current, at: Date.now() });
    return gone;
  }

  /** Changes after `resourceVersion`, or undefined when the log no longer reaches back that far. */
  changesSince(resourceVersion: number): Change[] | undefined {
    if (resourceVersion < this.oldestResumable) return undefined;
    return this.log.filter((c) => c.resourceVersion > resourceVersion);
  }

  /** The objects of `resource` as they were at `resourceVersion`, or undefined when the log no longer reaches back that far. */
  listAt(resource: string, resourceVersion: number, namespace?: string): KubeObject[] | undefined {
    const later = this.changesSince(resourceVersion);
    if (!later) return undefined;
    const objects = new Map(this.list(resource, namespace).map((o) => [objectKey(o.metadata.namespace, o.metadata.name), o]));
    for (const change of later.reverse()) {
      if (change.resource !== resource || (namespace !== undefined && change.object.metadata.namespace !== namespace)) continue;
      const key = objectKey(change.object.metadata.namespace, change.object.metadata.name);
      if (change.previous) objects.set(key, change.previous);
      else objects.delete(key);
    }
    return this.sorted([...objects.values()]);
  }

  /** Resolves true once the store has reached `resourceVersion`, false if `ms` pass first. */
  reached(resourceVersion: number, ms: number): Promise<boolean> {
    if (this.revision >= resourceVersion) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        unsubscribe();
        resolve(false);
      }, ms);
      const unsubscribe = this.subscribe(() => {
        if (this.revision < resourceVersion) return;
        clearTimeout(timer);
        unsubscribe();
        resolve(true);
      });
    });
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Counts `object` at `bytes` from now on; undefined: it is gone. */
  private size(resource: string, object: KubeObject, bytes: number | undefined): void {
    const key = `${resource}/${objectKey(object.metadata.namespace, object.metadata.name)}`;
    this.totalBytes -= this.sizes.get(key) ?? 0;
    if (bytes === undefined) this.sizes.delete(key);
    else {
      this.sizes.set(key, bytes);
      this.totalBytes += bytes;
    }
  }

  private record(change: Change): void {
    this.log.push(change);
    if (this.log.length > this.logLimit) this.compactedAt = this.log.shift()!.resourceVersion;
    this.expire();
    for (const listener of this.listeners) listener(change);
  }

  /** Drops changes past the history window, as the watch cache lets them go. */
  private expire(): void {
    const horizon = Date.now() - this.historyMs;
    while (this.log.length > 0 && this.log[0]!.at < horizon) this.compactedAt = this.log.shift()!.resourceVersion;
  }
}

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}
