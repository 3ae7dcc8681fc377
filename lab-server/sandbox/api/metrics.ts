/**
 * metrics.k8s.io/v1beta1, which OpenShift always serves (kubectl top pod,
 * top node): what the metrics server would have scraped, computed when read.
 * A running container uses a steady few millicores and some MiB, stable for
 * the container (so two reads agree); a node adds its pods to a base of its
 * own system use.
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { getPath, isRecord, type KubeObject } from '../../k8s/object.ts';
import { parseLabelSelectorString, selectorMatches } from '../../k8s/label-selector.ts';
import { errors } from '../machinery/status.ts';
import type { ResourceType } from '../resource-types/types.ts';
import type { ResourceRequest } from './resource-handlers.ts';
import { send } from './respond.ts';
import { now } from '../machinery/object-metadata.ts';

const WINDOW = '30s';

export function isMetricsView(type: ResourceType): boolean {
  return type.group === 'metrics.k8s.io';
}

function steady(seed: string, min: number, max: number): number {
  return min + (createHash('sha256').update(seed).digest().readUInt32BE(0) % (max - min + 1));
}

function containerUsage(pod: KubeObject, container: string): { cpu: number; memoryKi: number } {
  const seed = `${String(pod.metadata.uid)}/${container}`;
  return { cpu: steady(`cpu/${seed}`, 1, 12), memoryKi: steady(`mem/${seed}`, 8 * 1024, 96 * 1024) };
}

function running(pod: KubeObject): string[] {
  return ((getPath(pod, ['status', 'containerStatuses']) as unknown[] | undefined) ?? []).filter((s) => isRecord(getPath(s, ['state', 'running']))).map((s) => String(getPath(s, ['name'])));
}

function podMetrics(pod: KubeObject, now: string): KubeObject {
  return {
    apiVersion: 'metrics.k8s.io/v1beta1',
    kind: 'PodMetrics',
    metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, creationTimestamp: now, ...(pod.metadata.labels ? { labels: pod.metadata.labels } : {}) },
    timestamp: now,
    window: WINDOW,
    containers: running(pod).map((name) => {
      const usage = containerUsage(pod, name);
      return { name, usage: { cpu: `${usage.cpu * 1_000_000}n`, memory: `${usage.memoryKi}Ki` } };
    }),
  } as KubeObject;
}

function nodeMetrics(node: KubeObject, pods: KubeObject[], now: string): KubeObject {
  const mine = pods.filter((p) => getPath(p, ['spec', 'nodeName']) === node.metadata.name);
  const usage = mine.flatMap((p) => running(p).map((c) => containerUsage(p, c)));
  const cpu = steady(`cpu/${node.metadata.name}`, 250, 600) + usage.reduce((n, u) => n + u.cpu, 0);
  const memoryKi = steady(`mem/${node.metadata.name}`, 3 * 1024 * 1024, 5 * 1024 * 1024) + usage.reduce((n, u) => n + u.memoryKi, 0);
  return {
    apiVersion: 'metrics.k8s.io/v1beta1',
    kind: 'NodeMetrics',
    metadata: { name: node.metadata.name, creationTimestamp: now, labels: node.metadata.labels ?? {} },
    timestamp: now,
    window: WINDOW,
    usage: { cpu: `${cpu * 1_000_000}n`, memory: `${memoryKi}Ki` },
  } as KubeObject;
}

/** GET only: a list (label selectors apply) or one object; the metrics of a pod that does not run are not found. */
export function serveMetrics(req: ResourceRequest, method: string, res: ServerResponse): void {
  if (method !== 'GET') throw errors.methodNotAllowed(method, req.type.plural);
  const at = now();
  const pods = req.cluster.store.list('/pods').filter((p) => getPath(p, ['status', 'phase']) === 'Running');
  const items =
    req.type.kind === 'PodMetrics'
      ? pods.filter((p) => req.namespace === undefined || p.metadata.namespace === req.namespace).map((p) => podMetrics(p, at))
      : req.cluster.store.list('/nodes').map((n) => nodeMetrics(n, pods, at));
  if (req.name !== undefined) {
    const one = items.find((i) => i.metadata.name === req.name);
    if (!one) throw errors.notFound(req.type, req.name);
    return send(res, 200, one);
  }
  const selectorText = req.params.get('labelSelector');
  const parsed = selectorText ? parseLabelSelectorString(selectorText) : undefined;
  if (parsed && !parsed.ok) throw errors.badRequest(`unable to parse requirement: ${parsed.error}`);
  const selected = parsed?.ok ? items.filter((i) => selectorMatches(parsed.selector, i.metadata.labels ?? {})) : items;
  send(res, 200, { kind: `${req.type.kind}List`, apiVersion: 'metrics.k8s.io/v1beta1', metadata: {}, items: selected });
}
