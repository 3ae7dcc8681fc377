/**
 * The verbs on a resource route: list/watch/create/deletecollection on a
 * collection, get/update/patch/delete on an object, and the pods/log and
 * pods/exec subresources.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Caller } from './authentication.ts';
import type { UserInfo } from './authorization.ts';
import type { ResourceType } from '../resource-types/types.ts';
import { checkObjectMediaType, decodeObject, mediaType, readBody } from './body.ts';
import { parseDeleteOptions } from './delete-options.ts';
import { serveLogs } from './logs.ts';
import { chooseContainer, requireRunning } from './pod-containers.ts';
import { createProjectRequest, isProjectView, serveProjectView } from './project-view.ts';
import { createReachabilityReview } from './reachability-review.ts';
import type { KubeObject } from '../../k8s/object.ts';
import {
  checkPatchType, createObject, deleteCollection, deleteObject, deletedStatus, getObject, listDocument, listObjects, patchObject, updateObject, type ResourceRequest,
} from './resource-handlers.ts';
import { optionalBody, send, sendWithWarnings } from './respond.ts';
import { errors } from '../machinery/status.ts';
import { renderTable, tableObjects, wantsTable } from './tables.ts';
import { serveWatch } from './watch.ts';
import { queryBool } from './query.ts';
import { readPoint } from './resource-version.ts';
import { createSelfSubjectAccessReview, createSelfSubjectReview, createSelfSubjectRulesReview, createToken } from './reviews.ts';
import { getScale, writeScale } from './scale.ts';
import { evictPod } from './eviction.ts';
import { isMetricsView, serveMetrics } from './metrics.ts';

/** Kinds that are requests rather than objects: POSTed, answered, and (apart from what they create) not stored. */
const CREATE_ONLY_KINDS: Record<string, (req: ResourceRequest, body: unknown, user: UserInfo) => KubeObject> = {
  ProjectRequest: createProjectRequest,
  ReachabilityReview: createReachabilityReview,
  SelfSubjectAccessReview: createSelfSubjectAccessReview,
  SelfSubjectRulesReview: createSelfSubjectRulesReview,
  SelfSubjectReview: createSelfSubjectReview,
};

export interface ResourceRoute {
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
  watch?: true;
}

export async function serveResource({ cluster, user }: Caller, route: ResourceRoute, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? 'GET';
  const accept = req.headers.accept;
  const table = wantsTable(accept);
  const isWatch = route.watch === true || queryBool(url.searchParams, 'watch');
  const { type } = route;
  const createOnly = CREATE_ONLY_KINDS[type.kind];
  if (createOnly) {
    if (method !== 'POST' || route.name !== undefined) throw errors.methodNotAllowed(method, type.plural);
    checkObjectMediaType(mediaType(req));
    return send(res, 201, createOnly({ cluster, type, params: url.searchParams, warnings: [] }, decodeObject(await readBody(req), mediaType(req)), user));
  }
  if (isMetricsView(type)) return serveMetrics({ cluster, type, params: url.searchParams, warnings: [], ...pick(route) }, method, res);
  if (isProjectView(type)) return serveProjectView({ cluster, type, params: url.searchParams, warnings: [], ...pick(route) }, req, res, table, isWatch);

  const request: ResourceRequest = { cluster, type: route.type, params: url.searchParams, warnings: [], ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}), ...pick(route) };
  const reply = (code: number, body: unknown) => sendWithWarnings(res, request.warnings, code, body);

  const verbAllowed = (verb: string) => {
    if (!type.verbs.includes(verb)) throw errors.methodNotAllowed(method, `${type.plural}`);
  };

  if (route.subresource === 'log') {
    if (method !== 'GET') throw errors.methodNotAllowed(method, 'pods/log');
    return serveLogs(request, res);
  }
  if (route.subresource === 'scale') {
    if (method === 'GET') return send(res, 200, getScale(request));
    if (method === 'PUT') return reply(200, writeScale(request, decodeObject(await readBody(req), mediaType(req))));
    if (method === 'PATCH') return reply(200, writeScale(request, decodeObject(await readBody(req), mediaType(req)), mediaType(req)));
    throw errors.methodNotAllowed(method, `${type.plural}/scale`);
  }
  if (route.subresource === 'token') {
    if (method !== 'POST') throw errors.methodNotAllowed(method, 'serviceaccounts/token');
    return send(res, 201, createToken(request, decodeObject(await readBody(req), mediaType(req))));
  }
  if (route.subresource === 'eviction') {
    if (method !== 'POST') throw errors.methodNotAllowed(method, 'pods/eviction');
    return send(res, 201, evictPod(request, decodeObject(await readBody(req), mediaType(req))));
  }
  if (route.subresource === 'exec' || route.subresource === 'attach' || route.subresource === 'portforward') {
    // Reached only without an upgrade: say what is wrong with the pod first, as the real server does.
    const pod = getObject(request);
    if (route.subresource !== 'portforward') requireRunning(pod, chooseContainer(pod, url.searchParams.get('container')));
    throw errors.badRequest('Upgrade request required');
  }

  if (route.name === undefined) {
    if (method === 'GET' && isWatch) {
      verbAllowed('watch');
      await readPoint(cluster.store, url.searchParams, true);
      return serveWatch(request, res, table);
    }
    if (method === 'GET') {
      verbAllowed('list');
      const point = await readPoint(cluster.store, url.searchParams, false);
      const page = listObjects(request, point.exact ? point.resourceVersion : undefined);
      return send(res, 200, table ? renderTable(type, page.items, page.resourceVersion, true, page, tableObjects(url.searchParams)) : listDocument(request, page));
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
      if (isWatch) {
        await readPoint(cluster.store, url.searchParams, true);
        return serveWatch(request, res, table);
      }
      const object = getObject(request);
      return send(res, 200, table ? renderTable(type, [object], cluster.store.resourceVersion, true, {}, tableObjects(url.searchParams)) : object);
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

function pick(route: { namespace?: string; name?: string; subresource?: string }): Pick<ResourceRequest, 'namespace' | 'name' | 'subresource'> {
  return {
    ...(route.namespace !== undefined ? { namespace: route.namespace } : {}),
    ...(route.name !== undefined ? { name: route.name } : {}),
    ...(route.subresource !== undefined ? { subresource: route.subresource } : {}),
  };
}
