/** Service account tokens: only the signing cluster's key, within the lifetime, for the API server's audience. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { issueToken, signingKey, tokenKeyId, verifyToken } from '../../lab-server/sandbox/machinery/service-account-tokens.ts';

const key = signingKey(Buffer.alloc(32, 1));
const other = signingKey(Buffer.alloc(32, 2));
const account = { namespace: 'apps', name: 'bot', uid: 'u-1' };
const API = ['https://kubernetes.default.svc'];

it('verifies its own tokens and names the key they need', () => {
  const token = issueToken(key, account, API, 600, 1000);
  assert.equal(tokenKeyId(token), key.id);
  assert.notEqual(key.id, other.id);
  assert.deepEqual(verifyToken(key, token, 1001)?.account, account);
  assert.equal(verifyToken(key, token, 1001)?.user.username, 'system:serviceaccount:apps:bot');
});

it('refuses another key, a changed claim, an expired token, another audience and what is not a JWT', () => {
  const token = issueToken(key, account, API, 600, 1000);
  assert.equal(verifyToken(other, token, 1001), undefined);
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
  const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'system:serviceaccount:kube-system:admin' })).toString('base64url');
  assert.equal(verifyToken(key, `${header}.${forged}.${signature}`, 1001), undefined);
  assert.equal(verifyToken(key, token, 1600), undefined);
  assert.equal(verifyToken(key, issueToken(key, account, ['vault'], 600, 1000), 1001), undefined);
  assert.equal(verifyToken(key, 'not-a-token', 1001), undefined);
  assert.equal(tokenKeyId('not-a-token'), undefined);
});
