/**
 * The kubelet noticing that a container's main process ended: the container is
 * Terminated (Completed or Error) with its exit code, and the pod follows its
 * restartPolicy — restarted in place (Always, or OnFailure after a failure),
 * after the first time with the kubelet's back-off (CrashLoopBackOff: 10 s,
 * doubling to 5 min), or finished, Succeeded or Failed, once no container runs.
 */
import { getPath, isRecord, type KubeObject } from '../../k8s/object.ts';
import type { ClusterView } from '../store/cluster-view.ts';
import { now } from '../machinery/object-metadata.ts';

type ContainerStatus = Record<string, unknown> & { name: string; restartCount?: number; state?: Record<string, unknown> };

const BACK_OFF_FIRST_S = 10;
const BACK_OFF_MAX_S = 300;

/** How long the kubelet waits before the n-th restart (n from 1). */
export function restartBackOffSeconds(restarts: number): number {
  return restarts <= 1 ? 0 : Math.min(BACK_OFF_FIRST_S * 2 ** (restarts - 2), BACK_OFF_MAX_S);
}

export function containerExited(cluster: ClusterView, namespace: string, podName: string, container: string, exitCode: number): void {
  const pod = cluster.store.get('/pods', namespace, podName);
  if (!pod || pod.metadata.deletionTimestamp) return;
  const time = now();
  const policy = String(getPath(pod, ['spec', 'restartPolicy']) ?? 'Always');
  const restart = policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
  const field = ((getPath(pod, ['status', 'ephemeralContainerStatuses']) as ContainerStatus[] | undefined) ?? []).some((s) => s.name === container) ? 'ephemeralContainerStatuses' : 'containerStatuses';
  const statuses = ((getPath(pod, ['status', field]) as unknown[] | undefined) ?? []).filter(isRecord) as ContainerStatus[];
  const updated = statuses.map((s) => {
    if (s.name !== container || !isRecord(s.state?.running)) return s;
    const terminated = { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: (s.state.running as { startedAt?: string }).startedAt ?? time, finishedAt: time, ...(s.containerID ? { containerID: s.containerID } : {}) };
    // Ephemeral containers are never restarted.
    if (restart && field === 'containerStatuses') {
      const restartCount = (s.restartCount ?? 0) + 1;
      const wait = restartBackOffSeconds(restartCount);
      if (wait === 0) return { ...s, restartCount, lastState: { terminated }, state: { running: { startedAt: time } } };
      setTimeout(() => restartAfterBackOff(cluster, namespace, podName, container, restartCount), wait * 1000).unref();
      const message = `back-off ${wait === BACK_OFF_MAX_S ? '5m0s' : `${wait}s`} restarting failed container=${container} pod=${podName}_${namespace}(${String(pod.metadata.uid ?? '')})`;
      return { ...s, restartCount, ready: false, started: false, lastState: { terminated }, state: { waiting: { reason: 'CrashLoopBackOff', message } } };
    }
    return { ...s, ready: false, started: false, state: { terminated } };
  });
  const status = { ...(pod.status as Record<string, unknown>), [field]: updated };
  const main = field === 'containerStatuses' ? updated : (((getPath(pod, ['status', 'containerStatuses']) as unknown[] | undefined) ?? []).filter(isRecord) as ContainerStatus[]);
  if (main.length > 0 && main.every((s) => isRecord(s.state?.terminated))) {
    const failed = main.some((s) => (s.state?.terminated as { exitCode?: number }).exitCode !== 0);
    status.phase = failed ? 'Failed' : 'Succeeded';
    const conditions = ((status.conditions as unknown[] | undefined) ?? []).filter(isRecord);
    status.conditions = conditions.map((c) => (c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'False', reason: 'PodCompleted', lastTransitionTime: time } : c));
  }
  cluster.store.put('/pods', { ...pod, status } as KubeObject);
}

/** The back-off is over: the container runs again, unless the pod went or changed its mind meanwhile. */
function restartAfterBackOff(cluster: ClusterView, namespace: string, podName: string, container: string, restartCount: number): void {
  const pod = cluster.store.get('/pods', namespace, podName);
  if (!pod || pod.metadata.deletionTimestamp) return;
  const statuses = ((getPath(pod, ['status', 'containerStatuses']) as unknown[] | undefined) ?? []).filter(isRecord) as ContainerStatus[];
  const waiting = statuses.find((s) => s.name === container && s.restartCount === restartCount && isRecord(s.state?.waiting));
  if (!waiting) return;
  const time = now();
  const containerStatuses = statuses.map((s) => (s === waiting ? { ...s, started: true, state: { running: { startedAt: time } } } : s));
  cluster.store.put('/pods', { ...pod, status: { ...(pod.status as Record<string, unknown>), containerStatuses } } as KubeObject);
}
