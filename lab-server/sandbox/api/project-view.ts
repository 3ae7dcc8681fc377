/**
 * OpenShift projects are a view of namespaces, not objects of their own:
 * reading projects reads namespaces, creating or deleting one creates or
 * deletes its namespace, and `oc new-project` posts a ProjectRequest.
 */
import { isRecord, type KubeObject } from '../../k8s/object.ts';
import type { ResourceType } from '../resource-types/types.ts';
import { REGISTRY } from '../resource-types/registry.ts';
import { createObject, type ResourceRequest } from './resource-handlers.ts';
import { errors } from './status.ts';

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
