/**
 * Service account tokens, as `kubectl create token` prints them: a JWT with
 * kube-apiserver's claims, and usable as a credential for as long as it has
 * not expired and its service account (the same uid) still exists.
 *
 * Each cluster signs with a key of its own (HMAC-SHA256 where kube-apiserver
 * uses RS256: nothing outside the sandbox verifies these); the header's kid is
 * a hash of that key, so it finds the cluster without saying anything of the key.
 */
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { getPath, isRecord } from '../../k8s/object.ts';

/** Who a request is, as authentication.k8s.io's UserInfo. */
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export interface SigningKey {
  secret: Buffer;
  /** As the JWT header's kid. */
  id: string;
}

export function signingKey(secret: Buffer): SigningKey {
  return { secret, id: createHash('sha256').update(secret).digest('base64url') };
}

export interface ServiceAccountRef {
  namespace: string;
  name: string;
  uid: string;
}

const ISSUER = 'https://kubernetes.default.svc';
const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const sign = (key: SigningKey, unsigned: string) => createHmac('sha256', key.secret).update(unsigned).digest('base64url');

export function issueToken(key: SigningKey, account: ServiceAccountRef, audiences: string[], seconds: number, issuedAt: number): string {
  const claims = {
    aud: audiences,
    exp: issuedAt + seconds,
    iat: issuedAt,
    iss: ISSUER,
    jti: randomUUID(),
    'kubernetes.io': { namespace: account.namespace, serviceaccount: { name: account.name, uid: account.uid } },
    nbf: issuedAt,
    sub: `system:serviceaccount:${account.namespace}:${account.name}`,
  };
  const unsigned = `${part({ alg: 'RS256', kid: key.id })}.${part(claims)}`;
  return `${unsigned}.${sign(key, unsigned)}`;
}

/** The key id a token names, or undefined when it is not a JWT. */
export function tokenKeyId(token: string): string | undefined {
  const header = decodePart(token.split('.')[0]);
  return typeof header?.kid === 'string' ? header.kid : undefined;
}

export interface VerifiedToken {
  account: ServiceAccountRef;
  user: UserInfo;
}

/** The service account a token was issued to, if `key` signed it and it is still within its lifetime. */
export function verifyToken(key: SigningKey, token: string, nowSeconds: number): VerifiedToken | undefined {
  const [header, payload, signature, extra] = token.split('.');
  if (!header || !payload || !signature || extra !== undefined) return undefined;
  const expected = Buffer.from(sign(key, `${header}.${payload}`));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  const claims = decodePart(payload);
  // kube-apiserver accepts only tokens meant for it: its own audience, within their lifetime.
  if (!claims || !Array.isArray(claims.aud) || !claims.aud.includes(ISSUER)) return undefined;
  if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds || typeof claims.nbf !== 'number' || claims.nbf > nowSeconds) return undefined;
  const namespace = getPath(claims, ['kubernetes.io', 'namespace']);
  const name = getPath(claims, ['kubernetes.io', 'serviceaccount', 'name']);
  const uid = getPath(claims, ['kubernetes.io', 'serviceaccount', 'uid']);
  if (typeof namespace !== 'string' || typeof name !== 'string' || typeof uid !== 'string') return undefined;
  return {
    account: { namespace, name, uid },
    user: {
      username: `system:serviceaccount:${namespace}:${name}`,
      uid,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
      extra: { 'authentication.kubernetes.io/credential-id': [`JTI=${String(claims.jti)}`] },
    },
  };
}

function decodePart(encoded: string | undefined): Record<string, unknown> | undefined {
  if (!encoded) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
