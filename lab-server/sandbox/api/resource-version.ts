/**
 * What a list or watch's resourceVersion and resourceVersionMatch mean, as
 * kube-apiserver reads them: unset is "most recent"; "0" is "any"; a number
 * is "not older than" (waited for, up to 3 s, when the cluster has not reached
 * it yet); with resourceVersionMatch=Exact, the list as it was then.
 */
import { ApiError, errors, type StatusCause } from '../machinery/status.ts';
import type { ObjectStore } from '../store/object-store.ts';

/** How long a request for a resourceVersion the store has not reached waits for it. */
const FUTURE_WAIT_MS = 3000;
const LIST_OPTIONS = { group: 'meta.k8s.io', kind: 'ListOptions', plural: '' };

export interface ReadPoint {
  /** The resourceVersion asked for, when one was. */
  resourceVersion?: number;
  /** List exactly as of resourceVersion. */
  exact: boolean;
}

export async function readPoint(store: ObjectStore, params: URLSearchParams, watch: boolean): Promise<ReadPoint> {
  const raw = params.get('resourceVersion');
  const match = params.get('resourceVersionMatch');
  const causes: StatusCause[] = [];
  const forbid = (message: string) => causes.push({ reason: 'FieldValueForbidden', field: 'resourceVersionMatch', message: `Forbidden: ${message}` });
  const initialEvents = params.has('sendInitialEvents');
  if (watch && initialEvents && match !== 'NotOlderThan') causes.push({ reason: 'FieldValueForbidden', field: 'sendInitialEvents', message: 'Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan' });
  else if (!watch && initialEvents) causes.push({ reason: 'FieldValueForbidden', field: 'sendInitialEvents', message: 'Forbidden: sendInitialEvents is forbidden for list' });
  else if (match !== null && match !== '' && !(watch && initialEvents)) {
    if (watch) forbid('resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided');
    else if (raw === null || raw === '') forbid('resourceVersionMatch is forbidden unless resourceVersion is provided');
    else if (match !== 'Exact' && match !== 'NotOlderThan') causes.push({ reason: 'FieldValueNotSupported', field: 'resourceVersionMatch', message: `Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"` });
    else if (match === 'Exact' && raw === '0') forbid('resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
  }
  if (causes.length) throw errors.invalid(LIST_OPTIONS, '', causes);
  if (raw === null || raw === '') return { exact: false };
  if (!/^\d+$/.test(raw)) throw errors.badRequest(`resourceVersion: Invalid value: "${raw}": strconv.ParseUint: parsing "${raw}": invalid syntax`);
  const resourceVersion = Number(raw);
  if (resourceVersion > store.resourceVersion && !(await store.reached(resourceVersion, FUTURE_WAIT_MS))) throw tooLarge(resourceVersion, store.resourceVersion);
  return { resourceVersion, exact: match === 'Exact' };
}

function tooLarge(asked: number, current: number): ApiError {
  return new ApiError({
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
    message: `Timeout: Too large resource version: ${asked}, current: ${current}`,
    reason: 'Timeout',
    details: { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 },
    code: 504,
  });
}
