/**
 * A request with no bearer token is system:anonymous, as on OpenShift: it may
 * read /version and the health endpoints, and is refused everything else with
 * 403 in the authorizer's words. (A token that matches no cluster is 401.)
 */
import type { IncomingMessage } from 'node:http';
import { ApiError, type Status } from '../machinery/status.ts';
import { qualifiedResource } from '../resource-types/types.ts';
import type { Route } from './route.ts';

const USER = 'system:anonymous';

/** The token of an Authorization: Bearer header; none makes the request anonymous. */
export function bearerToken(req: IncomingMessage): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
}

/** The verb the authorizer checks for a request. */
export function requestVerb(method: string, route: Route, watch: boolean): string {
  const named = route.kind === 'resource' && route.name !== undefined;
  switch (method) {
    case 'GET':
    case 'HEAD':
      return watch ? 'watch' : route.kind !== 'resource' || named ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}

export function anonymousForbidden(method: string, route: Route, path: string, watch: boolean): ApiError {
  const verb = requestVerb(method, route, watch);
  if (route.kind !== 'resource') {
    return new ApiError(status(`forbidden: User "${USER}" cannot ${verb} path "${path}"`, {}));
  }
  const resource = route.subresource ? `${route.type.plural}/${route.subresource}` : route.type.plural;
  const subject = `${qualifiedResource(route.type)}${route.name !== undefined ? ` "${route.name}"` : ''}`;
  const scope = route.namespace !== undefined ? `in the namespace "${route.namespace}"` : 'at the cluster scope';
  return new ApiError(status(`${subject} is forbidden: User "${USER}" cannot ${verb} resource "${resource}" in API group "${route.type.group}" ${scope}`, { ...(route.name !== undefined ? { name: route.name } : {}), ...(route.type.group ? { group: route.type.group } : {}), kind: route.type.plural }));
}

function status(message: string, details: Status['details']): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Forbidden', details, code: 403 };
}
