/**
 * Who a request is and what it may do. A cluster's own token is kube:admin
 * (cluster-admin); a token from `kubectl create token` is its service account,
 * which, with no RBAC bindings in the sandbox, holds only what every
 * authenticated user holds (system:discovery, system:basic-user); a request
 * with no token is system:anonymous, which may read /version and the health
 * endpoints (served before this) and is refused the rest. A refusal is 403 in
 * the RBAC authorizer's words; a token that opens nothing is 401.
 */
import type { IncomingMessage } from 'node:http';
import { ApiError, type Status } from '../machinery/status.ts';
import { qualifiedResource } from '../resource-types/types.ts';
import type { UserInfo } from '../machinery/service-account-tokens.ts';
import type { Route } from './route.ts';

export type { UserInfo };

/** A PolicyRule, as RBAC and SelfSubjectRulesReview write it. */
export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  nonResourceURLs?: string[];
}

export const CLUSTER_ADMIN: UserInfo = { username: 'kube:admin', groups: ['system:cluster-admins', 'system:authenticated'] };
export const ANONYMOUS: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };

const EVERYTHING: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

/** The ClusterRoles system:discovery and system:basic-user, bound to system:authenticated on every cluster. */
const AUTHENTICATED: PolicyRule[] = [
  { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] },
  { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'] },
  { verbs: ['get'], nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'] },
];

export function rulesOf(user: UserInfo): PolicyRule[] {
  if (user.groups.includes('system:cluster-admins')) return [...EVERYTHING, ...AUTHENTICATED];
  return user.groups.includes('system:authenticated') ? AUTHENTICATED : [];
}

export type Attributes = { verb: string; group: string; resource: string; subresource?: string } | { verb: string; path: string };

const matches = (patterns: string[] | undefined, value: string) => (patterns ?? []).some((p) => p === '*' || p === value || (p.endsWith('*') && value.startsWith(p.slice(0, -1))));

export function isAllowed(user: UserInfo, attributes: Attributes): boolean {
  return rulesOf(user).some((rule) => {
    if (!matches(rule.verbs, attributes.verb)) return false;
    if ('path' in attributes) return matches(rule.nonResourceURLs, attributes.path);
    const resource = attributes.subresource ? `${attributes.resource}/${attributes.subresource}` : attributes.resource;
    return rule.resources !== undefined && matches(rule.apiGroups, attributes.group) && matches(rule.resources, resource);
  });
}

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

/** Throws the authorizer's 403 unless `user` may make this request. */
export function authorize(user: UserInfo, method: string, route: Route, path: string, watch: boolean): void {
  const verb = requestVerb(method, route, watch);
  if (route.kind !== 'resource') {
    if (isAllowed(user, { verb, path })) return;
    throw new ApiError(status(`forbidden: User "${user.username}" cannot ${verb} path "${path}"`, {}));
  }
  if (isAllowed(user, { verb, group: route.type.group, resource: route.type.plural, ...(route.subresource ? { subresource: route.subresource } : {}) })) return;
  const resource = route.subresource ? `${route.type.plural}/${route.subresource}` : route.type.plural;
  const subject = `${qualifiedResource(route.type)}${route.name !== undefined ? ` "${route.name}"` : ''}`;
  const scope = route.namespace !== undefined ? `in the namespace "${route.namespace}"` : 'at the cluster scope';
  throw new ApiError(status(`${subject} is forbidden: User "${user.username}" cannot ${verb} resource "${resource}" in API group "${route.type.group}" ${scope}`, { ...(route.name !== undefined ? { name: route.name } : {}), ...(route.type.group ? { group: route.type.group } : {}), kind: route.type.plural }));
}

function status(message: string, details: Status['details']): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Forbidden', details, code: 403 };
}
