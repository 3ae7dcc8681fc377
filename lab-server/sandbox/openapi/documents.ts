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
  const op = (action: string, extra: Record<string, unknown> = {}) => ({ 'x-kubernetes-action': action, 'x-kubernetes-group-version-kind': gvk, responses: { '200': { description: 'OK', content: json } }, ...extra });
  const prefix = type.group === '' ? `/api/${type.version}` : `/apis/${type.group}/${type.version}`;
  const scope = type.namespaced ? `${prefix}/namespaces/{namespace}/${type.plural}` : `${prefix}/${type.plural}`;
  const patchTypes = PATCH_CONTENT.filter((t) => type.strategicMerge || !t.includes('strategic'));
  return [
    [scope, { get: op('list'), post: op('post', { parameters: writeParams, requestBody: { content: json } }) }],
    [
      `${scope}/{name}`,
      {
        get: op('get'),
        put: op('put', { parameters: writeParams, requestBody: { content: json } }),
        patch: op('patch', { parameters: [...writeParams, queryParam('force', 'Force is going to "force" Apply requests.')], requestBody: { content: Object.fromEntries(patchTypes.map((t) => [t, { schema: { type: 'object' } }])) } }),
        delete: op('delete'),
      },
    ],
  ];
}
