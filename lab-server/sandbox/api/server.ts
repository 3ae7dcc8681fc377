/**
 * The sandbox's Kubernetes API over HTTPS. One process hosts many clusters;
 * the bearer token picks the cluster, so no request can reach another's objects.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { KUBERNETES_VERSION } from '../cluster.ts';
import { REGISTRY } from '../resource-types/registry.ts';
import { log } from '../../log.ts';
import type { ProcessFactory } from '../workloads/process.ts';
import { workloadProcesses } from '../workloads/workload-processes.ts';
import { openApiDocuments, openApiIndex } from '../openapi/documents.ts';
import { swaggerDocument } from '../openapi/swagger.ts';
import { AGGREGATED_CONTENT_TYPE, aggregatedDiscovery, legacyApiVersions, legacyGroup, legacyGroupList, resourceList, wantsAggregated } from './discovery.ts';
import { upgradeHandler } from './transports/upgrade.ts';
import { serveResource } from './resource-routes.ts';
import { kubevirtSubresource, vmAction } from './kubevirt-subresources.ts';
import { send } from './respond.ts';
import { routeOf } from './route.ts';
import { serveHealth } from './health.ts';
import { requestCaller, type Caller } from './authentication.ts';
import { queryBool } from './query.ts';
import { ApiError, errors } from '../machinery/status.ts';

export interface ApiServerOptions {
  key: string;
  cert: string;
  host?: string;
  port?: number;
  /** Finds the cluster a bearer token belongs to. */
  /** Who a bearer token is, and the cluster it opens; undefined for a token that opens nothing. */
  authenticate(token: string): Caller | undefined;
  /** What exec runs in a container; the simulated workload shell unless given. */
  processes?: ProcessFactory;
}

export interface RunningApiServer {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

const IDLE_TIMEOUT_MS = 90_000;
/** Go listens with the kernel's somaxconn; Node's default of 511 overflowed under a workshop's kubectl bursts. */
const LISTEN_BACKLOG = 4096;

/**
 * Node takes one new connection per event-loop turn from each listening
 * socket. A workshop opens connections faster than that (every kubectl call,
 * exec and console), and they waited in the kernel's queue for hundreds of
 * milliseconds; several sockets on the port (SO_REUSEPORT) take several.
 */
const ACCEPTING_SOCKETS = 4;

export async function startApiServer(options: ApiServerOptions): Promise<RunningApiServer> {
  const upgrade = upgradeHandler({ authenticate: options.authenticate, processes: options.processes ?? workloadProcesses });
  /** Every connection, upgraded ones (exec, console, port-forward) too, so that close() waits for none of them. */
  const sockets = new Set<Socket>();
  const open = async (port: number) => {
    const server = createServer({ key: options.key, cert: options.cert }, (req, res) => {
      handle(req, res, options).catch((error: unknown) => fail(res, error));
    });
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    // As kube-apiserver's secure serving: idle connections kept 90 s, the listen queue as deep as the kernel allows.
    server.keepAliveTimeout = IDLE_TIMEOUT_MS;
    server.on('upgrade', upgrade);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host: options.host ?? '127.0.0.1', backlog: LISTEN_BACKLOG, reusePort: true }, resolve);
    });
    return server;
  };
  // Another process that sets SO_REUSEPORT could share a port named on purpose: make sure nobody holds it first.
  if (options.port) await claimable(options.port, options.host ?? '127.0.0.1');
  const first = await open(options.port ?? 0);
  const { port } = first.address() as AddressInfo;
  const servers = [first];
  for (let i = 1; i < ACCEPTING_SOCKETS; i++) servers.push(await open(port));
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    server: first,
    close: async () => {
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
              for (const socket of sockets) socket.destroy();
            }),
        ),
      );
    },
  };
}

/** Resolves if nothing listens on the port; rejects with the listen error (EADDRINUSE) otherwise. */
function claimable(port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}

function fail(res: ServerResponse, error: unknown): void {
  if (error instanceof ApiError) {
    // As the API server's max-in-flight filter: come back in a second.
    if (error.status.code === 429) res.setHeader('retry-after', '1');
    return send(res, error.status.code, error.status);
  }
  log.error('request failed', { error: error instanceof Error ? error.stack : String(error) });
  const status = errors.internal(error instanceof Error ? error.message : String(error)).status;
  if (!res.headersSent) send(res, 500, status);
  else res.destroy();
}

async function handle(req: IncomingMessage, res: ServerResponse, options: ApiServerOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://sandbox');
  // Every answer names its audit event, as kube-apiserver's does.
  res.setHeader('audit-id', randomUUID());
  const route = routeOf(url.pathname, REGISTRY);
  if (route.kind === 'health') return serveHealth(route.endpoint, route.check, url.searchParams, res);
  if (route.kind === 'version') return send(res, 200, KUBERNETES_VERSION);

  const { cluster, user } = requestCaller(req, route, url.pathname, queryBool(url.searchParams, 'watch') || (route.kind === 'resource' && route.watch === true), options.authenticate);
  const accept = req.headers.accept;

  const kubevirt = kubevirtSubresource(url.pathname);
  if (kubevirt?.resource === 'virtualmachines') {
    if (req.method !== 'PUT') throw errors.methodNotAllowed(req.method ?? 'GET', `virtualmachines/${kubevirt.action}`);
    vmAction(cluster, kubevirt);
    return void res.writeHead(202, { 'content-length': 0 }).end();
  }

  switch (route.kind) {
    case 'api-root':
      return wantsAggregated(accept) ? send(res, 200, aggregatedDiscovery(REGISTRY, true), AGGREGATED_CONTENT_TYPE) : send(res, 200, legacyApiVersions());
    case 'apis-root':
      return wantsAggregated(accept) ? send(res, 200, aggregatedDiscovery(REGISTRY, false), AGGREGATED_CONTENT_TYPE) : send(res, 200, legacyGroupList(REGISTRY));
    case 'group':
      return send(res, 200, legacyGroup(REGISTRY, route.group));
    case 'group-version':
      return send(res, 200, resourceList(REGISTRY, route.group, route.version));
    case 'openapi': {
      if (route.path === 'v2') return serveSwagger(req, res);
      if (route.path === 'v3') return send(res, 200, openApiIndex());
      const document = route.path.startsWith('v3/') ? openApiDocuments().get(route.path.slice(3)) : undefined;
      if (!document) throw errors.pathNotFound();
      return send(res, 200, document.document);
    }
    case 'unknown-resource':
    case 'not-found':
      throw errors.pathNotFound();
    case 'resource':
      return serveResource({ cluster, user }, route, url, req, res);
  }
}

const SWAGGER_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

/** /openapi/v2 in protobuf when asked for (kubectl always asks), JSON otherwise; an unchanged ETag answers 304. */
function serveSwagger(req: IncomingMessage, res: ServerResponse): void {
  const document = swaggerDocument();
  const protobuf = /application\/com\.github\.proto-openapi\.spec\.v2[@.]v1\.0\+protobuf/.test(req.headers.accept ?? '');
  const headers = { etag: document.etag, vary: 'Accept', 'cache-control': 'no-cache, private' };
  if (req.headers['if-none-match'] === document.etag) return void res.writeHead(304, headers).end();
  const body = protobuf ? document.protobuf : document.json;
  res.writeHead(200, { ...headers, 'content-type': protobuf ? SWAGGER_PROTOBUF : 'application/json', 'content-length': body.length }).end(body);
}
