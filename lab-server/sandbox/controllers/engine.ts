/**
 * Interprets lifecycle rules: watches the cluster's objects, and for each one
 * whose state a rule's selector matches, waits the rule's delay, checks the
 * selector again against the object as it is then, and applies what comes
 * next. Each write moves the object on, so the next rule can match.
 */
import { evaluateJsonPath } from '../../lesson/jsonpath.ts';
import type { KubeObject } from '../../k8s/object.ts';
import type { ClusterView } from '../store/cluster-view.ts';
import { resourceKey, type Change } from '../store/object-store.ts';
import { applyMergePatch, applyStrategicMergePatch } from '../machinery/patch.ts';
import { documentForType } from '../openapi/documents.ts';
import { SchemaCursor } from '../openapi/schema-cursor.ts';
import { now } from '../machinery/object-metadata.ts';
import { log } from '../../log.ts';
import { recordEvent } from './event-recorder.ts';
import { render, type TemplateContext } from './template.ts';
import type { LifecycleRule, RuleEvent } from './rule.ts';
import type { Computation } from './computation.ts';

interface Pending {
  rule: LifecycleRule;
  timer: NodeJS.Timeout;
  /** Waiting out retryMs after a computation said "not yet". */
  retrying: boolean;
}

export class LifecycleEngine {
  private readonly pending = new Map<string, Pending>();
  private readonly cluster: ClusterView;
  private readonly rules: LifecycleRule[];
  private readonly computations: Record<string, Computation>;
  private unsubscribe: (() => void) | undefined;
  /** The rules that look again when objects of a kind change (alsoOn), by apiVersion/kind: looked up on every change. */
  private readonly watchers = new Map<string, LifecycleRule[]>();

  constructor(cluster: ClusterView, rules: LifecycleRule[], computations: Record<string, Computation>) {
    this.cluster = cluster;
    this.rules = rules;
    this.computations = computations;
    for (const rule of rules) if (rule.compute && !computations[rule.compute]) throw new Error(`lifecycle rule ${rule.name} names an unknown computation "${rule.compute}"`);
    for (const rule of rules) for (const k of rule.alsoOn) this.watchers.set(`${k.apiVersion}/${k.kind}`, [...(this.watchers.get(`${k.apiVersion}/${k.kind}`) ?? []), rule]);
  }

  /** Starts moving objects, including those already stored; again after a restore, it rescans. */
  start(): void {
    this.unsubscribe ??= this.cluster.store.subscribe((change) => this.onChange(change));
    for (const rule of this.rules) {
      const type = this.cluster.registry.forKind(rule.resource.apiVersion, rule.resource.kind);
      if (type) for (const object of this.cluster.store.list(resourceKey(type))) this.consider(resourceKey(type), object);
    }
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
  }

  private onChange(change: Change): void {
    const key = objectKey(change.resource, change.object);
    if (change.type === 'DELETED') {
      const p = this.pending.get(key);
      if (p) clearTimeout(p.timer);
      this.pending.delete(key);
    } else {
      this.consider(change.resource, change.object);
    }
    this.requeueOwners(change.object);
    this.requeueWatchers(change.object);
  }

  /** Objects whose rules watch the changed object's kind (alsoOn) look again. */
  private requeueWatchers(changed: KubeObject): void {
    for (const rule of this.watchers.get(`${changed.apiVersion}/${changed.kind}`) ?? []) {
      const type = this.cluster.registry.forKind(rule.resource.apiVersion, rule.resource.kind);
      if (!type) continue;
      const namespace = type.namespaced && changed.metadata.namespace !== undefined ? changed.metadata.namespace : undefined;
      for (const object of this.cluster.store.list(resourceKey(type), namespace)) this.requeue(resourceKey(type), object);
    }
  }

  /** Looks at an object again soon: at once if its rule waits to retry, as a controller watching related objects does. */
  private requeue(resource: string, object: KubeObject): void {
    const key = objectKey(resource, object);
    const waiting = this.pending.get(key);
    if (waiting?.retrying) this.schedule(key, resource, object, waiting.rule, waiting.rule.delayMs);
    else if (!waiting) this.consider(resource, object);
  }

  /** A change to an owned object (a VM's instance, its pod) makes its owners' rules look again. */
  private requeueOwners(object: KubeObject, depth = 0): void {
    if (depth > 4) return;
    const owners = Array.isArray(object.metadata.ownerReferences) ? (object.metadata.ownerReferences as { apiVersion: string; kind: string; name: string }[]) : [];
    for (const ref of owners) {
      const type = this.cluster.registry.forKind(ref.apiVersion, ref.kind);
      if (!type) continue;
      const owner = this.cluster.store.get(resourceKey(type), type.namespaced ? object.metadata.namespace : undefined, ref.name);
      if (!owner) continue;
      this.requeue(resourceKey(type), owner);
      this.requeueOwners(owner, depth + 1);
    }
  }

  private rulesFor(object: KubeObject): LifecycleRule[] {
    return this.rules.filter((r) => r.resource.kind === object.kind && r.resource.apiVersion === object.apiVersion);
  }

  /** Schedules the first rule that matches the object, unless that rule is already waiting. */
  private consider(resource: string, object: KubeObject): void {
    const key = objectKey(resource, object);
    const rule = this.rulesFor(object).find((r) => matches(r, object));
    const current = this.pending.get(key);
    if (current && current.rule === rule) return;
    if (current) clearTimeout(current.timer);
    this.pending.delete(key);
    if (rule) this.schedule(key, resource, object, rule, rule.delayMs);
  }

  private schedule(key: string, resource: string, object: KubeObject, rule: LifecycleRule, delay: number, retrying = false): void {
    const existing = this.pending.get(key);
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.pending.delete(key);
      try {
        this.fire(resource, object, rule);
      } catch (error) {
        log.error('lifecycle rule failed', { rule: rule.name, object: key, error: error instanceof Error ? error.stack : String(error) });
      }
    }, delay);
    timer.unref?.();
    this.pending.set(key, { rule, timer, retrying });
  }

  private fire(resource: string, seen: KubeObject, rule: LifecycleRule): void {
    const object = this.cluster.store.get(resource, seen.metadata.namespace, seen.metadata.name);
    if (!object) return;
    if (!matches(rule, object)) return this.consider(resource, object);
    const context: TemplateContext = { object, vars: {}, now: now() };
    if (rule.compute) {
      const result = this.computations[rule.compute]!(this.cluster, object);
      if (!result.ok) {
        const retryContext = { ...context, vars: result.vars ?? {} };
        const updated = result.patch ? this.write(resource, object, render(result.patch, retryContext) as Record<string, unknown>) : object;
        this.emit(updated, result.events, retryContext);
        this.schedule(objectKey(resource, object), resource, updated, rule, rule.retryMs, true);
        return;
      }
      context.vars = result.vars;
    }
    const computedEvents = Array.isArray(context.vars.events) ? (context.vars.events as RuleEvent[]) : [];
    if (rule.next.delete) {
      this.emit(object, [...computedEvents, ...rule.next.events], context);
      this.cluster.store.remove(resource, object.metadata.namespace, object.metadata.name);
      return;
    }
    const updated = rule.next.patch ? this.write(resource, object, render(rule.next.patch, context) as Record<string, unknown>) : object;
    this.emit(updated, [...computedEvents, ...rule.next.events], { ...context, object: updated });
  }

  /** Applies a rule's patch as the component it stands for would: strategic merge for built-in kinds. */
  private write(resource: string, object: KubeObject, patch: Record<string, unknown>): KubeObject {
    const type = this.cluster.registry.forKind(object.apiVersion, object.kind);
    const document = type ? documentForType(type) : undefined;
    const schema = type && document?.kinds.get(type.kind);
    const merged = type?.strategicMerge && document && schema ? applyStrategicMergePatch(object, patch, SchemaCursor.of(document.schemas, schema)) : applyMergePatch(object, patch);
    // A write that changes nothing is skipped, as the kubelet's status manager skips it.
    if (JSON.stringify(merged) === JSON.stringify(object)) return object;
    return this.cluster.store.put(resource, merged as KubeObject);
  }

  private emit(object: KubeObject, events: RuleEvent[], context: TemplateContext): void {
    for (const event of events) {
      const rendered = render(event, { ...context, object }) as RuleEvent & { host?: string };
      const host = (object.spec as { nodeName?: string } | undefined)?.nodeName;
      recordEvent(this.cluster.store, object, { ...rendered, ...(host && rendered.source === 'kubelet' ? { host } : {}) });
    }
  }
}

function objectKey(resource: string, object: KubeObject): string {
  return `${resource}|${object.metadata.namespace ?? ''}|${object.metadata.name}`;
}

export function matches(rule: LifecycleRule, object: KubeObject): boolean {
  return rule.matchers.every((m) => {
    const values = evaluateJsonPath(m.segments, object).filter((v) => v !== undefined && v !== null);
    switch (m.operator) {
      case 'Exists':
        return values.length > 0;
      case 'DoesNotExist':
        return values.length === 0;
      case 'In':
        return values.some((v) => m.values?.some((w) => String(w) === String(v)));
      case 'NotIn':
        return !values.some((v) => m.values?.some((w) => String(w) === String(v)));
      default:
        return false;
    }
  });
}

