/**
 * A Swagger 2.0 document in the protobuf form kubectl asks for
 * (`application/com.github.proto-openapi.spec.v2@v1.0+protobuf`): the
 * openapi.v2 messages of gnostic's OpenAPIv2.proto (google/gnostic,
 * openapiv2/OpenAPIv2.proto at v0.7.0; field numbers below are from it).
 * Only the messages a Kubernetes document uses are written. Values of
 * free-form fields (default, enum, example, x-* extensions) travel as YAML in
 * `Any.yaml`, which is how kube-openapi reads them back.
 */
import { stringify } from 'yaml';
import { isRecord } from '../../k8s/object.ts';

type Json = Record<string, unknown>;

/** Protobuf wire encoding: varint-tagged fields, length-delimited messages. */
class Writer {
  private readonly parts: Buffer[] = [];

  private varint(value: number): void {
    const bytes: number[] = [];
    let v = BigInt.asUintN(64, BigInt(Math.trunc(value)));
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      bytes.push(byte);
    } while (v !== 0n);
    this.parts.push(Buffer.from(bytes));
  }

  private tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  string(field: number, value: unknown): void {
    if (typeof value !== 'string' || value === '') return;
    this.bytes(field, Buffer.from(value, 'utf8'));
  }

  strings(field: number, values: unknown): void {
    if (Array.isArray(values)) for (const v of values) if (typeof v === 'string') this.bytes(field, Buffer.from(v, 'utf8'));
  }

  bool(field: number, value: unknown): void {
    if (value !== true) return;
    this.tag(field, 0);
    this.varint(1);
  }

  int64(field: number, value: unknown): void {
    if (typeof value !== 'number' || value === 0) return;
    this.tag(field, 0);
    this.varint(value);
  }

  double(field: number, value: unknown): void {
    if (typeof value !== 'number') return;
    this.tag(field, 1);
    const buffer = Buffer.alloc(8);
    buffer.writeDoubleLE(value);
    this.parts.push(buffer);
  }

  bytes(field: number, value: Buffer): void {
    this.tag(field, 2);
    this.varint(value.length);
    this.parts.push(value);
  }

  message(field: number, encode: (w: Writer) => void): void {
    const inner = new Writer();
    encode(inner);
    this.bytes(field, inner.finish());
  }

  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** Any { string yaml = 2 } */
function any(w: Writer, field: number, value: unknown): void {
  if (value === undefined) return;
  w.message(field, (a) => a.string(2, stringify(value, { lineWidth: 0 })));
}

/** repeated NamedAny { name = 1; Any value = 2 } of the object's x-* keys. */
function vendorExtensions(w: Writer, field: number, object: Json): void {
  for (const [name, value] of Object.entries(object)) {
    if (!name.startsWith('x-')) continue;
    w.message(field, (n) => {
      n.string(1, name);
      any(n, 2, value);
    });
  }
}

/** A map as repeated Named<X> { name = 1; X value = 2 } inside a wrapper message at `field`. */
function namedMap(w: Writer, field: number, entryField: number, map: unknown, encode: (w: Writer, value: Json) => void): void {
  if (!isRecord(map)) return;
  w.message(field, (m) => {
    for (const [name, value] of Object.entries(map)) {
      if (!isRecord(value)) continue;
      m.message(entryField, (n) => {
        n.string(1, name);
        n.message(2, (v) => encode(v, value));
      });
    }
  });
}

function schema(w: Writer, s: Json): void {
  w.string(1, s.$ref);
  w.string(2, s.format);
  w.string(3, s.title);
  w.string(4, s.description);
  any(w, 5, s.default);
  w.double(6, s.multipleOf);
  w.double(7, s.maximum);
  w.bool(8, s.exclusiveMaximum);
  w.double(9, s.minimum);
  w.bool(10, s.exclusiveMinimum);
  w.int64(11, s.maxLength);
  w.int64(12, s.minLength);
  w.string(13, s.pattern);
  w.int64(14, s.maxItems);
  w.int64(15, s.minItems);
  w.bool(16, s.uniqueItems);
  w.int64(17, s.maxProperties);
  w.int64(18, s.minProperties);
  w.strings(19, s.required);
  if (Array.isArray(s.enum)) for (const value of s.enum) any(w, 20, value);
  // AdditionalPropertiesItem { oneof { Schema schema = 1; bool boolean = 2; } }
  if (isRecord(s.additionalProperties)) w.message(21, (a) => a.message(1, (x) => schema(x, s.additionalProperties as Json)));
  else if (typeof s.additionalProperties === 'boolean') w.message(21, (a) => a.bool(2, s.additionalProperties));
  // TypeItem { repeated string value = 1 }
  if (s.type !== undefined) w.message(22, (t) => t.strings(1, Array.isArray(s.type) ? s.type : [s.type]));
  // ItemsItem { repeated Schema schema = 1 }
  if (s.items !== undefined) w.message(23, (i) => (Array.isArray(s.items) ? s.items : [s.items]).filter(isRecord).forEach((item) => i.message(1, (x) => schema(x, item))));
  if (Array.isArray(s.allOf)) for (const part of s.allOf.filter(isRecord)) w.message(24, (x) => schema(x, part));
  namedMap(w, 25, 1, s.properties, schema);
  w.string(26, s.discriminator);
  w.bool(27, s.readOnly);
  any(w, 30, s.example);
  vendorExtensions(w, 31, s);
}

/** ParametersItem { Parameter parameter = 1 } → Parameter { BodyParameter = 1 | NonBodyParameter = 2 }. */
function parameter(w: Writer, p: Json): void {
  w.message(1, (param) => {
    if (p.in === 'body') {
      param.message(1, (b) => {
        b.string(1, p.description);
        b.string(2, p.name);
        b.string(3, p.in);
        b.bool(4, p.required);
        if (isRecord(p.schema)) b.message(5, (x) => schema(x, p.schema as Json));
      });
      return;
    }
    // NonBodyParameter { query_parameter_sub_schema = 3; path_parameter_sub_schema = 4 }; both start
    // required, in, description, name, and put type and format after allow_empty_value (query) or not (path).
    const query = p.in === 'query';
    param.message(2, (nb) =>
      nb.message(query ? 3 : 4, (q) => {
        q.bool(1, p.required);
        q.string(2, p.in);
        q.string(3, p.description);
        q.string(4, p.name);
        const offset = query ? 1 : 0;
        q.string(5 + offset, p.type);
        q.string(6 + offset, p.format);
        q.bool(19 + offset, p.uniqueItems);
      }),
    );
  });
}

function operation(w: Writer, op: Json): void {
  w.strings(1, op.tags);
  w.string(2, op.summary);
  w.string(3, op.description);
  w.string(5, op.operationId);
  w.strings(6, op.produces);
  w.strings(7, op.consumes);
  if (Array.isArray(op.parameters)) for (const p of op.parameters.filter(isRecord)) w.message(8, (x) => parameter(x, p));
  // Responses { repeated NamedResponseValue response_code = 1 } → ResponseValue { Response response = 1 }.
  namedMap(w, 9, 1, op.responses, (rv, response) =>
    rv.message(1, (r) => {
      r.string(1, response.description);
      if (isRecord(response.schema)) r.message(2, (item) => item.message(1, (x) => schema(x, response.schema as Json)));
    }),
  );
  w.strings(10, op.schemes);
  vendorExtensions(w, 13, op);
}

const METHODS: [string, number][] = [['get', 2], ['put', 3], ['post', 4], ['delete', 5], ['options', 6], ['head', 7], ['patch', 8]];

function pathItem(w: Writer, item: Json): void {
  for (const [method, field] of METHODS) if (isRecord(item[method])) w.message(field, (x) => operation(x, item[method] as Json));
  if (Array.isArray(item.parameters)) for (const p of item.parameters.filter(isRecord)) w.message(9, (x) => parameter(x, p));
  vendorExtensions(w, 10, item);
}

export function encodeSwaggerDocument(document: Json): Buffer {
  const w = new Writer();
  w.string(1, document.swagger);
  if (isRecord(document.info)) {
    const info = document.info;
    w.message(2, (i) => {
      i.string(1, info.title);
      i.string(2, info.version);
    });
  }
  // Paths { repeated NamedPathItem path = 2 }
  namedMap(w, 8, 2, document.paths, pathItem);
  // Definitions { repeated NamedSchema additional_properties = 1 }
  namedMap(w, 9, 1, document.definitions, schema);
  // SecurityRequirement { repeated NamedStringArray additional_properties = 1 } → StringArray { value = 1 }
  if (Array.isArray(document.security))
    for (const requirement of document.security.filter(isRecord))
      w.message(12, (s) => {
        for (const [name, scopes] of Object.entries(requirement))
          s.message(1, (n) => {
            n.string(1, name);
            n.message(2, (a) => a.strings(1, scopes));
          });
      });
  // SecurityDefinitions { NamedSecurityDefinitionsItem = 1 } → SecurityDefinitionsItem { ApiKeySecurity = 2 }
  namedMap(w, 13, 1, document.securityDefinitions, (item, def) =>
    item.message(2, (k) => {
      k.string(1, def.type);
      k.string(2, def.name);
      k.string(3, def.in);
      k.string(4, def.description);
    }),
  );
  return w.finish();
}
