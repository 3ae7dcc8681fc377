/**
 * Raw requests and WebSockets to a real (or sandbox) Kubernetes API, with the
 * kubeconfig's TLS and credentials applied as kubectl does: for the endpoints
 * client-node has no API for (KubeVirt subresources, the serial console).
 */
import { createHash } from 'node:crypto';
import { request, type RequestOptions } from 'node:https';
import * as k8s from '@kubernetes/client-node';
import WebSocket from 'ws';

export interface KubeClient {
  server: string;
  /**
   * Which cluster, as this client's credentials see it: one server address may
   * host many clusters told apart by token (the sandbox does), so the address
   * alone does not name one.
   */
  clusterKey: string;
  namespace: string;
  config: k8s.KubeConfig;
  /** `contentType` for a body other than plain JSON, e.g. a strategic merge patch. */
  request(method: string, path: string, body?: unknown, contentType?: string): Promise<{ status: number; body: unknown; text: string }>;
  websocket(path: string, protocols: string[]): Promise<WebSocket>;
}

export function kubeClientFor(config: k8s.KubeConfig): KubeClient {
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster: set a current-context');
  const namespace = config.getContextObject(config.getCurrentContext())?.namespace ?? 'default';
  const options = async (): Promise<RequestOptions> => {
    const opts: RequestOptions = { headers: {} };
    await config.applyToHTTPSOptions(opts as never);
    return opts;
  };
  const credentials = createHash('sha256').update(JSON.stringify(config.getCurrentUser() ?? {})).digest('base64url');
  return {
    server: cluster.server,
    clusterKey: `${cluster.server} ${credentials}`,
    namespace,
    config,
    async request(method, path, body, contentType = 'application/json') {
      const opts = await options();
      return new Promise((resolve, reject) => {
        const text = body === undefined ? undefined : JSON.stringify(body);
        const req = request(new URL(path, cluster.server), { ...opts, method, headers: { ...opts.headers, accept: 'application/json', ...(text ? { 'content-type': contentType, 'content-length': Buffer.byteLength(text) } : {}) } }, (res) => {
          let data = '';
          res.on('data', (d) => (data += d));
          res.on('end', () => {
            let parsed: unknown;
            try {
              parsed = data ? JSON.parse(data) : undefined;
            } catch {
              parsed = undefined;
            }
            resolve({ status: res.statusCode ?? 0, body: parsed, text: data });
          });
        });
        req.on('error', reject);
        req.end(text);
      });
    },
    async websocket(path, protocols) {
      const opts = await options();
      const url = new URL(path, cluster.server.replace(/^http/, 'ws'));
      const ws = new WebSocket(url, protocols, { headers: opts.headers as Record<string, string>, ...(opts.agent ? { agent: opts.agent } : {}), ca: opts.ca as string | undefined, cert: opts.cert as string | undefined, key: opts.key as string | undefined, rejectUnauthorized: opts.rejectUnauthorized !== false });
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('unexpected-response', (_req, res) => {
          let data = '';
          res.on('data', (d) => (data += d));
          res.on('end', () => {
            let message = data;
            try {
              message = (JSON.parse(data) as { message?: string }).message ?? data;
            } catch {
              /* plain text */
            }
            reject(new Error(message || `HTTP ${res.statusCode}`));
          });
        });
        ws.once('error', reject);
      });
      return ws;
    },
  };
}

/** The message of a Status body, or the raw text. */
export function statusMessage(body: unknown, text: string): string {
  return (body as { message?: string } | undefined)?.message ?? text;
}
