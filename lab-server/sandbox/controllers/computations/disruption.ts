/** The disruption controller: how many of a PodDisruptionBudget's pods are healthy, and how many may go now. */
import { getPath, type KubeObject } from '../../../k8s/object.ts';
import { selectorMatches, toLabelSelector } from '../../../k8s/label-selector.ts';
import type { ClusterView } from '../../store/cluster-view.ts';
import type { ComputationResult } from '../computation.ts';
import { podReady } from './owners.ts';
import { transitionTime } from './conditions.ts';

/** An int-or-percent of `total`: a percentage rounds up, as the controller's GetScaledValueFromIntOrPercent(…, true). */
function scaled(value: unknown, total: number): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d+%$/.test(value)) return Math.ceil((Number(value.slice(0, -1)) * total) / 100);
  return undefined;
}

export function reconcileDisruptionBudget(cluster: ClusterView, pdb: KubeObject): ComputationResult {
  const selector = toLabelSelector(getPath(pdb, ['spec', 'selector']));
  const pods = cluster.store.list('/pods', pdb.metadata.namespace).filter((p) => !p.metadata.deletionTimestamp && selector.ok && selectorMatches(selector.selector, p.metadata.labels ?? {}));
  const expected = pods.length;
  const healthy = pods.filter(podReady).length;
  const minAvailable = scaled(getPath(pdb, ['spec', 'minAvailable']), expected);
  const maxUnavailable = scaled(getPath(pdb, ['spec', 'maxUnavailable']), expected);
  const desired = minAvailable ?? (maxUnavailable !== undefined ? Math.max(0, expected - maxUnavailable) : expected);
  const allowed = Math.max(0, healthy - desired);
  const status = allowed > 0 ? 'True' : 'False';
  const time = transitionTime(pdb, 'DisruptionAllowed', status);
  return {
    ok: true,
    vars: {
      status: {
        observedGeneration: pdb.metadata.generation ?? 1,
        currentHealthy: healthy,
        desiredHealthy: desired,
        disruptionsAllowed: allowed,
        expectedPods: expected,
        conditions: [{ type: 'DisruptionAllowed', status, reason: allowed > 0 ? 'SufficientPods' : 'InsufficientPods', message: '', observedGeneration: pdb.metadata.generation ?? 1, lastTransitionTime: time }],
      },
    },
  };
}
