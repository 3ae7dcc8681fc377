/**
 * The endpoints and EndpointSlice controllers: a Service with a selector gets
 * an Endpoints object and an EndpointSlice listing the pods it selects, ready
 * or not, with its ports resolved against their containers (a named
 * targetPort finds the container port of that name).
 */
import { getPath, isRecord, stringMap, type KubeObject } from '../../../k8s/object.ts';
import type { ClusterView } from '../../store/cluster-view.ts';
import type { ComputationResult } from '../computation.ts';
import { nameSuffix, ownerRef, podReady } from './owners.ts';

const SLICES = 'discovery.k8s.io/endpointslices';

interface Target {
  pod: KubeObject;
  ip: string;
  ready: boolean;
  terminating: boolean;
}

function targetPort(pod: KubeObject, port: Record<string, unknown>): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  const named = ((getPath(pod, ['spec', 'containers']) as unknown[] | undefined) ?? []).flatMap((c) => ((getPath(c, ['ports']) as unknown[] | undefined) ?? []).filter(isRecord)).find((p) => p.name === target);
  return typeof named?.containerPort === 'number' ? named.containerPort : undefined;
}

export function reconcileEndpoints(cluster: ClusterView, service: KubeObject): ComputationResult {
  const selector = stringMap(getPath(service, ['spec', 'selector']));
  // A Service without a selector has its endpoints written by hand, as on a real cluster.
  if (Object.keys(selector).length === 0 || getPath(service, ['spec', 'type']) === 'ExternalName') return { ok: true, vars: {} };
  const namespace = service.metadata.namespace ?? 'default';
  const ports = ((getPath(service, ['spec', 'ports']) as unknown[] | undefined) ?? []).filter(isRecord);
  const targets: Target[] = cluster.store
    .list('/pods', namespace)
    .filter((p) => Object.entries(selector).every(([k, v]) => p.metadata.labels?.[k] === v) && typeof getPath(p, ['status', 'podIP']) === 'string')
    .map((pod) => ({ pod, ip: String(getPath(pod, ['status', 'podIP'])), ready: podReady(pod) && !pod.metadata.deletionTimestamp, terminating: pod.metadata.deletionTimestamp !== undefined }));
  const first = targets[0]?.pod;
  const portsFor = (pod: KubeObject | undefined) => ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), port: (pod && targetPort(pod, p)) ?? p.port, protocol: p.protocol ?? 'TCP' }));
  const address = (t: Target) => ({ ip: t.ip, nodeName: getPath(t.pod, ['spec', 'nodeName']), targetRef: { kind: 'Pod', namespace, name: t.pod.metadata.name, uid: t.pod.metadata.uid } });
  const ready = targets.filter((t) => t.ready);
  const notReady = targets.filter((t) => !t.ready && !t.terminating);
  const subsets = ready.length + notReady.length === 0 ? [] : [{ ...(ready.length ? { addresses: ready.map(address) } : {}), ...(notReady.length ? { notReadyAddresses: notReady.map(address) } : {}), ports: portsFor(first) }];
  write(cluster, '/endpoints', namespace, service.metadata.name, { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: service.metadata.name, namespace, labels: { ...service.metadata.labels } }, subsets });

  const slice = cluster.store.list(SLICES, namespace).find((s) => s.metadata.labels?.['kubernetes.io/service-name'] === service.metadata.name);
  const endpoints = targets.map((t) => ({
    addresses: [t.ip],
    conditions: { ready: t.ready, serving: podReady(t.pod), terminating: t.terminating },
    nodeName: getPath(t.pod, ['spec', 'nodeName']),
    targetRef: { kind: 'Pod', namespace, name: t.pod.metadata.name, uid: t.pod.metadata.uid },
  }));
  write(cluster, SLICES, namespace, slice?.metadata.name ?? `${service.metadata.name}-${nameSuffix()}`, {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: slice?.metadata.name ?? `${service.metadata.name}-${nameSuffix()}`,
      namespace,
      labels: { ...service.metadata.labels, 'kubernetes.io/service-name': service.metadata.name, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
      ownerReferences: [ownerRef(service)],
    },
    addressType: 'IPv4',
    endpoints,
    ports: portsFor(first),
  });
  return { ok: true, vars: {} };
}

/** Creates or replaces the controller's object, writing only when what it says changed. */
function write(cluster: ClusterView, resource: string, namespace: string, name: string, desired: KubeObject): void {
  const current = cluster.store.get(resource, namespace, name);
  if (!current) return void cluster.createSystemObject({ ...desired, metadata: { ...desired.metadata, name } });
  const { metadata: _m, ...wanted } = desired;
  const { metadata: _c, ...have } = current;
  if (JSON.stringify(wanted) === JSON.stringify(have)) return;
  cluster.store.put(resource, { ...current, ...wanted, metadata: { ...current.metadata, labels: desired.metadata.labels } });
}
