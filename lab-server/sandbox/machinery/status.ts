/**
 * metav1.Status failures, shaped as a real API server sends them so kubectl and
 * client-node print the messages they print against a real cluster.
 */
import { qualifiedResource, type ResourceType } from '../resource-types/types.ts';

export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: string;
  details?: { name?: string; group?: string; kind?: string; causes?: StatusCause[]; retryAfterSeconds?: number };
  code: number;
}

/** An API failure carried as a value until the HTTP layer writes it. */
export class ApiError extends Error {
  readonly status: Status;
  constructor(status: Status) {
    super(status.message);
    this.status = status;
  }
}

function failure(code: number, reason: string, message: string, details?: Status['details']): ApiError {
  return new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code });
}

type Named = Pick<ResourceType, 'group' | 'plural' | 'kind'>;

export const errors = {
  badRequest: (message: string) => failure(400, 'BadRequest', message),
  unauthorized: () => failure(401, 'Unauthorized', 'Unauthorized'),
  forbidden: (message: string, type?: Named, name?: string) => failure(403, 'Forbidden', message, type ? { name: name ?? '', group: type.group, kind: type.plural } : undefined),
  notFound: (type: Named, name: string) => failure(404, 'NotFound', `${qualifiedResource(type)} "${name}" not found`, { name, group: type.group, kind: type.plural }),
  pathNotFound: () => failure(404, 'NotFound', 'the server could not find the requested resource'),
  methodNotAllowed: (verb: string, what: string) => failure(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource: ${verb} is not supported on ${what}`),
  alreadyExists: (type: Named, name: string) => failure(409, 'AlreadyExists', `${qualifiedResource(type)} "${name}" already exists`, { name, group: type.group, kind: type.plural }),
  conflict: (type: Named, name: string, why: string) => failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(type)} "${name}": ${why}`, { name, group: type.group, kind: type.plural }),
  gone: (message: string) => failure(410, 'Expired', message),
  tooLarge: (limit: number) => failure(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`),
  unsupportedMediaType: (message: string) => failure(415, 'UnsupportedMediaType', message),
  invalid: (type: Named, name: string, causes: StatusCause[]) =>
    failure(422, 'Invalid', `${type.group ? `${type.kind}.${type.group}` : type.kind} "${name}" is invalid: ${causes.map((c) => `${c.field ? `${c.field}: ` : ''}${c.message}`).join(', ')}`, { name, group: type.group, kind: type.kind, causes }),
  internal: (message: string) => failure(500, 'InternalError', `Internal error occurred: ${message}`),
  tooManyRequests: () => failure(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds: 1 }),
};

export function successStatus(details?: Status['details']): Omit<Status, 'message' | 'reason' | 'code'> & { code?: number } {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', ...(details ? { details } : {}) };
}
