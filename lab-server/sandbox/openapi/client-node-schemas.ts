/**
 * OpenAPI v3 schemas for the built-in kinds, rebuilt from @kubernetes/client-node:
 * its models are generated from the Kubernetes OpenAPI spec (release-1.36) and
 * ship each field's type and format (attributeTypeMap) and its description and
 * optionality (the .d.ts comments). Nothing here is written by hand.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as models from '@kubernetes/client-node';

export type Schema = Record<string, unknown>;

interface Attribute {
  name: string;
  baseName: string;
  type: string;
  format: string;
}

const MODELS_DIR = fileURLToPath(new URL('./gen/models/', import.meta.resolve('@kubernetes/client-node')));
const META_TYPES = new Set(['ObjectMeta', 'ListMeta', 'OwnerReference', 'ManagedFieldsEntry', 'Status', 'StatusDetails', 'StatusCause', 'LabelSelector', 'LabelSelectorRequirement', 'Condition', 'DeleteOptions', 'Preconditions', 'APIResource', 'APIResourceList', 'Time', 'MicroTime']);

/**
 * The API package of client-node's models outside core/v1, by type name (a
 * name ending in * covers every type it starts): the packages' own type lists
 * in k8s.io/api, as the Kubernetes OpenAPI spec names its definitions.
 */
const PACKAGES: [pkg: string, types: string[]][] = [
  ['apps', ['Deployment*', 'ReplicaSet*', 'StatefulSet*', 'DaemonSet*', 'ControllerRevision*', 'RollingUpdateDeployment', 'RollingUpdateStatefulSetStrategy', 'RollingUpdateDaemonSet']],
  ['batch', ['Job*', 'CronJob*', 'PodFailurePolicy*', 'SuccessPolicy*', 'UncountedTerminatedPods']],
  ['policy', ['Eviction', 'PodDisruptionBudget*']],
  ['coordination', ['Lease*']],
  ['discovery', ['EndpointSlice*', 'Endpoint', 'EndpointConditions', 'EndpointHints', 'ForZone', 'ForNode']],
  ['authorization', ['SelfSubjectAccessReview*', 'SelfSubjectRulesReview*', 'SubjectAccessReview*', 'SubjectRulesReviewStatus', 'ResourceAttributes', 'NonResourceAttributes', 'ResourceRule', 'NonResourceRule', 'FieldSelectorAttributes', 'LabelSelectorAttributes']],
  ['authentication', ['SelfSubjectReview*', 'TokenRequest*', 'BoundObjectReference', 'UserInfo']],
  ['networking', ['Ingress*', 'HTTPIngress*', 'IPBlock', 'NetworkPolicy*', 'ServiceBackendPort']],
];

function packageOf(type: string): string {
  return PACKAGES.find(([, types]) => types.some((t) => (t.endsWith('*') ? type.startsWith(t.slice(0, -1)) : type === t)))?.[0] ?? 'core';
}

/** The OpenAPI definition name of a client-node model, e.g. V1Container → io.k8s.api.core.v1.Container, V1Deployment → io.k8s.api.apps.v1.Deployment. */
export function definitionName(model: string): string {
  const match = /^(Core|Discovery|Authentication)?V(\d+(?:alpha\d+|beta\d+)?)(\w+)$/.exec(model);
  if (!match) return `io.k8s.labpath.${model}`;
  const [, prefix, version, type = ''] = match;
  if (META_TYPES.has(type)) return `io.k8s.apimachinery.pkg.apis.meta.v${version}.${type}`;
  if (/^(CustomResource|JSONSchemaProps|ExternalDocumentation|WebhookConversion|ServiceReference$)/.test(type) && model.startsWith('V1'))
    return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v${version}.${type}`;
  // client-node prefixes a model with its group where two groups share a name (CoreV1EndpointPort, DiscoveryV1EndpointPort).
  return `io.k8s.api.${prefix ? prefix.toLowerCase() : packageOf(type)}.v${version}.${type}`;
}

interface ModelDocs {
  description?: string;
  fields: Map<string, { description?: string; required: boolean }>;
}

function modelDocs(model: string): ModelDocs {
  let text: string;
  try {
    text = readFileSync(`${MODELS_DIR}${model}.d.ts`, 'utf8');
  } catch {
    return { fields: new Map() };
  }
  const unescape = (s: string) => s.replace(/\\(['"\\])/g, '$1').trim();
  const classDoc = /\/\*\*\s*\n\*\s?([\s\S]*?)\n\*\/\s*\nexport declare class/.exec(text);
  const fields = new Map<string, { description?: string; required: boolean }>();
  const body = text.slice(text.indexOf('export declare class'));
  // Each field: an optional /** … */ comment (never spanning two comments), then 'name'?: type.
  for (const m of body.matchAll(/(?:\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*)?'([\w$-]+)'(\?)?:/g)) {
    const description = m[1]?.replace(/^\s*\*\s?/gm, '').trim();
    fields.set(m[2]!, { ...(description ? { description: unescape(description) } : {}), required: m[3] !== '?' });
  }
  return { ...(classDoc?.[1] ? { description: unescape(classDoc[1]) } : {}), fields };
}

function attributes(model: string): Attribute[] | undefined {
  const cls = (models as Record<string, unknown>)[model] as { attributeTypeMap?: Attribute[] } | undefined;
  return cls?.attributeTypeMap;
}

/** Schemas for `roots` and every model they reference, keyed by definition name. */
export function buildSchemas(roots: string[]): Map<string, Schema> {
  const out = new Map<string, Schema>();
  const queue = [...roots];
  const typeSchema = (type: string, format: string): Schema => {
    let m: RegExpExecArray | null;
    if ((m = /^Array<(.+)>$/.exec(type))) return { type: 'array', items: typeSchema(m[1]!, format) };
    if ((m = /^\{ \[key: string\]: (.+); \}$/.exec(type))) return { type: 'object', additionalProperties: typeSchema(m[1]!, format) };
    switch (type) {
      case 'string':
        return format ? { type: 'string', format } : { type: 'string' };
      case 'number':
        return format === 'double' ? { type: 'number', format } : { type: 'integer', ...(format ? { format } : {}) };
      case 'boolean':
        return { type: 'boolean' };
      case 'Date':
        return { type: 'string', format: 'date-time' };
      case 'any':
        return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
      case 'object':
        return { type: 'object' };
      case 'IntOrString':
        return { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] };
      default:
        if (attributes(type)) {
          queue.push(type);
          return { allOf: [{ $ref: `#/components/schemas/${definitionName(type)}` }] };
        }
        return { type: 'string', ...(format ? { format } : {}) };
    }
  };
  while (queue.length > 0) {
    const model = queue.shift()!;
    const name = definitionName(model);
    if (out.has(name)) continue;
    const attrs = attributes(model);
    if (!attrs) continue;
    out.set(name, {});
    const docs = modelDocs(model);
    const properties: Record<string, Schema> = {};
    const required: string[] = [];
    for (const a of attrs) {
      const field = docs.fields.get(a.name);
      const base = typeSchema(a.type, a.format);
      properties[a.baseName] = { ...(field?.description ? { description: field.description } : {}), ...base };
      if (field?.required && !['apiVersion', 'kind', 'metadata', 'status'].includes(a.baseName)) required.push(a.baseName);
    }
    out.set(name, { ...(docs.description ? { description: docs.description } : {}), type: 'object', properties, ...(required.length ? { required } : {}) });
  }
  return out;
}
