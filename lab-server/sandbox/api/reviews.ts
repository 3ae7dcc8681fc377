/**
 * The identity questions a client asks the API server, answered for the one
 * user every sandbox cluster has: kube:admin, cluster-admin on OpenShift.
 * SelfSubjectAccessReview (kubectl auth can-i), SelfSubjectRulesReview
 * (auth can-i --list), SelfSubjectReview (auth whoami) and a ServiceAccount's
 * TokenRequest (kubectl create token). Nothing here is stored.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { getPath, isRecord, type KubeObject } from '../../k8s/object.ts';
import { errors } from '../machinery/status.ts';
import { getObject, type ResourceRequest } from './resource-handlers.ts';
import { now } from '../machinery/object-metadata.ts';

export const USER = { username: 'kube:admin', groups: ['system:cluster-admins', 'system:authenticated'] };

function review(apiVersion: string, kind: string, body: unknown, status: Record<string, unknown>): KubeObject {
  const spec = isRecord(body) && isRecord(body.spec) ? body.spec : {};
  return { apiVersion, kind, metadata: { creationTimestamp: null } as unknown as KubeObject['metadata'], spec, status };
}

/** cluster-admin may do anything: the RBAC authorizer allows it by the cluster-admin ClusterRoleBinding. */
export function createSelfSubjectAccessReview(_req: ResourceRequest, body: unknown): KubeObject {
  const spec = isRecord(body) && isRecord(body.spec) ? body.spec : {};
  if (!isRecord(spec.resourceAttributes) && !isRecord(spec.nonResourceAttributes)) throw errors.invalid({ group: 'authorization.k8s.io', kind: 'SelfSubjectAccessReview', plural: 'selfsubjectaccessreviews' }, '', [{ reason: 'FieldValueRequired', field: 'spec.resourceAttributes', message: 'Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified' }]);
  return review('authorization.k8s.io/v1', 'SelfSubjectAccessReview', body, { allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "cluster-admins" of ClusterRole "cluster-admin" to Group "system:cluster-admins"' });
}

export function createSelfSubjectRulesReview(_req: ResourceRequest, body: unknown): KubeObject {
  return review('authorization.k8s.io/v1', 'SelfSubjectRulesReview', body, {
    resourceRules: [
      { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
      { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] },
    ],
    nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
    incomplete: false,
  });
}

export function createSelfSubjectReview(_req: ResourceRequest, body: unknown): KubeObject {
  return review('authentication.k8s.io/v1', 'SelfSubjectReview', body, { userInfo: USER });
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
  const claims = {
    aud: audiences,
    exp: issued + seconds,
    iat: issued,
    iss: 'https://kubernetes.default.svc',
    jti: randomUUID(),
    'kubernetes.io': { namespace: account.metadata.namespace, serviceaccount: { name: account.metadata.name, uid: account.metadata.uid } },
    nbf: issued,
    sub: `system:serviceaccount:${account.metadata.namespace}:${account.metadata.name}`,
  };
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ alg: 'RS256', kid: String(getPath(account, ['metadata', 'uid'])).slice(0, 8) })}.${part(claims)}`;
  const token = `${unsigned}.${createHmac('sha256', String(req.cluster.name)).update(unsigned).digest('base64url')}`;
  return {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    metadata: { name: account.metadata.name, namespace: account.metadata.namespace, creationTimestamp: null } as unknown as KubeObject['metadata'],
    spec: { audiences, expirationSeconds: seconds, boundObjectRef: spec.boundObjectRef ?? null },
    status: { token, expirationTimestamp: now((issued + seconds) * 1000) },
  };
}
