/**
 * What the API server's decoder does with fields a schema does not declare:
 * drops them, and, depending on fieldValidation, fails the request (Strict),
 * warns (Warn, the default) or says nothing (Ignore). Custom resources are also
 * checked against their schema's types, as the CRD validator does.
 */
import { isRecord } from '../../k8s/object.ts';
import type { SchemaCursor } from './schema-cursor.ts';

export interface FieldReport {
  /** The value with undeclared fields removed. */
  value: unknown;
  unknown: string[];
  /** Type mismatches: field path and expected type. */
  mistyped: { field: string; expected: string; actual: string }[];
}

export function checkFields(value: unknown, cursor: SchemaCursor): FieldReport {
  const report: FieldReport = { value: undefined, unknown: [], mistyped: [] };
  report.value = walk(value, cursor, '', report);
  return report;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function walk(value: unknown, cursor: SchemaCursor, path: string, report: FieldReport): unknown {
  if (cursor.open && cursor.type === undefined) return value;
  const expected = cursor.type;
  const actual = typeName(value);
  if (value !== null && expected && !cursor.intOrString && expected !== actual && !(expected === 'number' && actual === 'integer')) {
    report.mistyped.push({ field: path, expected, actual });
    return value;
  }
  if (isRecord(value)) {
    // Preserving unknown fields keeps them, but declared fields are still checked.
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      const property = cursor.property(key);
      const childPath = path === '' ? key : `${path}.${key}`;
      if (!property) {
        report.unknown.push(childPath);
        continue;
      }
      out[key] = walk(child, property, childPath, report);
    }
    return out;
  }
  if (Array.isArray(value)) {
    const items = cursor.items();
    return value.map((item, i) => walk(item, items, `${path}[${i}]`, report));
  }
  return value;
}
