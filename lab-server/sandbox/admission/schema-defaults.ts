/**
 * A custom resource's structural defaults, as apiextensions-apiserver applies
 * them on every write: a property missing from the object gets a copy of its
 * schema's `default`, and the walk goes on into what is there (defaults
 * included), so nested defaults fill in too. HyperConverged's spec, for one,
 * is mostly defaults.
 */
import { isRecord } from '../../k8s/object.ts';

type Schema = Record<string, unknown>;

export function withSchemaDefaults(schema: Schema, value: unknown): unknown {
  if (Array.isArray(value)) return isRecord(schema.items) ? value.map((item) => withSchemaDefaults(schema.items as Schema, item)) : value;
  if (!isRecord(value)) return value;
  const properties = isRecord(schema.properties) ? (schema.properties as Record<string, Schema>) : {};
  const rest = isRecord(schema.additionalProperties) ? (schema.additionalProperties as Schema) : undefined;
  const out: Record<string, unknown> = { ...value };
  for (const [name, property] of Object.entries(properties)) {
    if (out[name] === undefined && property.default !== undefined) out[name] = structuredClone(property.default);
  }
  for (const [name, field] of Object.entries(out)) {
    const property = properties[name] ?? rest;
    if (property) out[name] = withSchemaDefaults(property, field);
  }
  return out;
}
