/** Walks an OpenAPI schema alongside a JSON value, following $ref and allOf wrappers. */
import { isRecord } from '../../k8s/object.ts';
import type { Schema } from './client-node-schemas.ts';

export class SchemaCursor {
  readonly schema: Schema | undefined;
  private readonly schemas: Map<string, Schema>;

  constructor(schemas: Map<string, Schema>, schema: Schema | undefined) {
    this.schemas = schemas;
    this.schema = schema === undefined ? undefined : resolve(schemas, schema);
  }

  static of(schemas: Map<string, Schema>, name: string): SchemaCursor {
    return new SchemaCursor(schemas, schemas.get(name));
  }

  /** True where anything goes: no schema, or x-kubernetes-preserve-unknown-fields. */
  get open(): boolean {
    return this.schema === undefined || this.schema['x-kubernetes-preserve-unknown-fields'] === true;
  }

  get type(): string | undefined {
    return typeof this.schema?.type === 'string' ? this.schema.type : undefined;
  }

  get intOrString(): boolean {
    return this.schema?.['x-kubernetes-int-or-string'] === true;
  }

  /** The schema of a property; undefined when the field is not declared (and the object is not open). */
  property(name: string): SchemaCursor | undefined {
    const properties = this.schema?.properties;
    if (isRecord(properties) && isRecord(properties[name])) return this.at(name, properties[name] as Schema);
    const additional = this.schema?.additionalProperties;
    if (isRecord(additional)) return new SchemaCursor(this.schemas, additional as Schema);
    if (additional === true || this.open || !isRecord(properties)) return new SchemaCursor(this.schemas, undefined);
    return undefined;
  }

  items(): SchemaCursor {
    return new SchemaCursor(this.schemas, isRecord(this.schema?.items) ? (this.schema.items as Schema) : undefined);
  }

  /** The merge key of this list field, when it merges by key. */
  mergeKey: string | undefined;
  mergesAsSet = false;

  private at(_name: string, property: Schema): SchemaCursor {
    const cursor = new SchemaCursor(this.schemas, property);
    const key = property['x-kubernetes-patch-merge-key'];
    if (typeof key === 'string') cursor.mergeKey = key;
    cursor.mergesAsSet = property['x-kubernetes-patch-strategy'] === 'merge' && typeof key !== 'string';
    return cursor;
  }
}

function resolve(schemas: Map<string, Schema>, schema: Schema): Schema {
  let current = schema;
  for (let depth = 0; depth < 8; depth++) {
    const ref = typeof current.$ref === 'string' ? current.$ref : Array.isArray(current.allOf) && isRecord(current.allOf[0]) && typeof current.allOf[0].$ref === 'string' ? current.allOf[0].$ref : undefined;
    if (!ref) return current;
    const target = schemas.get(ref.replace('#/components/schemas/', ''));
    if (!target) return current;
    const { allOf: _allOf, $ref: _ref, ...rest } = current;
    current = { ...target, ...rest };
  }
  return current;
}
