/**
 * meta.k8s.io/v1 Tables: kubectl prints exactly the cells it receives, so the
 * server computes them, as the real printers (pkg/printers/internalversion)
 * and the CRD table convertor do.
 */
import { evaluateJsonPath, parseJsonPath } from '../../lesson/jsonpath.ts';
import { getPath, isRecord, type KubeObject } from '../../k8s/object.ts';
import type { PrinterColumn, ResourceType } from '../resource-types/types.ts';
import { errors } from '../machinery/status.ts';

type Cell = string | number | boolean | null;

interface Column {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority: number;
  cell: (object: KubeObject, now: number) => Cell;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: Omit<Column, 'cell'>[];
  rows: { cells: Cell[]; object?: KubeObject | { kind: 'PartialObjectMetadata'; apiVersion: 'meta.k8s.io/v1'; metadata: KubeObject['metadata'] } }[];
}

export function wantsTable(accept: string | undefined): boolean {
  return /as=Table/.test(accept ?? '');
}

/** What each row carries besides its cells (?includeObject=): metadata by default; the whole object for sorting on any field. */
export type TableObjects = 'None' | 'Metadata' | 'Object';

export function tableObjects(params: URLSearchParams): TableObjects {
  const value = params.get('includeObject') ?? 'Metadata';
  if (value === 'None' || value === 'Metadata' || value === 'Object') return value;
  throw errors.badRequest(`Invalid value: "${value}": must be one of None, Metadata, Object`);
}

export function renderTable(type: ResourceType, objects: KubeObject[], resourceVersion: number, withHeaders = true, page: { continue?: string; remainingItemCount?: number } = {}, include: TableObjects = 'Metadata'): Table {
  const columns = columnsFor(type);
  const now = Date.now();
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: String(resourceVersion), ...(page.continue ? { continue: page.continue, remainingItemCount: page.remainingItemCount } : {}) },
    columnDefinitions: withHeaders ? columns.map(({ cell: _cell, ...definition }) => definition) : [],
    rows: objects.map((object) => ({
      cells: columns.map((c) => c.cell(object, now)),
      ...(include === 'Object' ? { object } : include === 'Metadata' ? { object: { kind: 'PartialObjectMetadata' as const, apiVersion: 'meta.k8s.io/v1' as const, metadata: object.metadata } } : {}),
    })),
  };
}

/** k8s.io/apimachinery/pkg/util/duration.HumanDuration, as the AGE column shows it. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${Math.floor(days / 365)}y` : `${Math.floor(days / 365)}y${days % 365}d`;
  return `${Math.floor(days / 365)}y`;
}

function age(timestamp: unknown, now: number): string {
  if (typeof timestamp !== 'string') return '<unknown>';
  return humanDuration(now - Date.parse(timestamp));
}

const name: Column = { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0, cell: (o) => o.metadata.name };
const ageColumn: Column = { name: 'Age', type: 'string', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0, cell: (o, now) => age(o.metadata.creationTimestamp, now) };
const str = (v: unknown, none = '<none>'): string => (v === undefined || v === null || v === '' ? none : String(v));
const col = (title: string, cell: Column['cell'], priority = 0, type = 'string'): Column => ({ name: title, type, priority, cell });

const BUILTIN_COLUMNS: Record<string, Column[]> = {
  Pod: [
    name,
    col('Ready', (o) => {
      const statuses = arrayAt(o, ['status', 'containerStatuses']);
      const containers = arrayAt(o, ['spec', 'containers']);
      return `${statuses.filter((s) => getPath(s, ['ready']) === true).length}/${containers.length}`;
    }),
    col('Status', podStatusReason),
    col('Restarts', (o) => arrayAt(o, ['status', 'containerStatuses']).reduce((n: number, s) => n + Number(getPath(s, ['restartCount']) ?? 0), 0), 0, 'string'),
    ageColumn,
    col('IP', (o) => str(getPath(o, ['status', 'podIP'])), 1),
    col('Node', (o) => str(getPath(o, ['spec', 'nodeName'])), 1),
    col('Nominated Node', (o) => str(getPath(o, ['status', 'nominatedNodeName'])), 1),
    col('Readiness Gates', (o) => {
      const gates = arrayAt(o, ['spec', 'readinessGates']);
      return gates.length === 0 ? '<none>' : `0/${gates.length}`;
    }, 1),
  ],
  Node: [
    name,
    col('Status', (o) => {
      const ready = arrayAt(o, ['status', 'conditions']).find((c) => getPath(c, ['type']) === 'Ready');
      const state = getPath(ready, ['status']) === 'True' ? 'Ready' : ready ? 'NotReady' : 'Unknown';
      return getPath(o, ['spec', 'unschedulable']) === true ? `${state},SchedulingDisabled` : state;
    }),
    col('Roles', (o) => {
      const roles = Object.keys(o.metadata.labels ?? {}).filter((k) => k.startsWith('node-role.kubernetes.io/')).map((k) => k.slice('node-role.kubernetes.io/'.length)).sort();
      return roles.length > 0 ? roles.join(',') : '<none>';
    }),
    ageColumn,
    col('Version', (o) => str(getPath(o, ['status', 'nodeInfo', 'kubeletVersion']), '')),
    col('Internal-IP', (o) => nodeAddress(o, 'InternalIP'), 1),
    col('External-IP', (o) => nodeAddress(o, 'ExternalIP'), 1),
    col('OS-Image', (o) => str(getPath(o, ['status', 'nodeInfo', 'osImage']), '<unknown>'), 1),
    col('Kernel-Version', (o) => str(getPath(o, ['status', 'nodeInfo', 'kernelVersion']), '<unknown>'), 1),
    col('Container-Runtime', (o) => str(getPath(o, ['status', 'nodeInfo', 'containerRuntimeVersion']), '<unknown>'), 1),
  ],
  Namespace: [name, col('Status', (o) => str(getPath(o, ['status', 'phase']), '')), ageColumn],
  Project: [name, col('Display Name', (o) => str(o.metadata.annotations?.['openshift.io/display-name'], '')), col('Status', (o) => str(getPath(o, ['status', 'phase']), ''))],
  Event: [
    col('Last Seen', (o, now) => age(getPath(o, ['lastTimestamp']) ?? getPath(o, ['eventTime']) ?? o.metadata.creationTimestamp, now)),
    col('Type', (o) => str(getPath(o, ['type']), '')),
    col('Reason', (o) => str(getPath(o, ['reason']), '')),
    col('Object', (o) => `${String(getPath(o, ['involvedObject', 'kind']) ?? '').toLowerCase()}/${String(getPath(o, ['involvedObject', 'name']) ?? '')}`),
    col('Message', (o) => str(getPath(o, ['message']), '')),
    col('Subobject', (o) => str(getPath(o, ['involvedObject', 'fieldPath']), ''), 1),
    col('Source', (o) => [getPath(o, ['source', 'component']), getPath(o, ['source', 'host'])].filter(Boolean).join(', '), 1),
    col('First Seen', (o, now) => age(getPath(o, ['firstTimestamp']) ?? o.metadata.creationTimestamp, now), 1),
    col('Count', (o) => Number(getPath(o, ['count']) ?? 1), 1, 'integer'),
    { ...name, name: 'Name', format: '', priority: 1 },
  ],
  Service: [
    name,
    col('Type', (o) => str(getPath(o, ['spec', 'type']), 'ClusterIP')),
    col('Cluster-IP', (o) => str(getPath(o, ['spec', 'clusterIP']))),
    col('External-IP', (o) => str(getPath(o, ['spec', 'externalIPs']) ? arrayAt(o, ['spec', 'externalIPs']).join(',') : undefined)),
    col('Port(s)', (o) => arrayAt(o, ['spec', 'ports']).map((p) => `${String(getPath(p, ['port']))}/${String(getPath(p, ['protocol']) ?? 'TCP')}`).join(',') || '<none>'),
    ageColumn,
    col('Selector', (o) => {
      const selector = getPath(o, ['spec', 'selector']);
      return isRecord(selector) ? Object.entries(selector).map(([k, v]) => `${k}=${String(v)}`).join(',') : '<none>';
    }, 1),
  ],
  ConfigMap: [name, col('Data', (o) => Object.keys({ ...(getPath(o, ['data']) as object), ...(getPath(o, ['binaryData']) as object) }).length, 0, 'integer'), ageColumn],
  Secret: [name, col('Type', (o) => str(getPath(o, ['type']), 'Opaque')), col('Data', (o) => Object.keys((getPath(o, ['data']) as object) ?? {}).length, 0, 'integer'), ageColumn],
  ServiceAccount: [name, col('Secrets', (o) => arrayAt(o, ['secrets']).length, 0, 'integer'), ageColumn],
  CustomResourceDefinition: [name, col('Created At', (o) => str(o.metadata.creationTimestamp, ''), 0, 'date')],
  Deployment: [
    name,
    col('Ready', (o) => `${num(o, ['status', 'readyReplicas'])}/${num(o, ['spec', 'replicas'])}`),
    col('Up-to-date', (o) => num(o, ['status', 'updatedReplicas']), 0, 'integer'),
    col('Available', (o) => num(o, ['status', 'availableReplicas']), 0, 'integer'),
    ageColumn,
    ...workloadWide(),
  ],
  ReplicaSet: [
    name,
    col('Desired', (o) => num(o, ['spec', 'replicas']), 0, 'integer'),
    col('Current', (o) => num(o, ['status', 'replicas']), 0, 'integer'),
    col('Ready', (o) => num(o, ['status', 'readyReplicas']), 0, 'integer'),
    ageColumn,
    ...workloadWide(),
  ],
  StatefulSet: [name, col('Ready', (o) => `${num(o, ['status', 'readyReplicas'])}/${num(o, ['spec', 'replicas'])}`), ageColumn, ...workloadWide().slice(0, 2)],
  DaemonSet: [
    name,
    col('Desired', (o) => num(o, ['status', 'desiredNumberScheduled']), 0, 'integer'),
    col('Current', (o) => num(o, ['status', 'currentNumberScheduled']), 0, 'integer'),
    col('Ready', (o) => num(o, ['status', 'numberReady']), 0, 'integer'),
    col('Up-to-date', (o) => num(o, ['status', 'updatedNumberScheduled']), 0, 'integer'),
    col('Available', (o) => num(o, ['status', 'numberAvailable']), 0, 'integer'),
    col('Node Selector', (o) => labelsText(getPath(o, ['spec', 'template', 'spec', 'nodeSelector']))),
    ageColumn,
    ...workloadWide(),
  ],
  ControllerRevision: [name, col('Controller', (o) => { const owner = arrayAt(o, ['metadata', 'ownerReferences'])[0]; return owner ? `${String(getPath(owner, ['kind'])).toLowerCase()}.apps/${String(getPath(owner, ['name']))}` : '<none>'; }), col('Revision', (o) => num(o, ['revision']), 0, 'integer'), ageColumn],
  Job: [
    name,
    col('Status', jobStatus),
    col('Completions', (o) => `${num(o, ['status', 'succeeded'])}/${num(o, ['spec', 'completions']) || 1}`),
    col('Duration', (o, now) => { const start = getPath(o, ['status', 'startTime']); if (typeof start !== 'string') return ''; const end = getPath(o, ['status', 'completionTime']); return humanDuration((typeof end === 'string' ? Date.parse(end) : now) - Date.parse(start)); }),
    ageColumn,
    ...workloadWide(),
  ],
  CronJob: [
    name,
    col('Schedule', (o) => str(getPath(o, ['spec', 'schedule']), '')),
    col('Timezone', (o) => str(getPath(o, ['spec', 'timeZone']))),
    col('Suspend', (o) => String(getPath(o, ['spec', 'suspend']) === true ? 'True' : 'False')),
    col('Active', (o) => arrayAt(o, ['status', 'active']).length, 0, 'integer'),
    col('Last Schedule', (o, now) => { const last = getPath(o, ['status', 'lastScheduleTime']); return typeof last === 'string' ? age(last, now) : '<none>'; }),
    ageColumn,
  ],
  Endpoints: [name, col('Endpoints', endpointsText), ageColumn],
  EndpointSlice: [
    name,
    col('AddressType', (o) => str(getPath(o, ['addressType']), '')),
    col('Ports', (o) => arrayAt(o, ['ports']).map((p) => String(getPath(p, ['port']))).join(',') || '<unset>'),
    col('Endpoints', (o) => { const addresses = arrayAt(o, ['endpoints']).flatMap((e) => arrayAt(e, ['addresses']).map(String)); return addresses.length === 0 ? '<unset>' : addresses.length > 3 ? `${addresses.slice(0, 3).join(',')} + ${addresses.length - 3} more...` : addresses.join(','); }),
    ageColumn,
  ],
  Lease: [name, col('Holder', (o) => str(getPath(o, ['spec', 'holderIdentity']), '')), ageColumn],
  PodDisruptionBudget: [
    name,
    col('Min Available', (o) => str(getPath(o, ['spec', 'minAvailable']), 'N/A')),
    col('Max Unavailable', (o) => str(getPath(o, ['spec', 'maxUnavailable']), 'N/A')),
    col('Allowed Disruptions', (o) => num(o, ['status', 'disruptionsAllowed']), 0, 'integer'),
    ageColumn,
  ],
};

function num(object: unknown, path: string[]): number {
  const value = getPath(object, path);
  return typeof value === 'number' ? value : 0;
}

function labelsText(value: unknown): string {
  return isRecord(value) && Object.keys(value).length > 0 ? Object.entries(value).map(([k, v]) => `${k}=${String(v)}`).join(',') : '<none>';
}

/** The wide columns of workload kinds: their containers, images and selector. */
function workloadWide(): Column[] {
  const containers = (o: KubeObject) => arrayAt(o, ['spec', 'template', 'spec', 'containers']);
  return [
    col('Containers', (o) => containers(o).map((c) => String(getPath(c, ['name']))).join(','), 1),
    col('Images', (o) => containers(o).map((c) => String(getPath(c, ['image']))).join(','), 1),
    col('Selector', (o) => { const selector = getPath(o, ['spec', 'selector']); const labels = isRecord(selector) && isRecord(selector.matchLabels) ? selector.matchLabels : selector; return labelsText(labels); }, 1),
  ];
}

function jobStatus(o: KubeObject): string {
  const conditions = arrayAt(o, ['status', 'conditions']).filter((c) => getPath(c, ['status']) === 'True').map((c) => String(getPath(c, ['type'])));
  if (conditions.includes('Complete')) return 'Complete';
  if (conditions.includes('Failed')) return 'Failed';
  if (conditions.includes('Suspended')) return 'Suspended';
  if (conditions.includes('FailureTarget')) return 'FailureTarget';
  if (conditions.includes('SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

/** ENDPOINTS of kubectl get endpoints: ip:port pairs, three at most, then how many more. */
function endpointsText(o: KubeObject): string {
  const pairs = arrayAt(o, ['subsets']).flatMap((subset) => {
    const ports = arrayAt(subset, ['ports']);
    return arrayAt(subset, ['addresses']).flatMap((a) => (ports.length ? ports.map((p) => `${String(getPath(a, ['ip']))}:${String(getPath(p, ['port']))}`) : [String(getPath(a, ['ip']))]));
  });
  if (pairs.length === 0) return '<none>';
  return pairs.length > 3 ? `${pairs.slice(0, 3).join(',')} + ${pairs.length - 3} more...` : pairs.join(',');
}

function nodeAddress(node: KubeObject, kind: string): string {
  return str(getPath(arrayAt(node, ['status', 'addresses']).find((a) => getPath(a, ['type']) === kind), ['address']));
}

function arrayAt(object: unknown, path: string[]): unknown[] {
  const value = getPath(object, path);
  return Array.isArray(value) ? value : [];
}

/** The STATUS column of `kubectl get pods` (printPod): the most telling reason. */
function podStatusReason(o: KubeObject): string {
  let reason = str(getPath(o, ['status', 'reason']), '') || str(getPath(o, ['status', 'phase']), 'Pending');
  for (const status of arrayAt(o, ['status', 'containerStatuses'])) {
    const waiting = getPath(status, ['state', 'waiting', 'reason']);
    const terminated = getPath(status, ['state', 'terminated']);
    if (typeof waiting === 'string' && waiting !== '') reason = waiting;
    else if (isRecord(terminated)) reason = str(terminated.reason, '') || (terminated.signal ? `Signal:${String(terminated.signal)}` : `ExitCode:${String(terminated.exitCode)}`);
  }
  if (o.metadata.deletionTimestamp) reason = 'Terminating';
  return reason;
}

function columnsFor(type: ResourceType): Column[] {
  const builtin = BUILTIN_COLUMNS[type.kind];
  if (builtin && type.printerColumns === undefined) return builtin;
  const printer = type.printerColumns ?? [];
  if (printer.length === 0) return [name, ageColumn];
  return [name, ...printer.map(printerColumn)];
}

function printerColumn(column: PrinterColumn): Column {
  const parsed = parseJsonPath(column.jsonPath);
  return {
    name: column.name,
    type: column.type,
    ...(column.description ? { description: column.description } : {}),
    priority: column.priority,
    cell: (object, now) => {
      if (!parsed.ok) return null;
      const values = evaluateJsonPath(parsed.segments, object);
      if (values.length === 0 || values[0] === undefined) return null;
      if (column.type === 'date') return age(values[0], now);
      return values.length === 1 ? (values[0] as Cell) : values.map(String).join(',');
    },
  };
}
