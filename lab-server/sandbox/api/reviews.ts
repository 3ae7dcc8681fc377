/**
 * The identity questions a client asks the API server, answered for the user
 * asking: SelfSubjectAccessReview (kubectl auth can-i), SelfSubjectRulesReview
 * (auth can-i --list), SelfSubjectReview (auth whoami), and a ServiceAccount's
 * TokenRequest (kubectl create token). Nothing here is stored.
 */
import { getPath, isRecord, type KubeObject } from '../../k8s/object.ts';
import { errors } from '../machinery/status.ts';
import { getObject, type ResourceRequest } from './resource-handlers.ts';
import { now } from '../machinery/object-metadata.ts';
import { issueToken } from '../machinery/service-account-tokens.ts';
import { isAllowed, rulesOf, type Attributes, type UserInfo } from './authorization.ts';

function review(apiVersion: string, kind: string, body: unknown, status: Record<string, unknown>): KubeObject {
  const spec = isRecord(body) && isRecord(body.spec) ? body.spec : {};
  return { apiVersion, kind, metadata: { creationTimestamp: null } as unknown as KubeObject['metadata'], spec, status };
}

/** Why RBAC allows what it allows, in the authorizer's words. */
function allowedBy(user: UserInfo): string {
  return user.groups.includes('system:cluster-admins')
    ? 'RBAC: allowed by ClusterRoleBinding "cluster-admins" of ClusterRole "cluster-admin" to Group "system:cluster-admins"'
    : 'RBAC: allowed by ClusterRoleBinding "system:basic-user" of ClusterRole "system:basic-user" to Group "system:authenticated"';
}

export function createSelfSubjectAccessReview(_req: ResourceRequest, body: unknown, user: UserInfo): KubeObject {
  const spec = isRecord(body) && isRecord(body.spec) ? body.spec : {};
  const resource = isRecord(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
  const nonResource = isRecord(spec.nonResourceAttributes) ? spec.nonResourceAttributes : undefined;
  if (!resource === !nonResource) throw errors.invalid({ group: 'authorization.k8s.io', kind: 'SelfSubjectAccessReview', plural: 'selfsubjectaccessreviews' }, '', [{ reason: 'FieldValueRequired', field: 'spec.resourceAttributes', message: 'Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified' }]);
  const text = (record: Record<string, unknown>, key: string) => (typeof record[key] === 'string' ? record[key] : '');
  const attributes: Attributes = resource
    ? { verb: text(resource, 'verb'), group: text(resource, 'group'), resource: text(resource, 'resource'), ...(text(resource, 'subresource') ? { subresource: text(resource, 'subresource') } : {}) }
    : { verb: text(nonResource!, 'verb'), path: text(nonResource!, 'path') };
  const allowed = isAllowed(user, attributes);
  return review('authorization.k8s.io/v1', 'SelfSubjectAccessReview', body, allowed ? { allowed, reason: allowedBy(user) } : { allowed });
}

export function createSelfSubjectRulesReview(_req: ResourceRequest, body: unknown, user: UserInfo): KubeObject {
  const rules = rulesOf(user);
  return review('authorization.k8s.io/v1', 'SelfSubjectRulesReview', body, {
    resourceRules: rules.filter((r) => r.resources).map(({ verbs, apiGroups, resources }) => ({ verbs, apiGroups, resources })),
    nonResourceRules: rules.filter((r) => r.nonResourceURLs).map(({ verbs, nonResourceURLs }) => ({ verbs, nonResourceURLs })),
    incomplete: false,
  });
}

export function createSelfSubjectReview(_req: ResourceRequest, body: unknown, user: UserInfo): KubeObject {
  return review('authentication.k8s.io/v1', 'SelfSubjectReview', body, { userInfo: user });
}

const DEFAULT_TOKEN_SECONDS = 3600;

/** serviceaccounts/<name>/token: a signed, bound service account token, as kubectl create token prints it. */
export function createToken(req: ResourceRequest, body: unknown): KubeObject {
  const account = getObject(req);
  const spec = isRecord(body) && isRecord(body.spec) ? body.spec : {};
  const seconds = typeof spec.expirationSeconds === 'number' ? spec.expirationSeconds : DEFAULT_TOKEN_SECONDS;
  if (seconds < 600) throw errors.invalid({ group: 'authentication.k8s.io', kind: 'TokenRequest', plural: 'serviceaccounts' }, account.metadata.name, [{ reason: 'FieldValueInvalid', field: 'spec.expirationSeconds', message: `Invalid value: ${seconds}: may not specify a duration less than 10 minutes` }]);
  const audiences = Array.isArray(spec.audiences) && spec.audiences.length > 0 ? spec.audiences.map(String) : ['https://kubernetes.default.svc'];
  const issued = Math.floor(Date.now() / 1000);
  const uid = String(getPath(account, ['metadata', 'uid']));
  const token = issueToken(req.cluster.tokenKey, { namespace: account.metadata.namespace ?? '', name: account.metadata.name, uid }, audiences, seconds, issued);
  return {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    metadata: { name: account.metadata.name, namespace: account.metadata.namespace, creationTimestamp: null } as unknown as KubeObject['metadata'],
    spec: { audiences, expirationSeconds: seconds, boundObjectRef: spec.boundObjectRef ?? null },
    status: { token, expirationTimestamp: now((issued + seconds) * 1000) },
  };
}
