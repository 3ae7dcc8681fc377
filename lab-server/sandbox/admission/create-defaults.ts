/**
 * What the API server fills in on every create, whoever creates (a client
 * through the API, a controller, the seeding): the types' defaults
 * (SetDefaults_*), the ServiceAccount admission, a Service's cluster IP and
 * node ports from their allocators, a Job's generated selector, and a custom
 * resource's schema defaults.
 */
import { createHash } from 'node:crypto';
import { getPath, isRecord, type KubeObject } from '../../k8s/object.ts';
import { formatIPv4, parseCidr } from '../../k8s/ipv4.ts';
import type { ResourceType } from '../resource-types/types.ts';
import type { ClusterView } from '../store/cluster-view.ts';
import { withSchemaDefaults } from './schema-defaults.ts';

export function defaultsOnCreate(cluster: ClusterView, type: ResourceType, object: KubeObject): KubeObject {
  switch (`${type.group}/${type.kind}`) {
    case '/Namespace':
      return {
        ...object,
        metadata: { ...object.metadata, labels: { ...object.metadata.labels, 'kubernetes.io/metadata.name': object.metadata.name } },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      };
    case 'project.openshift.io/Project':
      return { ...object, metadata: { ...object.metadata, labels: { ...object.metadata.labels, 'kubernetes.io/metadata.name': object.metadata.name } }, status: { phase: 'Active' } };
    case '/Pod':
      return withPodDefaults(object);
    case '/Service':
      return withServiceDefaults(cluster, object);
    case 'apps/Deployment':
      return withSpec(object, (spec) => ({
        replicas: 1,
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
        ...spec,
        strategy: isRecord(spec.strategy) && spec.strategy.type === 'Recreate' ? { type: 'Recreate' } : { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%', ...(isRecord(getPath(spec, ['strategy', 'rollingUpdate'])) ? (getPath(spec, ['strategy', 'rollingUpdate']) as object) : {}) } },
        template: withTemplateDefaults(spec.template),
      }));
    case 'apps/ReplicaSet':
      return withSpec(object, (spec) => ({ replicas: 1, ...spec, template: withTemplateDefaults(spec.template) }));
    case 'apps/StatefulSet':
      return withSpec(object, (spec) => ({
        replicas: 1,
        podManagementPolicy: 'OrderedReady',
        revisionHistoryLimit: 10,
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        ...spec,
        template: withTemplateDefaults(spec.template),
      }));
    case 'apps/DaemonSet':
      return withSpec(object, (spec) => ({ revisionHistoryLimit: 10, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }, ...spec, template: withTemplateDefaults(spec.template) }));
    case 'batch/Job':
      return withJobDefaults(object);
    case 'batch/CronJob':
      return withSpec(object, (spec) => ({ concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1, ...spec }));
    default:
      return type.schema ? (withSchemaDefaults(type.schema, object) as KubeObject) : object;
  }
}

function withSpec(object: KubeObject, defaults: (spec: Record<string, unknown>) => Record<string, unknown>): KubeObject {
  return { ...object, spec: defaults(isRecord(object.spec) ? object.spec : {}) };
}

function withTemplateDefaults(template: unknown): unknown {
  if (!isRecord(template)) return template;
  return { ...template, spec: podSpecDefaults(isRecord(template.spec) ? template.spec : {}) };
}

/**
 * The API server's defaults for a new pod (SetDefaults_PodSpec and friends, plus
 * the ServiceAccount admission): clients rely on them, e.g. kubectl debug reads
 * spec.securityContext without checking for nil.
 */
export function withPodDefaults(pod: KubeObject): KubeObject {
  return { ...pod, spec: podSpecDefaults(isRecord(pod.spec) ? pod.spec : {}) };
}

function podSpecDefaults(spec: Record<string, unknown>): Record<string, unknown> {
  const container = (c: unknown) => {
    const image = String(getPath(c, ['image']) ?? '');
    const tagged = image.slice(image.lastIndexOf('/') + 1).includes(':') || image.includes('@');
    const ports = getPath(c, ['ports']);
    return {
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      imagePullPolicy: !tagged || image.endsWith(':latest') ? 'Always' : 'IfNotPresent',
      resources: {},
      ...(isRecord(c) ? c : {}),
      ...(Array.isArray(ports) ? { ports: ports.map((p) => ({ protocol: 'TCP', ...(isRecord(p) ? p : {}) })) } : {}),
    };
  };
  const serviceAccount = typeof spec.serviceAccountName === 'string' ? spec.serviceAccountName : typeof spec.serviceAccount === 'string' ? spec.serviceAccount : 'default';
  return {
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: 'ClusterFirst',
    securityContext: {},
    schedulerName: 'default-scheduler',
    enableServiceLinks: true,
    priority: 0,
    preemptionPolicy: 'PreemptLowerPriority',
    ...spec,
    serviceAccountName: serviceAccount,
    serviceAccount,
    containers: (Array.isArray(spec.containers) ? spec.containers : []).map(container),
    ...(Array.isArray(spec.initContainers) ? { initContainers: spec.initContainers.map(container) } : {}),
  };
}

const NODE_PORTS = { first: 30000, last: 32767 };

/** ClusterIP from the service network, node ports from 30000–32767, and the fields every Service reads back with. */
function withServiceDefaults(cluster: ClusterView, service: KubeObject): KubeObject {
  const spec = isRecord(service.spec) ? service.spec : {};
  const type = typeof spec.type === 'string' ? spec.type : 'ClusterIP';
  if (type === 'ExternalName') return { ...service, spec: { sessionAffinity: 'None', ...spec, type } };
  const headless = spec.clusterIP === 'None';
  const clusterIP = typeof spec.clusterIP === 'string' && spec.clusterIP !== '' ? spec.clusterIP : allocateServiceIP(cluster);
  const usedPorts = new Set(cluster.store.list('/services').flatMap((s) => ((getPath(s, ['spec', 'ports']) as unknown[] | undefined) ?? []).map((p) => getPath(p, ['nodePort']))));
  const nodePort = () => {
    for (let port = NODE_PORTS.first; port <= NODE_PORTS.last; port++) if (!usedPorts.has(port)) return usedPorts.add(port), port;
    return undefined;
  };
  const ports = ((spec.ports as unknown[] | undefined) ?? []).filter(isRecord).map((p) => ({
    protocol: 'TCP',
    ...p,
    targetPort: p.targetPort ?? p.port,
    ...(type === 'NodePort' || type === 'LoadBalancer' ? { nodePort: p.nodePort ?? nodePort() } : {}),
  }));
  return {
    ...service,
    spec: {
      sessionAffinity: 'None',
      ...(headless ? {} : { internalTrafficPolicy: 'Cluster' }),
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      ...(type === 'NodePort' || type === 'LoadBalancer' ? { externalTrafficPolicy: 'Cluster' } : {}),
      ...spec,
      type,
      clusterIP: headless ? 'None' : clusterIP,
      clusterIPs: [headless ? 'None' : clusterIP],
      ports,
    },
    status: { loadBalancer: {} },
  };
}

/** The next free address of the service network, from .1 (the kubernetes Service's) up. */
function allocateServiceIP(cluster: ClusterView): string {
  const network = parseCidr(cluster.environment?.cluster.serviceNetwork ?? '172.30.0.0/16') ?? parseCidr('172.30.0.0/16')!;
  const used = new Set(cluster.store.list('/services').map((s) => getPath(s, ['spec', 'clusterIP'])));
  const size = 2 ** (32 - network.prefix);
  for (let offset = 1; offset < size - 1; offset++) {
    const ip = formatIPv4(network.address + offset);
    if (!used.has(ip)) return ip;
  }
  return '';
}

/** A Job's generated selector: its own uid, stamped on the pod template too (manualSelector unset). */
function withJobDefaults(job: KubeObject): KubeObject {
  const spec = isRecord(job.spec) ? job.spec : {};
  const uid = String(job.metadata.uid ?? '');
  const template = isRecord(spec.template) ? spec.template : {};
  const templateMeta = isRecord(template.metadata) ? template.metadata : {};
  const labels = { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': job.metadata.name, 'controller-uid': uid, 'job-name': job.metadata.name };
  return {
    ...job,
    spec: {
      parallelism: 1,
      completions: 1,
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      suspend: false,
      podReplacementPolicy: 'TerminatingOrFailed',
      ...spec,
      selector: spec.manualSelector === true && spec.selector ? spec.selector : { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } },
      template: withTemplateDefaults({ ...template, metadata: { ...templateMeta, labels: { ...(templateMeta.labels as object), ...labels } } }),
    },
  };
}

/** A stable short hash, as controllers name what they make from a template (pod-template-hash). */
export function templateHash(value: unknown): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const digest = createHash('sha256').update(JSON.stringify(value)).digest();
  return [...digest.subarray(0, 10)].map((b) => alphabet[b % alphabet.length]).join('');
}
