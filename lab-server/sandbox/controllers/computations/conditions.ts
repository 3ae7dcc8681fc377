/**
 * Status conditions as controllers keep them: a condition keeps its
 * lastTransitionTime while its status holds, so a settled object stops
 * being written.
 */
import { getPath, type KubeObject } from '../../../k8s/object.ts';
import { now } from '../../machinery/object-metadata.ts';

export function findCondition(object: KubeObject, type: string): unknown {
  return ((getPath(object, ['status', 'conditions']) as unknown[] | undefined) ?? []).find((c) => getPath(c, ['type']) === type);
}

/** The condition's transition time: kept while its status is `status`, now when it changes. */
export function transitionTime(object: KubeObject, type: string, status: string): string {
  const previous = findCondition(object, type);
  return getPath(previous, ['status']) === status ? String(getPath(previous, ['lastTransitionTime'])) : now();
}
