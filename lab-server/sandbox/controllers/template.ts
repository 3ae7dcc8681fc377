/**
 * `{{ … }}` in rule patches and event messages: `.json.path` reads the
 * object, `$name` a computed value, `now` the time (`nowMicro` with microseconds). A string that is one
 * template alone keeps the value's type (a list stays a list).
 */
import { evaluateJsonPath, parseJsonPath } from '../../lesson/jsonpath.ts';
import { isRecord } from '../../k8s/object.ts';

export interface TemplateContext {
  object: unknown;
  vars: Record<string, unknown>;
  now: string;
}

const WHOLE = /^\{\{\s*([^}]+?)\s*\}\}$/;
const PART = /\{\{\s*([^}]+?)\s*\}\}/g;

function lookup(expression: string, context: TemplateContext): unknown {
  if (expression === 'now') return context.now;
  // MicroTime (a Lease's renewTime): six digits of fraction.
  if (expression === 'nowMicro') return new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
  if (expression.startsWith('$')) {
    const [name, ...path] = expression.slice(1).split('.');
    let value = context.vars[name ?? ''];
    for (const key of path) value = isRecord(value) ? value[key] : undefined;
    return value;
  }
  const parsed = parseJsonPath(expression);
  if (!parsed.ok) throw new Error(`template {{ ${expression} }}: ${parsed.error}`);
  return evaluateJsonPath(parsed.segments, context.object)[0];
}

export function render(value: unknown, context: TemplateContext): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole) return lookup(whole[1]!, context);
    return value.replace(PART, (_, expression: string) => {
      const v = lookup(expression, context);
      return v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    });
  }
  if (Array.isArray(value)) return value.map((v) => render(v, context)).filter((v) => v !== undefined);
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const rendered = render(v, context);
      if (rendered !== undefined) out[k] = rendered;
    }
    return out;
  }
  return value;
}
