/**
 * pods/eviction (policy/v1 Eviction), what kubectl drain posts: the pod is
 * deleted as its DeleteOptions say, unless a PodDisruptionBudget that selects
 * it allows no disruption now — then 429, and drain tries again.
 */
import { getPath, isRecord, type KubeObject } from '../../k8s/object.ts';
import { selectorMatches, toLabelSelector } from '../../k8s/label-selector.ts';
import { ApiError, errors, successStatus } from '../machinery/status.ts';
import { parseDeleteOptions } from './delete-options.ts';
import { deleteObject, getObject, type ResourceRequest } from './resource-handlers.ts';

export function evictPod(req: ResourceRequest, body: unknown): unknown {
  if (!isRecord(body) || (body.kind !== undefined && body.kind !== 'Eviction')) throw errors.badRequest('the body of an eviction must be a policy/v1 Eviction');
  const pod = getObject(req);
  const { subresource: _subresource, ...podRequest } = req;
  const budgets = req.cluster.store.list('policy/poddisruptionbudgets', pod.metadata.namespace).filter((pdb) => {
    const selector = toLabelSelector(getPath(pdb, ['spec', 'selector']));
    return selector.ok && selectorMatches(selector.selector, pod.metadata.labels ?? {});
  });
  const running = getPath(pod, ['status', 'phase']) === 'Running';
  const blocking = running ? budgets.find((pdb) => Number(getPath(pdb, ['status', 'disruptionsAllowed']) ?? 0) < 1) : undefined;
  if (blocking) throw disruptionBudget(blocking);
  deleteObject(podRequest, parseDeleteOptions(isRecord(body.deleteOptions) ? body.deleteOptions : undefined));
  return { ...successStatus(), code: 201 };
}

function disruptionBudget(pdb: KubeObject): ApiError {
  const desired = Number(getPath(pdb, ['status', 'desiredHealthy']) ?? 0);
  const current = Number(getPath(pdb, ['status', 'currentHealthy']) ?? 0);
  return new ApiError({
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
    message: "Cannot evict pod as it would violate the pod's disruption budget.",
    reason: 'TooManyRequests',
    details: { causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${pdb.metadata.name} needs ${desired} healthy pods and has ${current} currently` }] },
    code: 429,
  });
}
