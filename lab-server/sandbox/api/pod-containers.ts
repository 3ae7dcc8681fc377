/** Picking the container an exec, attach or logs request means, with the API server's errors. */
import { getPath, type KubeObject } from '../../k8s/object.ts';
import { errors } from '../machinery/status.ts';

export function containerNames(pod: KubeObject, field: 'containers' | 'ephemeralContainers' = 'containers'): string[] {
  const containers = getPath(pod, ['spec', field]);
  return (Array.isArray(containers) ? containers : []).map((c) => String(getPath(c, ['name'])));
}

/** The container a request names; an ephemeral one only when named, as the API server does. */
export function chooseContainer(pod: KubeObject, requested: string | null): string {
  const names = containerNames(pod);
  if (requested) {
    if (!names.includes(requested) && !containerNames(pod, 'ephemeralContainers').includes(requested)) throw errors.badRequest(`container ${requested} is not valid for pod ${pod.metadata.name}`);
    return requested;
  }
  if (names.length === 1) return names[0]!;
  throw errors.badRequest(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${names.join(' ')}]`);
}

/** The kubelet can only exec into or attach to a container that runs. */
export function requireRunning(pod: KubeObject, container: string): void {
  type Statuses = { name: string; state?: { running?: unknown } }[];
  const status = pod.status && typeof pod.status === 'object' ? (pod.status as { containerStatuses?: Statuses; ephemeralContainerStatuses?: Statuses }) : {};
  const statuses = [...(status.containerStatuses ?? []), ...(status.ephemeralContainerStatuses ?? [])];
  if (!statuses.some((s) => s.name === container && s.state?.running)) throw errors.badRequest(`container not found ("${container}")`);
}
