/**
 * The OpenAPI v3 documents the sandbox serves: an index at /openapi/v3 and one
 * document per group-version, with real schemas (built-in kinds from the
 * Kubernetes models client-node ships, custom resources from their CRDs), the
 * GVK extensions, and PATCH operations that take fieldValidation, which is what
 * makes kubectl apply/edit validate server-side and kubectl explain work.
 */
import { createHash } from 'node:crypto';
import { REGISTRY, type ResourceRegistry } from '../resource-types/registry.ts';
import { apiVersionOf, type ResourceType } from '../resource-types/types.ts';
import { MERGE_KEYS, MERGED_SCALAR_LISTS } from './merge-keys.ts';
import { buildSchemas, definitionName, type Schema } from './client-node-schemas.ts';

/** client-node model of each built-in kind. */
const BUILTIN_MODELS: Record<string, string> = {
  'v1/Namespace': 'V1Namespace', 'v1/Pod': 'V1Pod', 'v1/Event': 'CoreV1Event', 'v1/Node': 'V1Node', 'v1/Service': 'V1Service',
  'v1/ConfigMap': 'V1ConfigMap', 'v1/Secret': 'V1Secret', 'v1/ServiceAccount': 'V1ServiceAccount', 'v1/ResourceQuota': 'V1ResourceQuota',
  'v1/LimitRange': 'V1LimitRange', 'v1/Endpoints': 'V1Endpoints', 'v1/PersistentVolumeClaim': 'V1PersistentVolumeClaim', 'v1/PersistentVolume': 'V1PersistentVolume',
  'v1/ReplicationController': 'V1ReplicationController', 'networking.k8s.io/v1/Ingress': 'V1Ingress', 'apiextensions.k8s.io/v1/CustomResourceDefinition': 'V1CustomResourceDefinition',
  'apps/v1/Deployment': 'V1Deployment', 'apps/v1/ReplicaSet': 'V1ReplicaSet', 'apps/v1/StatefulSet': 'V1StatefulSet', 'apps/v1/DaemonSet': 'V1DaemonSet',
  'apps/v1/ControllerRevision': 'V1ControllerRevision', 'batch/v1/Job': 'V1Job', 'batch/v1/CronJob': 'V1CronJob',
  'discovery.k8s.io/v1/EndpointSlice': 'V1EndpointSlice', 'coordination.k8s.io/v1/Lease': 'V1Lease', 'policy/v1/PodDisruptionBudget': 'V1PodDisruptionBudget',
  'authorization.k8s.io/v1/SelfSubjectAccessReview': 'V1SelfSubjectAccessReview', 'authorization.k8s.io/v1/SelfSubjectRulesReview': 'V1SelfSubjectRulesReview',
  'authentication.k8s.io/v1/SelfSubjectReview': 'V1SelfSubjectReview',
};
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

export interface OpenApiDocument {
  path: string;
  hash: string;
  document: Record<string, unknown>;
  /** Component schemas by name, for validation and strategic merge. */
  schemas: Map<string, Schema>;
  /** The top-level schema name of each kind in this group-version. */
  kinds: Map<string, string>;
}

let cache: Map<string, OpenApiDocument> | undefined;

/** All documents, keyed like the index: "api/v1", "apis/kubevirt.io/v1". Built once per process. */
export function openApiDocuments(registry: ResourceRegistry = REGISTRY): Map<string, OpenApiDocument> {
  if (cache) return cache;
  cache = new Map();
  for (const [group, versions] of registry.groups()) {
    for (const version of versions) {
      const path = group === '' ? `api/${version}` : `apis/${group}/${version}`;
      cache.set(path, buildDocument(path, registry.inGroupVersion(group, version)));
    }
  }
  return cache;
}

export function openApiIndex(): unknown {
  return { paths: Object.fromEntries([...openApiDocuments().values()].map((d) => [d.path, { serverRelativeURL: `/openapi/v3/${d.path}?hash=${d.hash}` }])) };
}

export function documentForType(type: ResourceType): OpenApiDocument | undefined {
  return openApiDocuments().get(type.group === '' ? `api/${type.version}` : `apis/${type.group}/${type.version}`);
}

function buildDocument(path: string, types: ResourceType[]): OpenApiDocument {
  const schemas = new Map<string, Schema>();
  const kinds = new Map<string, string>();
  const builtinRoots = types.map((t) => BUILTIN_MODELS[`${apiVersionOf(t)}/${t.kind}`]).filter((m): m is string => m !== undefined);
  for (const [name, schema] of buildSchemas([...builtinRoots, 'V1ObjectMeta', 'V1Status', 'V1DeleteOptions'])) schemas.set(name, schema);
  for (const type of types) {
    const model = BUILTIN_MODELS[`${apiVersionOf(type)}/${type.kind}`];
    const name = model ? definitionName(model) : `${reverseDomain(type.group)}.${type.version}.${type.kind}`;
    if (!model) schemas.set(name, customResourceSchema(type));
    const gvk = [{ group: type.group, version: type.version, kind: type.kind }];
    schemas.set(name, { ...schemas.get(name), 'x-kubernetes-group-version-kind': gvk });
    kinds.set(type.kind, name);
  }
  annotateMergeKeys(schemas);
  const document = {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.5' },
    paths: Object.fromEntries(types.flatMap((t) => operations(t, kinds.get(t.kind)!))),
    components: { schemas: Object.fromEntries(schemas) },
  };
  const hash = createHash('sha512').update(JSON.stringify(document)).digest('hex').toUpperCase();
  return { path, hash, document, schemas, kinds };
}

function reverseDomain(group: string): string {
  return group.split('.').reverse().join('.');
}

function customResourceSchema(type: ResourceType): Schema {
  const schema = structuredClone(type.schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  // The API server publishes metadata as ObjectMeta whatever the CRD says.
  properties.metadata = { description: 'Standard object\'s metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata', allOf: [{ $ref: `#/components/schemas/${OBJECT_META}` }] };
  properties.apiVersion = { description: 'APIVersion defines the versioned schema of this representation of an object.', type: 'string' };
  properties.kind = { description: 'Kind is a string value representing the REST resource this object represents.', type: 'string' };
  return { ...schema, type: 'object', properties };
}

function annotateMergeKeys(schemas: Map<string, Schema>): void {
  for (const [name, schema] of schemas) {
    const short = name.slice(name.lastIndexOf('.') + 1);
    const properties = schema.properties as Record<string, Schema> | undefined;
    if (!properties) continue;
    for (const [field, property] of Object.entries(properties)) {
      const key = MERGE_KEYS[`${short}.${field}`];
      if (key) properties[field] = { ...property, 'x-kubernetes-patch-merge-key': key, 'x-kubernetes-patch-strategy': 'merge' };
      else if (MERGED_SCALAR_LISTS.has(`${short}.${field}`)) properties[field] = { ...property, 'x-kubernetes-patch-strategy': 'merge' };
    }
  }
}

const PATCH_CONTENT = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

/**
 * How each subresource is reached, as the real spec lists it: its methods,
 * whether they are `connect` (a stream: exec, attach, port-forward), and
 * whether its body is the object itself (status) or something of its own
 * (a Scale, an Eviction, a log).
 */
const SUBRESOURCE_OPERATIONS: Record<string, { methods: string[]; connect?: boolean; object?: boolean }> = {
  status: { methods: ['get', 'put', 'patch'], object: true },
  ephemeralcontainers: { methods: ['get', 'put', 'patch'], object: true },
  finalize: { methods: ['put'], object: true },
  scale: { methods: ['get', 'put', 'patch'] },
  log: { methods: ['get'] },
  exec: { methods: ['get', 'post'], connect: true },
  attach: { methods: ['get', 'post'], connect: true },
  portforward: { methods: ['get', 'post'], connect: true },
  eviction: { methods: ['post'] },
  token: { methods: ['post'] },
};

function operations(type: ResourceType, schemaName: string): [string, unknown][] {
  const gvk = { group: type.group, version: type.version, kind: type.kind };
  const ref = { $ref: `#/components/schemas/${schemaName}` };
  const json = { 'application/json': { schema: ref }, 'application/yaml': { schema: ref } };
  const queryParam = (name: string, description: string) => ({ name, in: 'query', description, schema: { type: 'string', uniqueItems: true } });
  const writeParams = [
    queryParam('dryRun', 'When present, indicates that modifications should not be persisted.'),
    queryParam('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
    queryParam('fieldValidation', 'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn and Strict.'),
  ];
  const patchTypes = PATCH_CONTENT.filter((t) => type.strategicMerge || !t.includes('strategic'));
  const bodies = {
    object: { requestBody: { content: json } },
    own: { requestBody: { content: { '*/*': { schema: { type: 'object' } } } } },
    patch: { requestBody: { content: Object.fromEntries(patchTypes.map((t) => [t, { schema: { type: 'object' } }])) } },
  };
  /** One operation; `content` is null where the answer is a stream or not the object. */
  const op = (action: string, id: OperationName, extra: Record<string, unknown> = {}, content: unknown = json) => ({
    operationId: operationId(action, id, type),
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
    responses: { '200': { description: 'OK', ...(content ? { content } : {}) } },
    ...extra,
  });
  const prefix = type.group === '' ? `/api/${type.version}` : `/apis/${type.group}/${type.version}`;
  const scope = type.namespaced ? `${prefix}/namespaces/{namespace}/${type.plural}` : `${prefix}/${type.plural}`;
  const watchScope = type.namespaced ? `${prefix}/watch/namespaces/{namespace}/${type.plural}` : `${prefix}/watch/${type.plural}`;
  const here = { namespaced: type.namespaced };
  const everywhere = { namespaced: false, allNamespaces: type.namespaced };
  const itemMethods = (subresource?: string) => ({
    get: op('get', { ...here, subresource }),
    put: op('put', { ...here, subresource }, { parameters: writeParams, ...bodies.object }),
    patch: op('patch', { ...here, subresource }, { parameters: [...writeParams, queryParam('force', 'Force is going to "force" Apply requests.')], ...bodies.patch }),
  });
  const verbs = new Set(type.verbs);
  const paths: [string, unknown][] = [];
  const collection = {
    ...(verbs.has('list') ? { get: op('list', here) } : {}),
    ...(verbs.has('create') ? { post: op('post', here, { parameters: writeParams, ...bodies.object }) } : {}),
    ...(verbs.has('deletecollection') ? { delete: op('deletecollection', here) } : {}),
  };
  if (Object.keys(collection).length) paths.push([scope, collection]);
  if (verbs.has('get')) paths.push([`${scope}/{name}`, { ...itemMethods(), delete: op('delete', here) }]);
  if (type.namespaced && verbs.has('list')) paths.push([`${prefix}/${type.plural}`, { get: op('list', everywhere) }]);
  // The legacy /watch/ paths: deprecated, still served, and what ruby-kubeclient and the npm kubernetes-client call.
  if (verbs.has('watch')) {
    paths.push([watchScope, { get: op('watchlist', here, {}, null) }], [`${watchScope}/{name}`, { get: op('watch', here, {}, null) }]);
    if (type.namespaced) paths.push([`${prefix}/watch/${type.plural}`, { get: op('watchlist', everywhere, {}, null) }]);
  }
  for (const subresource of type.subresources) {
    const how = SUBRESOURCE_OPERATIONS[subresource];
    if (!how) continue;
    const object = itemMethods(subresource);
    const item = how.methods.map((method) => {
      if (how.object) return [method, object[method as keyof typeof object]];
      const action = how.connect ? 'connect' : method;
      return [method, op(action, { ...here, subresource, method }, method === 'get' ? {} : bodies.own, null)];
    });
    paths.push([`${scope}/{name}/${subresource}`, Object.fromEntries(item)]);
  }
  return paths;
}

interface OperationName {
  namespaced: boolean;
  allNamespaces?: boolean;
  subresource?: string;
  /** Connect operations name their HTTP method: connectCoreV1PostNamespacedPodExec. */
  method?: string;
}

const VERBS: Record<string, string> = { list: 'list', post: 'create', get: 'read', put: 'replace', patch: 'patch', delete: 'delete', deletecollection: 'delete', watch: 'watch', watchlist: 'watch', connect: 'connect' };

/** As the real spec names operations: listCoreV1PodForAllNamespaces, watchAppsV1NamespacedDeploymentList, deleteCoreV1CollectionNamespacedPod, readAppsV1NamespacedDeploymentScale. */
function operationId(action: string, name: OperationName, type: ResourceType): string {
  const title = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  const group = type.group === '' ? 'Core' : type.group.split(/[.-]/).map(title).join('');
  return [
    VERBS[action] ?? action,
    action === 'connect' && name.method ? title(name.method) : '',
    group,
    title(type.version),
    action === 'deletecollection' ? 'Collection' : '',
    name.namespaced ? 'Namespaced' : '',
    type.kind,
    name.subresource ? title(name.subresource) : '',
    action === 'watchlist' ? 'List' : '',
    name.allNamespaces ? 'ForAllNamespaces' : '',
  ].join('');
}
