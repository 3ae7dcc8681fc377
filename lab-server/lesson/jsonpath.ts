/**
 * The JSONPath subset kubectl's `-o jsonpath` accepts and checks need:
 * `.a.b`, `['key.with.dots']`, `[0]`, `[*]`, and filters `[?(@.type=="Ready")]`
 * (`==`, `!=`, or bare existence). Braces are optional: `{.spec.config}`.
 * Parsed when a lesson loads, so a typo is a lint error, not a failed check.
 */
import { isRecord } from '../k8s/object.ts';

export type JsonPathSegment =
  | { kind: 'key'; key: string }
  | { kind: 'index'; index: number }
  | { kind: 'wildcard' }
  | { kind: 'filter'; path: string[]; op: '==' | '!=' | 'exists'; literal?: string | number | boolean };

export type JsonPathParse = { ok: true; segments: JsonPathSegment[] } | { ok: false; error: string };

const NAME = /^[A-Za-z_$][\w$-]*/;
const FILTER = /^\[\?\(@((?:\.[\w$-]+)+)\s*(?:(==|!=)\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|-?\d+(?:\.\d+)?|true|false))?\s*\)\]/;

export function parseJsonPath(expression: string): JsonPathParse {
  let rest = expression.trim();
  if (rest.startsWith('{') && rest.endsWith('}')) rest = rest.slice(1, -1).trim();
  if (rest.startsWith('$')) rest = rest.slice(1);
  if (rest === '' || rest === '.') return { ok: true, segments: [] };
  const segments: JsonPathSegment[] = [];
  while (rest.length > 0) {
    const at = expression.length - rest.length;
    if (rest.startsWith('.')) {
      const name = NAME.exec(rest.slice(1));
      if (!name) return { ok: false, error: `expected a field name after "." at character ${at + 1} of "${expression}"` };
      segments.push({ kind: 'key', key: name[0] });
      rest = rest.slice(1 + name[0].length);
      continue;
    }
    const filter = FILTER.exec(rest);
    if (filter) {
      const path = (filter[1] ?? '').slice(1).split('.');
      const op = (filter[2] as '==' | '!=' | undefined) ?? 'exists';
      const segment: JsonPathSegment = { kind: 'filter', path, op };
      if (filter[3] !== undefined) segment.literal = parseLiteral(filter[3]);
      segments.push(segment);
      rest = rest.slice(filter[0].length);
      continue;
    }
    const bracket = /^\[(\*|\d+|'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\]/.exec(rest);
    if (bracket) {
      const inner = bracket[1] ?? '';
      if (inner === '*') segments.push({ kind: 'wildcard' });
      else if (/^\d+$/.test(inner)) segments.push({ kind: 'index', index: Number(inner) });
      else segments.push({ kind: 'key', key: inner.slice(1, -1).replace(/\\(.)/g, '$1') });
      rest = rest.slice(bracket[0].length);
      continue;
    }
    return {
      ok: false,
      error: `unexpected "${rest.slice(0, 12)}" at character ${at + 1} of "${expression}"; use .field, ['key'], [0], [*] or [?(@.field=="value")]`,
    };
  }
  return { ok: true, segments };
}

function parseLiteral(raw: string): string | number | boolean {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (raw.startsWith('"') || raw.startsWith("'")) return raw.slice(1, -1).replace(/\\(.)/g, '$1');
  return Number(raw);
}

/** Every value the path selects; an empty list when nothing matches. */
export function evaluateJsonPath(segments: readonly JsonPathSegment[], root: unknown): unknown[] {
  let current: unknown[] = [root];
  for (const segment of segments) {
    const next: unknown[] = [];
    for (const value of current) {
      switch (segment.kind) {
        case 'key':
          if (isRecord(value) && segment.key in value) next.push(value[segment.key]);
          break;
        case 'index':
          if (Array.isArray(value) && segment.index < value.length) next.push(value[segment.index]);
          break;
        case 'wildcard':
          if (Array.isArray(value)) next.push(...value);
          else if (isRecord(value)) next.push(...Object.values(value));
          break;
        case 'filter':
          if (Array.isArray(value)) next.push(...value.filter((item) => filterMatches(segment, item)));
          break;
      }
    }
    current = next;
  }
  return current;
}

function filterMatches(segment: Extract<JsonPathSegment, { kind: 'filter' }>, item: unknown): boolean {
  let value: unknown = item;
  for (const key of segment.path) {
    if (!isRecord(value) || !(key in value)) return false;
    value = value[key];
  }
  if (segment.op === 'exists') return value !== undefined && value !== null;
  const equal = value === segment.literal || String(value) === String(segment.literal);
  return segment.op === '==' ? equal : !equal;
}
