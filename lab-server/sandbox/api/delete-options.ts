/** The DeleteOptions body a DELETE may carry (kubectl sends propagationPolicy). */
import { isRecord, type KubeObject } from '../../k8s/object.ts';
import type { ResourceType } from '../resource-types/types.ts';
import { errors } from '../machinery/status.ts';

export interface DeleteOptions {
  dryRun: boolean;
  /** 0 deletes at once (--force --grace-period=0); otherwise a running pod terminates first. */
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

const POLICIES = new Set(['Orphan', 'Background', 'Foreground']);
const FIELDS = new Set(['kind', 'apiVersion', 'gracePeriodSeconds', 'preconditions', 'orphanDependents', 'propagationPolicy', 'dryRun', 'ignoreStoreReadErrorWithClusterBreakingPotential']);

export function parseDeleteOptions(body: unknown | undefined): DeleteOptions {
  if (body === undefined) return { dryRun: false };
  if (!isRecord(body)) throw errors.badRequest('the DELETE body must be a DeleteOptions object, e.g. {"propagationPolicy":"Background"}');
  if (body.kind !== undefined && body.kind !== 'DeleteOptions') throw errors.badRequest(`the DELETE body is a ${String(body.kind)}, not a DeleteOptions`);
  const unknown = Object.keys(body).filter((k) => !FIELDS.has(k));
  if (unknown.length > 0) throw errors.badRequest(`DeleteOptions has unknown field(s): ${unknown.map((k) => `"${k}"`).join(', ')}`);
  if (body.propagationPolicy !== undefined && !POLICIES.has(String(body.propagationPolicy)))
    throw errors.badRequest(`propagationPolicy must be one of Orphan, Background or Foreground, not "${String(body.propagationPolicy)}"`);
  const dryRun = Array.isArray(body.dryRun) && body.dryRun.includes('All');
  const preconditions = isRecord(body.preconditions) ? { ...(typeof body.preconditions.uid === 'string' ? { uid: body.preconditions.uid } : {}), ...(typeof body.preconditions.resourceVersion === 'string' ? { resourceVersion: body.preconditions.resourceVersion } : {}) } : undefined;
  const grace = typeof body.gracePeriodSeconds === 'number' ? { gracePeriodSeconds: body.gracePeriodSeconds } : {};
  return { dryRun, ...grace, ...(preconditions ? { preconditions } : {}) };
}

export function checkPreconditions(type: ResourceType, object: KubeObject, options: DeleteOptions): void {
  const { uid, resourceVersion } = options.preconditions ?? {};
  if (uid !== undefined && uid !== object.metadata.uid)
    throw errors.conflict(type, object.metadata.name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${String(object.metadata.uid)}`);
  if (resourceVersion !== undefined && resourceVersion !== object.metadata.resourceVersion)
    throw errors.conflict(type, object.metadata.name, `Precondition failed: ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${String(object.metadata.resourceVersion)}`);
}
