/**
 * The OpenAPI v2 (Swagger 2.0) document at /openapi/v2, made from the same
 * schemas and operations as the v3 documents. kubectl up to 1.28 (and `oc` up
 * to 4.15) reads it for apply, create, explain, diff, edit and replace; every
 * kubectl still asks for it. It is converted the way kube-apiserver publishes
 * v2 from v3: `allOf: [{$ref}]` wrappers become a plain `$ref`, int-or-string
 * becomes `type: string, format: int-or-string`, and what v2 cannot say
 * (`anyOf`, `oneOf`, `not`, `nullable`) is left out.
 */
import { createHash } from 'node:crypto';
import { isRecord } from '../../k8s/object.ts';
import type { Schema } from './client-node-schemas.ts';
import { openApiDocuments } from './documents.ts';
import { encodeSwaggerDocument } from './swagger-protobuf.ts';

export interface SwaggerDocument {
  json: Buffer;
  protobuf: Buffer;
  /** As kube-apiserver's ETag: a hash of the document, quoted. */
  etag: string;
}

const V3_REF = '#/components/schemas/';
const V2_REF = '#/definitions/';
const DROPPED = new Set(['anyOf', 'oneOf', 'not', 'nullable', 'allOf']);

let cache: SwaggerDocument | undefined;

export function swaggerDocument(): SwaggerDocument {
  if (cache) return cache;
  const definitions: Record<string, Schema> = {};
  const paths: Record<string, unknown> = {};
  for (const document of openApiDocuments().values()) {
    for (const [name, schema] of document.schemas) definitions[name] ??= toV2(schema);
    for (const [path, item] of Object.entries(document.document.paths as Record<string, Record<string, Schema>>)) paths[path] = pathItem(path, item);
  }
  const document = {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: 'v1.32.5' },
    paths,
    definitions,
    securityDefinitions: { BearerToken: { type: 'apiKey', name: 'authorization', in: 'header', description: 'Bearer Token authentication' } },
    security: [{ BearerToken: [] }],
  };
  const json = Buffer.from(JSON.stringify(document));
  cache = { json, protobuf: encodeSwaggerDocument(document), etag: `"${createHash('sha512').update(json).digest('hex').toUpperCase()}"` };
  return cache;
}

/** One schema in v2's dialect, recursively. */
export function toV2(schema: Schema): Schema {
  const out: Schema = {};
  const wrapped = Array.isArray(schema.allOf) && schema.allOf.length === 1 && isRecord(schema.allOf[0]) ? (schema.allOf[0] as Schema) : undefined;
  if (wrapped && typeof wrapped.$ref === 'string') out.$ref = wrapped.$ref.replace(V3_REF, V2_REF);
  for (const [key, value] of Object.entries(schema)) {
    if (DROPPED.has(key)) continue;
    if (key === '$ref' && typeof value === 'string') out.$ref = value.replace(V3_REF, V2_REF);
    else if (key === 'properties' && isRecord(value)) out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toV2(v as Schema)]));
    else if ((key === 'items' || key === 'additionalProperties') && isRecord(value)) out[key] = toV2(value as Schema);
    else out[key] = value;
  }
  if (schema['x-kubernetes-int-or-string'] === true) Object.assign(out, { type: 'string', format: 'int-or-string' });
  return out;
}

const PRODUCES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

function pathItem(path: string, item: Record<string, Schema>): unknown {
  const pathParameters = [...path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    type: 'string',
    uniqueItems: true,
    description: m[1] === 'namespace' ? 'object name and auth scope, such as for teams and projects' : `name of the ${path.split('/').at(-2)?.replace(/s$/, '')}`,
  }));
  const operations = Object.fromEntries(Object.entries(item).map(([method, op]) => [method, operation(op)]));
  return { ...operations, ...(pathParameters.length ? { parameters: pathParameters } : {}) };
}

function operation(op: Schema): unknown {
  const gvk = op['x-kubernetes-group-version-kind'] as { group: string; version: string; kind: string };
  const responseSchema = (op.responses as Record<string, { content?: Record<string, { schema?: Schema }> }>)['200']?.content?.['application/json']?.schema;
  const query = ((op.parameters as { name: string; description: string }[] | undefined) ?? []).map((p) => ({ name: p.name, in: 'query', description: p.description, type: 'string', uniqueItems: true }));
  const requestContent = (op.requestBody as { content?: Record<string, { schema?: Schema }> } | undefined)?.content;
  const body = requestContent ? [{ name: 'body', in: 'body', required: true, schema: toV2(Object.values(requestContent)[0]?.schema ?? { type: 'object' }) }] : [];
  return {
    description: `${String(op['x-kubernetes-action'])} ${gvk.kind}`,
    consumes: requestContent ? Object.keys(requestContent) : ['*/*'],
    produces: PRODUCES,
    schemes: ['https'],
    operationId: op.operationId,
    parameters: [...body, ...query],
    responses: { '200': { description: 'OK', ...(responseSchema ? { schema: toV2(responseSchema) } : {}) }, '401': { description: 'Unauthorized' } },
    'x-kubernetes-action': op['x-kubernetes-action'],
    'x-kubernetes-group-version-kind': gvk,
  };
}
