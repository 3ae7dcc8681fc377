/**
 * /healthz, /livez and /readyz, with their checks as kube-apiserver lists
 * them (?verbose), each one addressable (/readyz/etcd), and ?exclude= to leave
 * one out. The sandbox's checks all pass while it serves.
 */
import type { ServerResponse } from 'node:http';

const LIVE = [
  'ping', 'log', 'etcd', 'poststarthook/start-apiserver-admission-initializer', 'poststarthook/generic-apiserver-start-informers',
  'poststarthook/priority-and-fairness-config-consumer', 'poststarthook/start-apiextensions-informers', 'poststarthook/start-apiextensions-controllers',
  'poststarthook/crd-informer-synced', 'poststarthook/rbac/bootstrap-roles', 'poststarthook/scheduling/bootstrap-system-priority-classes',
  'poststarthook/bootstrap-controller', 'poststarthook/aggregator-reload-proxy-client-cert', 'poststarthook/apiservice-registration-controller',
  'poststarthook/apiservice-discovery-controller', 'autoregister-completion',
];
const CHECKS: Record<string, string[]> = {
  livez: LIVE,
  healthz: LIVE,
  readyz: [...LIVE.slice(0, 3), 'etcd-readiness', 'informer-sync', ...LIVE.slice(3), 'shutdown'],
};

export function serveHealth(endpoint: string, check: string | undefined, params: URLSearchParams, res: ServerResponse): void {
  const checks = CHECKS[endpoint] ?? [];
  if (check !== undefined) {
    if (!checks.includes(check)) return void res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
    return void res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok');
  }
  if (!params.has('verbose')) return void res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok');
  const excluded = new Set(params.getAll('exclude'));
  const lines = checks.map((c) => (excluded.has(c) ? `[+]${c} excluded: ok` : `[+]${c} ok`));
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(`${lines.join('\n')}\n${endpoint} check passed\n`);
}
