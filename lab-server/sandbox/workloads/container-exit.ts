/**
 * The kubelet noticing that a container's main process ended: the container is
 * Terminated (Completed or Error) with its exit code, and the pod follows its
 * restartPolicy — restarted in place (Always, or OnFailure after a failure),
 * or finished, Succeeded or Failed, once no container runs.
 */
import { getPath, isRecord, type KubeObject } from '../../k8s/object.ts';
import type { ClusterView } from '../store/cluster-view.ts';

type ContainerStatus = Record<string, unknown> & { name: string; restartCount?: number; state?: Record<string, unknown> };

export function containerExited(cluster: ClusterView, namespace: string, podName: string, container: string, exitCode: number): void {
  const pod = cluster.store.get('/pods', namespace, podName);
  if (!pod || pod.metadata.deletionTimestamp) return;
  const time = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const policy = String(getPath(pod, ['spec', 'restartPolicy']) ?? 'Always');
  const restart = policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
  const field = ((getPath(pod, ['status', 'ephemeralContainerStatuses']) as ContainerStatus[] | undefined) ?? []).some((s) => s.name === container) ? 'ephemeralContainerStatuses' : 'containerStatuses';
  const statuses = ((getPath(pod, ['status', field]) as unknown[] | undefined) ?? []).filter(isRecord) as ContainerStatus[];
  const updated = statuses.map((s) => {
    if (s.name !== container || !isRecord(s.state?.running)) return s;
    const terminated = { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: (s.state.running as { startedAt?: string }).startedAt ?? time, finishedAt: time, ...(s.containerID ? { containerID: s.containerID } : {}) };
    // Ephemeral containers are never restarted.
    if (restart && field === 'containerStatuses') return { ...s, restartCount: (s.restartCount ?? 0) + 1, lastState: { terminated }, state: { running: { startedAt: time } } };
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
