/**
 * kube-controller-manager's apps controllers: a Deployment rolls out through
 * ReplicaSets (one per pod template, named by its hash, the old scaled down as
 * the new become available), a ReplicaSet keeps its count of pods, a
 * StatefulSet keeps ordered, named pods (one at a time while OrderedReady),
 * and a DaemonSet keeps one pod on every node that fits. Each reports status
 * as kubectl rollout status and get read it.
 */
import { getPath, isRecord, type KubeObject } from '../../../k8s/object.ts';
import { toLabelSelector, selectorMatches } from '../../../k8s/label-selector.ts';
import type { ClusterView } from '../../store/cluster-view.ts';
import { templateHash } from '../../admission/create-defaults.ts';
import type { ComputationResult } from '../computation.ts';
import type { RuleEvent } from '../rule.ts';
import { controllerEvent, createPod, deletePod, nameSuffix, ownedBy, ownerRef, podReady, updateSpec } from './owners.ts';
import { nodeFit, readyNodes } from './pods.ts';
import { findCondition, transitionTime } from './conditions.ts';

const REPLICASETS = 'apps/replicasets';
const REVISION = 'deployment.kubernetes.io/revision';
const rsEvent = controllerEvent('replicaset-controller');
const deploymentEvent = controllerEvent('deployment-controller');
const statefulSetEvent = controllerEvent('statefulset-controller');
const daemonSetEvent = controllerEvent('daemonset-controller');

function replicas(object: KubeObject, fallback = 1): number {
  const value = getPath(object, ['spec', 'replicas']);
  return typeof value === 'number' ? value : fallback;
}

function numberAt(object: unknown, path: string[]): number {
  const value = getPath(object, path);
  return typeof value === 'number' ? value : 0;
}

/** Status fields a controller owns, with absent ones removed (null), as a whole status write replaces them. */
function statusPatch(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v === 0 && k !== 'replicas' && k !== 'observedGeneration' ? null : v]));
}

/** A condition that keeps its transition time while its status holds. */
function condition(object: KubeObject, type: string, status: boolean, reason: string, message: string): Record<string, unknown> {
  const previous = findCondition(object, type);
  const value = status ? 'True' : 'False';
  const lastTransitionTime = transitionTime(object, type, value);
  const updated = getPath(previous, ['status']) === value && getPath(previous, ['reason']) === reason;
  return { type, status: value, lastUpdateTime: updated ? getPath(previous, ['lastUpdateTime']) : lastTransitionTime, lastTransitionTime, reason, message };
}

/** The ReplicaSet controller: as many pods as spec.replicas, the not-ready and newest removed first. */
export function reconcileReplicaSet(cluster: ClusterView, rs: KubeObject): ComputationResult {
  const events: RuleEvent[] = [];
  const want = replicas(rs);
  const pods = ownedBy(cluster, '/pods', rs).filter((p) => !['Succeeded', 'Failed'].includes(String(getPath(p, ['status', 'phase']))));
  for (let i = pods.length; i < want; i++) {
    const pod = createPod(cluster, rs, `${rs.metadata.name}-${nameSuffix()}`, getPath(rs, ['spec', 'template']));
    pods.push(pod);
    events.push(rsEvent('Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`));
  }
  if (pods.length > want) {
    const rank = (p: KubeObject) => (podReady(p) ? 1 : 0);
    const doomed = [...pods].sort((a, b) => rank(a) - rank(b) || String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp))).slice(0, pods.length - want);
    for (const pod of doomed) {
      deletePod(cluster, pod);
      events.push(rsEvent('Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`));
    }
    pods.splice(0, pods.length, ...pods.filter((p) => !doomed.includes(p)));
  }
  const selector = toLabelSelector(getPath(rs, ['spec', 'selector']));
  const ready = pods.filter(podReady).length;
  const status = statusPatch({
    replicas: pods.length,
    fullyLabeledReplicas: pods.filter((p) => selector.ok && selectorMatches(selector.selector, p.metadata.labels ?? {})).length,
    readyReplicas: ready,
    availableReplicas: ready,
    observedGeneration: rs.metadata.generation ?? 1,
  });
  return { ok: true, vars: { status, events } };
}

/** The Deployment controller: a ReplicaSet per pod template, rolled forward as its pods become available. */
export function reconcileDeployment(cluster: ClusterView, deployment: KubeObject): ComputationResult {
  const events: RuleEvent[] = [];
  const want = replicas(deployment);
  const template = getPath(deployment, ['spec', 'template']) as Record<string, unknown> | undefined;
  const hash = templateHash(template);
  const sets = ownedBy(cluster, REPLICASETS, deployment);
  let current = sets.find((rs) => rs.metadata.labels?.['pod-template-hash'] === hash);
  const old = sets.filter((rs) => rs !== current);
  const revision = Math.max(0, ...sets.map((rs) => Number(rs.metadata.annotations?.[REVISION] ?? 0)));
  const paused = getPath(deployment, ['spec', 'paused']) === true;
  const recreate = getPath(deployment, ['spec', 'strategy', 'type']) === 'Recreate';
  const oldRunning = old.reduce((n, rs) => n + numberAt(rs, ['status', 'replicas']), 0);
  if (!current && !paused) {
    const selector = getPath(deployment, ['spec', 'selector']) as Record<string, unknown> | undefined;
    const matchLabels = { ...((selector?.matchLabels as Record<string, string> | undefined) ?? {}), 'pod-template-hash': hash };
    const templateMeta = isRecord(template?.metadata) ? template.metadata : {};
    const initial = recreate && oldRunning > 0 ? 0 : want;
    current = cluster.createSystemObject({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${deployment.metadata.name}-${hash}`,
        namespace: deployment.metadata.namespace,
        labels: { ...((templateMeta.labels as Record<string, string> | undefined) ?? {}), 'pod-template-hash': hash },
        annotations: { [REVISION]: String(revision + 1), 'deployment.kubernetes.io/desired-replicas': String(want), 'deployment.kubernetes.io/max-replicas': String(want + 1) },
        ownerReferences: [ownerRef(deployment)],
      },
      spec: {
        replicas: initial,
        minReadySeconds: getPath(deployment, ['spec', 'minReadySeconds']) ?? 0,
        selector: { ...selector, matchLabels },
        template: { ...template, metadata: { ...templateMeta, labels: { ...((templateMeta.labels as Record<string, string> | undefined) ?? {}), 'pod-template-hash': hash } } },
      },
    });
    events.push(deploymentEvent('Normal', 'ScalingReplicaSet', `Scaled up replica set ${current.metadata.name} from 0 to ${initial}`));
  }
  if (current && !paused) {
    // The newest template scales to the desired count (after the old are gone, for Recreate); the old make room as it becomes available.
    const target = recreate && oldRunning > 0 ? 0 : want;
    if (replicas(current, 0) !== target) {
      events.push(deploymentEvent('Normal', 'ScalingReplicaSet', `Scaled ${target > replicas(current, 0) ? 'up' : 'down'} replica set ${current.metadata.name} from ${replicas(current, 0)} to ${target}`));
      current = updateSpec(cluster, REPLICASETS, current, { ...(current.spec as object), replicas: target });
    }
    let room = recreate ? 0 : Math.max(0, want - numberAt(current, ['status', 'availableReplicas']));
    for (const rs of old) {
      const keep = Math.min(replicas(rs, 0), room);
      room -= keep;
      if (keep === replicas(rs, 0)) continue;
      events.push(deploymentEvent('Normal', 'ScalingReplicaSet', `Scaled down replica set ${rs.metadata.name} from ${replicas(rs, 0)} to ${keep}`));
      updateSpec(cluster, REPLICASETS, rs, { ...(rs.spec as object), replicas: keep });
    }
  }
  const all = ownedBy(cluster, REPLICASETS, deployment);
  const sum = (path: string[]) => all.reduce((n, rs) => n + numberAt(rs, path), 0);
  const updated = current ? numberAt(current, ['status', 'replicas']) : 0;
  const available = sum(['status', 'availableReplicas']);
  const complete = updated === want && sum(['status', 'replicas']) === want && available === want;
  const name = current?.metadata.name ?? deployment.metadata.name;
  const status = statusPatch({
    observedGeneration: deployment.metadata.generation ?? 1,
    replicas: sum(['status', 'replicas']),
    updatedReplicas: updated,
    readyReplicas: sum(['status', 'readyReplicas']),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, want - available),
    conditions: [
      available >= want ? condition(deployment, 'Available', true, 'MinimumReplicasAvailable', 'Deployment has minimum availability.') : condition(deployment, 'Available', false, 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.'),
      paused
        ? condition(deployment, 'Progressing', false, 'DeploymentPaused', 'Deployment is paused')
        : complete
          ? condition(deployment, 'Progressing', true, 'NewReplicaSetAvailable', `ReplicaSet "${name}" has successfully progressed.`)
          : condition(deployment, 'Progressing', true, 'ReplicaSetUpdated', `ReplicaSet "${name}" is progressing.`),
    ],
  });
  const annotations = current ? { [REVISION]: current.metadata.annotations?.[REVISION] ?? String(revision) } : {};
  return { ok: true, vars: { status, annotations, events } };
}

/** The StatefulSet controller: pods name-0 … name-(n-1), made in order while OrderedReady, removed from the highest. */
export function reconcileStatefulSet(cluster: ClusterView, set: KubeObject): ComputationResult {
  const events: RuleEvent[] = [];
  const want = replicas(set);
  const template = getPath(set, ['spec', 'template']);
  const revision = `${set.metadata.name}-${templateHash(template)}`;
  const parallel = getPath(set, ['spec', 'podManagementPolicy']) === 'Parallel';
  const pods = new Map(ownedBy(cluster, '/pods', set, true).map((p) => [Number(p.metadata.labels?.['apps.kubernetes.io/pod-index'] ?? -1), p]));
  for (let ordinal = 0; ordinal < want; ordinal++) {
    const existing = pods.get(ordinal);
    if (existing) {
      if (!parallel && (!podReady(existing) || existing.metadata.deletionTimestamp)) break;
      continue;
    }
    const name = `${set.metadata.name}-${ordinal}`;
    const pod = createPod(cluster, set, name, template, {
      labels: { 'controller-revision-hash': revision, 'statefulset.kubernetes.io/pod-name': name, 'apps.kubernetes.io/pod-index': String(ordinal) },
      spec: { hostname: name, ...(typeof getPath(set, ['spec', 'serviceName']) === 'string' ? { subdomain: getPath(set, ['spec', 'serviceName']) } : {}) },
    });
    pods.set(ordinal, pod);
    events.push(statefulSetEvent('Normal', 'SuccessfulCreate', `create Pod ${name} in StatefulSet ${set.metadata.name} successful`));
    if (!parallel) break;
  }
  const live = [...pods.entries()].filter(([, p]) => !p.metadata.deletionTimestamp).sort(([a], [b]) => b - a);
  const extra = live.filter(([ordinal]) => ordinal >= want);
  const outdated = live.filter(([ordinal, p]) => ordinal < want && p.metadata.labels?.['controller-revision-hash'] !== revision);
  // One pod at a time, from the highest ordinal: the extra first, then (once all are ready) the outdated, which come back new.
  const next = extra[0] ?? (live.every(([, p]) => podReady(p)) ? outdated[0] : undefined);
  if (next) {
    deletePod(cluster, next[1]);
    events.push(statefulSetEvent('Normal', 'SuccessfulDelete', `delete Pod ${next[1].metadata.name} in StatefulSet ${set.metadata.name} successful`));
  }
  const current = live.filter(([ordinal]) => ordinal < want).map(([, p]) => p);
  const ready = current.filter(podReady).length;
  const status = statusPatch({
    observedGeneration: set.metadata.generation ?? 1,
    replicas: current.length,
    readyReplicas: ready,
    currentReplicas: current.filter((p) => p.metadata.labels?.['controller-revision-hash'] === revision).length,
    updatedReplicas: current.filter((p) => p.metadata.labels?.['controller-revision-hash'] === revision).length,
    availableReplicas: ready,
    currentRevision: revision,
    updateRevision: revision,
    collisionCount: 0,
  });
  return { ok: true, vars: { status: { ...status, collisionCount: 0 }, events } };
}

/** The DaemonSet controller: one pod on each ready node the template fits, bound to it, replaced one at a time when the template changes. */
export function reconcileDaemonSet(cluster: ClusterView, set: KubeObject): ComputationResult {
  const events: RuleEvent[] = [];
  const template = getPath(set, ['spec', 'template']);
  const hash = templateHash(template);
  const nodes = readyNodes(cluster).filter((n) => nodeFit(n, getPath(template, ['spec'])) === 'fits');
  const pods = ownedBy(cluster, '/pods', set);
  const byNode = new Map(pods.map((p) => [String(getPath(p, ['spec', 'nodeName'])), p]));
  for (const node of nodes) {
    if (byNode.has(node.metadata.name)) continue;
    const pod = createPod(cluster, set, `${set.metadata.name}-${nameSuffix()}`, template, {
      labels: { 'controller-revision-hash': hash, 'pod-template-generation': String(set.metadata.generation ?? 1) },
      spec: {
        nodeName: node.metadata.name,
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node.metadata.name] }] }] } } },
      },
    });
    byNode.set(node.metadata.name, pod);
    events.push(daemonSetEvent('Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`));
  }
  const eligible = new Set(nodes.map((n) => n.metadata.name));
  const misplaced = pods.filter((p) => !eligible.has(String(getPath(p, ['spec', 'nodeName']))));
  const outdated = pods.filter((p) => eligible.has(String(getPath(p, ['spec', 'nodeName']))) && p.metadata.labels?.['controller-revision-hash'] !== hash);
  const doomed = [...misplaced, ...(pods.every(podReady) ? outdated.slice(0, 1) : [])];
  for (const pod of doomed) {
    deletePod(cluster, pod);
    events.push(daemonSetEvent('Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`));
  }
  const placed = [...byNode.values()].filter((p) => eligible.has(String(getPath(p, ['spec', 'nodeName']))) && !doomed.includes(p));
  const ready = placed.filter(podReady).length;
  const status = {
    observedGeneration: set.metadata.generation ?? 1,
    desiredNumberScheduled: nodes.length,
    currentNumberScheduled: placed.length,
    numberMisscheduled: 0,
    numberReady: ready,
    numberAvailable: ready,
    numberUnavailable: nodes.length - ready > 0 ? nodes.length - ready : null,
    updatedNumberScheduled: placed.filter((p) => p.metadata.labels?.['controller-revision-hash'] === hash).length,
  };
  return { ok: true, vars: { status, events } };
}
