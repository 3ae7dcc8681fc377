/**
 * The sandbox's Kubernetes API over HTTPS. One process hosts many clusters;
 * the bearer token picks the cluster, so no request can reach another's objects.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Cluster } from '../cluster.ts';
import { KUBERNETES_VERSION } from '../cluster.ts';
import { REGISTRY } from '../resource-types/registry.ts';
import { log } from '../../log.ts';
import { checkObjectMediaType, decodeObject, mediaType, readBody } from './body.ts';
import { AGGREGATED_CONTENT_TYPE, aggregatedDiscovery, legacyApiVersions, legacyGroup, legacyGroupList, resourceList, wantsAggregated } from './discovery.ts';
import { routeOf } from './route.ts';
import {
  checkPatchType, createObject, deleteCollection, deleteObject, deletedStatus, getObject, listDocument, listObjects, patchObject, updateObject, type ResourceRequest,
} from './resource-handlers.ts';
import { ApiError, errors } from './status.ts';
import { renderTable, wantsTable } from './tables.ts';
import { serveWatch } from './watch.ts';
import { openApiDocuments, openApiIndex } from '../openapi/documents.ts';
import { execUpgradeHandler } from './exec.ts';
import { serveLogs } from './logs.ts';
import { chooseContainer } from './pod-containers.ts';
import type { ProcessFactory } from '../containers/process.ts';
import { parseDeleteOptions } from './delete-options.ts';
import { asNamespaceRequest, createProjectRequest, isProjectView, namespaceBodyOf, projectOf } from './project-view.ts';
import { minimalShell } from '../containers/minimal-shell.ts';

export interface ApiServerOptions {
  key: string;
  cert: string;
  host?: string;
  port?: number;
  /** Finds the cluster a bearer token belongs to. */
  clusterFor(token: string): Cluster | undefined;
  /** What exec runs in a container; a minimal shell unless given. */
  processes?: ProcessFactory;
}

export interface RunningApiServer {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

export async function startApiServer(options: ApiServerOptions): Promise<RunningApiServer> {
  const server = createServer({ key: options.key, cert: options.cert }, (req, res) => {
    handle(req, res, options).catch((error: unknown) => fail(res, error));
  });
  server.on('upgrade', execUpgradeHandler({ clusterFor: options.clusterFor, processes: options.processes ?? minimalShell }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    server,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = { 'content-type': contentType, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-cache, private' };
  // Answering before the body was read leaves bytes on a keep-alive socket; end that connection instead.
  const unread = !res.req.complete;
  if (unread) headers.connection = 'close';
  res.writeHead(code, headers);
  res.end(text);
  if (unread) res.req.resume();
}

function fail(res: ServerResponse, error: unknown): void {
  if (error instanceof ApiError) return send(res, error.status.code, error.status);
  log.error('request failed', { error: error instanceof Error ? error.stack : String(error) });
  const status = errors.internal(error instanceof Error ? error.message : String(error)).status;
  if (!res.headersSent) send(res, 500, status);
  else res.destroy();
}

function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

async function handle(req: IncomingMessage, res: ServerResponse, options: ApiServerOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://sandbox');
  const route = routeOf(url.pathname, REGISTRY);
  const method = req.method ?? 'GET';
  if (route.kind === 'health') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  if (route.kind === 'version') return send(res, 200, KUBERNETES_VERSION);

  const token = bearerToken(req);
  const cluster = token ? options.clusterFor(token) : undefined;
  if (!cluster) throw errors.unauthorized();
  const accept = req.headers.accept;

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
      // Only v3 is served; kubectl tolerates a 404 on /openapi/v2.
      if (route.path === 'v3') return send(res, 200, openApiIndex());
      const document = route.path.startsWith('v3/') ? openApiDocuments().get(route.path.slice(3)) : undefined;
      if (!document) throw errors.pathNotFound();
      return send(res, 200, document.document);
    }
    case 'unknown-resource':
    case 'not-found':
      throw errors.pathNotFound();
    case 'resource':
      break;
  }

  const table = wantsTable(accept);
  const isWatch = ['true', '1'].includes(url.searchParams.get('watch') ?? '');
  const { type } = route;
  if (type.kind === 'ProjectRequest') {
    if (method !== 'POST' || route.name !== undefined) throw errors.methodNotAllowed(method, 'projectrequests');
    checkObjectMediaType(mediaType(req));
    return send(res, 201, createProjectRequest({ cluster, type, params: url.searchParams, warnings: [] }, decodeObject(await readBody(req), mediaType(req))));
  }
  if (isProjectView(type)) return serveProjectView({ cluster, type, params: url.searchParams, warnings: [], ...pick(route) }, req, res, method, table, isWatch);

  const request: ResourceRequest = { cluster, type: route.type, params: url.searchParams, warnings: [], ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}), ...pick(route) };
  const reply = (code: number, body: unknown) => {
    if (request.warnings.length > 0) res.setHeader('Warning', request.warnings.map((w) => `299 - ${JSON.stringify(w)}`));
    send(res, code, body);
  };

  const verbAllowed = (verb: string) => {
    if (!type.verbs.includes(verb)) throw errors.methodNotAllowed(method, `${type.plural}`);
  };

  if (route.subresource === 'log') {
    if (method !== 'GET') throw errors.methodNotAllowed(method, 'pods/log');
    return serveLogs(request, res);
  }
  if (route.subresource === 'exec') {
    // Reached only without a WebSocket upgrade (kubectl's SPDY fallback): say what is wrong.
    chooseContainer(getObject(request), url.searchParams.get('container'));
    throw errors.badRequest('Upgrade request required: this server speaks exec over WebSocket (v5.channel.k8s.io, v4.channel.k8s.io), not SPDY');
  }

  if (route.name === undefined) {
    if (method === 'GET' && isWatch) {
      verbAllowed('watch');
      return serveWatch(request, res, table);
    }
    if (method === 'GET') {
      verbAllowed('list');
      const page = listObjects(request);
      return send(res, 200, table ? renderTable(type, page.items, page.resourceVersion, true, page) : listDocument(request, page));
    }
    if (method === 'POST') {
      verbAllowed('create');
      checkObjectMediaType(mediaType(req));
      const created = createObject(request, decodeObject(await readBody(req), mediaType(req)));
      return reply(201, created);
    }
    if (method === 'DELETE') {
      verbAllowed('deletecollection');
      return send(res, 200, deleteCollection(request, parseDeleteOptions(await optionalBody(req))));
    }
    throw errors.methodNotAllowed(method, type.plural);
  }

  switch (method) {
    case 'GET': {
      if (isWatch) return serveWatch(request, res, table);
      const object = getObject(request);
      return send(res, 200, table ? renderTable(type, [object], cluster.store.resourceVersion) : object);
    }
    case 'PUT': {
      verbAllowed('update');
      checkObjectMediaType(mediaType(req));
      return reply(200, updateObject(request, decodeObject(await readBody(req), mediaType(req))));
    }
    case 'PATCH': {
      verbAllowed('patch');
      const patchType = mediaType(req);
      checkPatchType(type, patchType);
      const { object, created } = patchObject(request, patchType, decodeObject(await readBody(req), patchType));
      return reply(created ? 201 : 200, object);
    }
    case 'DELETE': {
      verbAllowed('delete');
      const { object, finished } = deleteObject(request, parseDeleteOptions(await optionalBody(req)));
      // Built-in kinds answer a finished delete with a Status; custom resources and pending deletions with the object.
      return send(res, 200, finished && type.strategicMerge ? deletedStatus(request, object) : object);
    }
    default:
      throw errors.methodNotAllowed(method, type.plural);
  }
}

/** Projects: the namespace handlers, with each namespace shown as a project. */
async function serveProjectView(request: ResourceRequest, req: IncomingMessage, res: ServerResponse, method: string, table: boolean, isWatch: boolean): Promise<void> {
  const ns = asNamespaceRequest(request);
  const projectType = request.type;
  if (method === 'GET' && isWatch) return serveWatch(ns, res, table, { type: projectType, show: projectOf });
  if (method === 'GET' && request.name === undefined) {
    const page = listObjects(ns);
    const projects = page.items.map(projectOf);
    return send(res, 200, table ? renderTable(projectType, projects, page.resourceVersion, true, page) : { ...(listDocument(ns, { ...page, items: projects }) as object), apiVersion: 'project.openshift.io/v1', kind: 'ProjectList' });
  }
  if (method === 'GET') {
    const project = projectOf(getObject(ns));
    return send(res, 200, table ? renderTable(projectType, [project], request.cluster.store.resourceVersion) : project);
  }
  if (method === 'POST' && request.name === undefined) {
    checkObjectMediaType(mediaType(req));
    return send(res, 201, projectOf(createObject(ns, namespaceBodyOf(decodeObject(await readBody(req), mediaType(req))))));
  }
  if (method === 'PUT' && request.name !== undefined) {
    checkObjectMediaType(mediaType(req));
    return send(res, 200, projectOf(updateObject(ns, namespaceBodyOf(decodeObject(await readBody(req), mediaType(req))))));
  }
  if (method === 'PATCH' && request.name !== undefined) {
    const patchType = mediaType(req);
    checkPatchType(ns.type, patchType);
    return send(res, 200, projectOf(patchObject(ns, patchType, decodeObject(await readBody(req), patchType)).object));
  }
  if (method === 'DELETE' && request.name !== undefined) return send(res, 200, projectOf(deleteObject(ns, parseDeleteOptions(await optionalBody(req))).object));
  throw errors.methodNotAllowed(method, 'projects');
}

/** A DELETE's optional DeleteOptions body, decoded when present. */
async function optionalBody(req: IncomingMessage): Promise<unknown | undefined> {
  const body = await readBody(req);
  return body.length === 0 ? undefined : decodeObject(body, mediaType(req));
}

function pick(route: { namespace?: string; name?: string; subresource?: string }): Pick<ResourceRequest, 'namespace' | 'name' | 'subresource'> {
  return {
    ...(route.namespace !== undefined ? { namespace: route.namespace } : {}),
    ...(route.name !== undefined ? { name: route.name } : {}),
    ...(route.subresource !== undefined ? { subresource: route.subresource } : {}),
  };
}
