/**
 * OpenShift projects are a view of namespaces, not objects of their own:
 * reading projects reads namespaces, creating or deleting one creates or
 * deletes its namespace, and `oc new-project` posts a ProjectRequest.
 */
import { isRecord, type KubeObject } from '../../k8s/object.ts';
import type { ResourceType } from '../resource-types/types.ts';
import { REGISTRY } from '../resource-types/registry.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkObjectMediaType, decodeObject, mediaType, readBody } from './body.ts';
import { parseDeleteOptions } from './delete-options.ts';
import { checkPatchType, createObject, deleteObject, getObject, listDocument, listObjects, patchObject, updateObject, type ResourceRequest } from './resource-handlers.ts';
import { optionalBody, send } from './respond.ts';
import { errors } from '../machinery/status.ts';
import { renderTable, tableObjects } from './tables.ts';
import { serveWatch } from './watch.ts';

const NAMESPACE = REGISTRY.forKind('v1', 'Namespace')!;
const PROJECT_API = 'project.openshift.io/v1';

export function isProjectView(type: ResourceType): boolean {
  return type.group === 'project.openshift.io' && type.kind === 'Project';
}

/** The same request, addressed to the namespace behind the project. */
export function asNamespaceRequest(req: ResourceRequest): ResourceRequest {
  return { ...req, type: NAMESPACE };
}

export function projectOf(namespace: KubeObject): KubeObject {
  return { ...namespace, apiVersion: PROJECT_API, kind: 'Project' };
}

export function namespaceBodyOf(project: unknown): unknown {
  if (!isRecord(project)) return project;
  return { ...project, apiVersion: 'v1', kind: 'Namespace' };
}

/** POST projectrequests: a namespace with the requester's display name and description. */
export function createProjectRequest(req: ResourceRequest, body: unknown): KubeObject {
  if (!isRecord(body)) throw errors.badRequest('a ProjectRequest is an object: {"metadata": {"name": "my-project"}}');
  const metadata = isRecord(body.metadata) ? body.metadata : {};
  const annotations: Record<string, string> = { 'openshift.io/requester': 'kube:admin' };
  if (typeof body.displayName === 'string' && body.displayName !== '') annotations['openshift.io/display-name'] = body.displayName;
  if (typeof body.description === 'string' && body.description !== '') annotations['openshift.io/description'] = body.description;
  const namespace = createObject(asNamespaceRequest(req), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: metadata.name, annotations } });
  return projectOf(namespace);
}

/** Projects: the namespace handlers, with each namespace shown as a project. */
export async function serveProjectView(request: ResourceRequest, req: IncomingMessage, res: ServerResponse, table: boolean, isWatch: boolean): Promise<void> {
  const method = req.method ?? 'GET';
  const ns = asNamespaceRequest(request);
  const projectType = request.type;
  if (method === 'GET' && isWatch) return serveWatch(ns, res, table, { type: projectType, show: projectOf });
  if (method === 'GET' && request.name === undefined) {
    const page = listObjects(ns);
    const projects = page.items.map(projectOf);
    return send(res, 200, table ? renderTable(projectType, projects, page.resourceVersion, true, page, tableObjects(request.params)) : { ...(listDocument(ns, { ...page, items: projects }) as object), apiVersion: 'project.openshift.io/v1', kind: 'ProjectList' });
  }
  if (method === 'GET') {
    const project = projectOf(getObject(ns));
    return send(res, 200, table ? renderTable(projectType, [project], request.cluster.store.resourceVersion, true, {}, tableObjects(request.params)) : project);
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
