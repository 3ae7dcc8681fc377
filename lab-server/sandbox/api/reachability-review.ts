/**
 * ReachabilityReview (sandbox.labpath.dev): the sandbox's answer to "why can A
 * (not) reach B?", shaped like Kubernetes' review kinds (SubjectAccessReview):
 * POST a spec, get it back with a status, nothing stored. Checks ask it, when a
 * cluster serves it, to explain a failed probe; the probe itself stays real.
 */
import { isRecord, type KubeObject } from '../../k8s/object.ts';
import { canReach } from '../network/reachability.ts';
import type { ResourceRequest } from './resource-handlers.ts';
import { errors, type StatusCause } from '../machinery/status.ts';

export function createReachabilityReview(req: ResourceRequest, body: unknown): KubeObject {
  const name = isRecord(body) && isRecord(body.metadata) && typeof body.metadata.name === 'string' ? body.metadata.name : '';
  const spec = isRecord(body) && isRecord(body.spec) ? body.spec : undefined;
  const from = spec && isRecord(spec.from) ? spec.from : undefined;
  const to = spec && isRecord(spec.to) ? spec.to : undefined;
  const causes: StatusCause[] = [];
  const required = (value: unknown, field: string) => {
    if (typeof value !== 'string' || value === '') causes.push({ reason: 'FieldValueRequired', message: 'Required value', field });
  };
  required(from?.namespace, 'spec.from.namespace');
  if ((typeof from?.pod === 'string') === (typeof from?.vm === 'string'))
    causes.push({ reason: 'FieldValueInvalid', message: 'Invalid value: exactly one of pod or vm names the source', field: 'spec.from' });
  required(to?.host, 'spec.to.host');
  const port = to?.port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)
    causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(port ?? null)}: must be a port number from 1 to 65535`, field: 'spec.to.port' });
  if (to?.protocol !== undefined && !['TCP', 'UDP', 'SCTP'].includes(String(to.protocol)))
    causes.push({ reason: 'FieldValueNotSupported', message: `Unsupported value: ${JSON.stringify(to.protocol)}: supported values: "TCP", "UDP", "SCTP"`, field: 'spec.to.protocol' });
  if (causes.length > 0 || !from || !to) throw errors.invalid(req.type, name, causes);

  const source = { namespace: String(from.namespace), ...(typeof from.pod === 'string' ? { pod: from.pod } : { vm: String(from.vm) }) };
  const decision = canReach(req.cluster, source, { host: String(to.host), port: Number(port), protocol: String(to.protocol ?? 'TCP') });
  return {
    apiVersion: 'sandbox.labpath.dev/v1alpha1',
    kind: 'ReachabilityReview',
    metadata: { name, creationTimestamp: null },
    spec,
    status: { outcome: decision.outcome, reason: decision.reason, decidedBy: decision.decidedBy, steps: decision.steps },
  };
}
