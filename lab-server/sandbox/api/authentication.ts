/**
 * Who a bearer token is: the cluster's own token is kube:admin; a service
 * account token opens the cluster whose key signed it, as that account, while
 * the account (the same uid) exists — kube-apiserver's service account
 * authenticator refuses a token whose account was deleted, even one of the
 * same name made again.
 */
import type { IncomingMessage } from 'node:http';
import type { Cluster } from '../cluster.ts';
import { errors } from '../machinery/status.ts';
import { tokenKeyId, verifyToken } from '../machinery/service-account-tokens.ts';
import { ANONYMOUS, CLUSTER_ADMIN, authorize, bearerToken, type UserInfo } from './authorization.ts';
import type { Route } from './route.ts';

export interface Caller {
  cluster: Cluster;
  user: UserInfo;
}

export function authenticate(token: string, clusterOfToken: (token: string) => Cluster | undefined, clusters: () => Iterable<Cluster>): Caller | undefined {
  const own = clusterOfToken(token);
  if (own) return { cluster: own, user: CLUSTER_ADMIN };
  const keyId = tokenKeyId(token);
  if (!keyId) return undefined;
  for (const cluster of clusters()) {
    if (cluster.tokenKey.id !== keyId) continue;
    const verified = verifyToken(cluster.tokenKey, token, Math.floor(Date.now() / 1000));
    const account = verified && cluster.store.get('/serviceaccounts', verified.account.namespace, verified.account.name);
    return verified && account?.metadata.uid === verified.account.uid ? { cluster, user: verified.user } : undefined;
  }
  return undefined;
}

/** The caller of a request, authorized for it; throws the 401 or 403 the real server answers. */
export function requestCaller(req: IncomingMessage, route: Route, path: string, watch: boolean, authenticateToken: (token: string) => Caller | undefined): Caller {
  const token = bearerToken(req);
  const caller = token ? authenticateToken(token) : undefined;
  if (token && !caller) throw errors.unauthorized();
  authorize(caller?.user ?? ANONYMOUS, req.method ?? 'GET', route, path, watch);
  // Nothing a cluster serves is open to anonymous: with no token there is no cluster to answer from.
  if (!caller) throw errors.unauthorized();
  return caller;
}
