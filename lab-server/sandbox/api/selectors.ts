/** labelSelector and fieldSelector query parameters, as list and watch apply them. */
import { parseLabelSelectorString, selectorMatches } from '../../k8s/label-selector.ts';
import { getPath, type KubeObject } from '../../k8s/object.ts';
import type { ResourceType } from '../resource-types/types.ts';
import { errors } from '../machinery/status.ts';

export type ObjectFilter = (object: KubeObject) => boolean;

/** Field selector keys each kind supports beyond metadata.name and metadata.namespace. */
const FIELDS: Record<string, string[]> = {
  Event: ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'],
  Pod: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
  Node: ['spec.unschedulable'],
  Secret: ['type'],
  Namespace: ['status.phase'],
};

export function objectFilter(type: ResourceType, params: URLSearchParams): ObjectFilter {
  const filters: ObjectFilter[] = [];
  const labelSelector = params.get('labelSelector');
  if (labelSelector) {
    const parsed = parseLabelSelectorString(labelSelector);
    if (!parsed.ok) throw errors.badRequest(parsed.error);
    filters.push((o) => selectorMatches(parsed.selector, o.metadata.labels ?? {}));
  }
  const fieldSelector = params.get('fieldSelector');
  if (fieldSelector) {
    const allowed = new Set(['metadata.name', 'metadata.namespace', ...(FIELDS[type.kind] ?? [])]);
    for (const term of fieldSelector.split(',').filter(Boolean)) {
      const match = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
      if (!match) throw errors.badRequest(`invalid field selector: "${term}"; write field=value or field!=value`);
      const [, field = '', op, value = ''] = match;
      if (!allowed.has(field)) throw errors.badRequest(`field label not supported: ${field}`);
      const path = field === 'source' ? ['source', 'component'] : field.split('.');
      filters.push((o) => {
        const actual = getPath(o, path);
        const equal = String(actual ?? '') === value;
        return op === '!=' ? !equal : equal;
      });
    }
  }
  return (o) => filters.every((f) => f(o));
}
