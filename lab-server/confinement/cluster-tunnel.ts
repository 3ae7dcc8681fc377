/**
 * A confined learner's one way out of their network namespace: a unix socket
 * the lab listens on, bound into the sandbox, carried to their cluster's API
 * server. Inside, the sandbox's init listens on 127.0.0.1:6443 and connects
 * here; the learner's kubeconfig names that address, and keeps the cluster's
 * own name for TLS so that certificates still verify.
 */
import { chmodSync, chownSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { parse, stringify } from 'yaml';
import { log } from '../log.ts';
import { TUNNEL_PORT } from './sandbox-layout.ts';

/** Connections one learner may have open to their cluster at once (kubectl uses a handful; watches and exec one each). */
const MAX_CONNECTIONS = 64;

export interface Endpoint {
  host: string;
  port: number;
}

export interface ClusterTunnel {
  close(): Promise<void>;
}

/** Listens on `socketPath` (owned by `uid` when given) and carries each connection to `target()`. */
export async function openClusterTunnel(socketPath: string, target: () => Endpoint, uid: number | undefined): Promise<ClusterTunnel> {
  rmSync(socketPath, { force: true });
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (open.size >= MAX_CONNECTIONS) {
      client.destroy();
      return;
    }
    const { host, port } = target();
    const upstream = connect({ host, port });
    open.add(client);
    const done = () => {
      open.delete(client);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', done).on('close', done);
    upstream.on('error', (error) => {
      log.debug('cluster tunnel: upstream failed', { host, port, error: error.message });
      done();
    }).on('close', done);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  chmodSync(socketPath, 0o600);
  if (uid !== undefined) chownSync(socketPath, uid, uid);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => {
          rmSync(socketPath, { force: true });
          resolve();
        });
      }),
  };
}

/**
 * The kubeconfig a confined learner uses: the current context's cluster at
 * the tunnel's address, with its real name kept for TLS; and where the
 * tunnel must lead.
 */
export function tunnelledKubeconfig(kubeconfig: string): { kubeconfig: string; target: Endpoint } {
  const config = parse(kubeconfig) as { clusters?: { name: string; cluster: Record<string, unknown> }[]; contexts?: { name: string; context: { cluster: string } }[]; 'current-context'?: string };
  const context = config.contexts?.find((c) => c.name === config['current-context']) ?? config.contexts?.[0];
  const entry = config.clusters?.find((c) => c.name === context?.context.cluster) ?? config.clusters?.[0];
  const server = typeof entry?.cluster.server === 'string' ? new URL(entry.cluster.server) : undefined;
  if (!entry || !server) throw new Error('the kubeconfig names no cluster with a server address');
  const host = server.hostname.replace(/^\[|\]$/g, '');
  const port = Number(server.port || (server.protocol === 'http:' ? 80 : 443));
  entry.cluster.server = `${server.protocol}//127.0.0.1:${TUNNEL_PORT}${server.pathname === '/' ? '' : server.pathname}`;
  if (!entry.cluster['tls-server-name'] && host !== '127.0.0.1') entry.cluster['tls-server-name'] = host;
  return { kubeconfig: stringify(config), target: { host, port } };
}
