/**
 * Lifecycle rules: how objects move on their own, as data (in the spirit of
 * KWOK's stages). A rule names the objects it applies to, a selector on their
 * state, a delay, and what happens next: a patch, events, or deletion. Values
 * a rule cannot state as data (a node to schedule to, the networks Multus
 * attaches) come from a named computation whose results the templates use.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { parseJsonPath, type JsonPathSegment } from '../../lesson/jsonpath.ts';

const expression = z.strictObject({
  key: z.string(),
  operator: z.enum(['Exists', 'DoesNotExist', 'In', 'NotIn']),
  values: z.array(z.union([z.string(), z.number(), z.boolean()])).optional(),
});

const event = z.strictObject({
  type: z.enum(['Normal', 'Warning']),
  reason: z.string(),
  message: z.string(),
  source: z.string(),
});

export const ruleSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]+$/),
  description: z.string().optional(),
  resource: z.strictObject({ apiVersion: z.string(), kind: z.string() }),
  selector: z.array(expression).default([]),
  delayMs: z.int().min(0).default(0),
  compute: z.string().optional(),
  /** When the computation says "not yet", try again after this long. */
  retryMs: z.int().min(100).default(5000),
  /**
   * Other kinds whose changes make this rule look again at every object it
   * applies to in the same namespace (all of them, for cluster-scoped kinds):
   * a Service at the pods it selects, a DaemonSet at the nodes.
   */
  alsoOn: z.array(z.strictObject({ apiVersion: z.string(), kind: z.string() })).default([]),
  next: z.strictObject({
    patch: z.record(z.string(), z.unknown()).optional(),
    events: z.array(event).default([]),
    delete: z.boolean().default(false),
  }),
});

export type LifecycleRuleSource = z.infer<typeof ruleSchema>;
export type RuleEvent = z.infer<typeof event>;

export interface LifecycleRule extends LifecycleRuleSource {
  /** The selector with its JSONPaths parsed once. */
  matchers: { segments: JsonPathSegment[]; operator: string; values?: (string | number | boolean)[] }[];
}

const RULES_DIR = new URL('./rules/', import.meta.url);

/** Every rule in rules/*.yaml, in file then list order; a malformed rule stops the sandbox with its file and position. */
export function loadRules(dir: URL = RULES_DIR): LifecycleRule[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((file) => {
      let raw: unknown;
      try {
        raw = parse(readFileSync(new URL(file, dir), 'utf8'));
      } catch (error) {
        throw new Error(`lifecycle rule file ${file}: ${(error as Error).message.split('\n')[0]}`);
      }
      const parsed = z.array(ruleSchema).safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new Error(`lifecycle rule file ${file}: ${issue.path.join('.')}: ${issue.message}`);
      }
      return parsed.data.map((rule) => ({
        ...rule,
        matchers: rule.selector.map((m) => {
          const path = parseJsonPath(m.key);
          if (!path.ok) throw new Error(`lifecycle rule ${rule.name} (${file}): selector key ${m.key}: ${path.error}`);
          return { segments: path.segments, operator: m.operator, ...(m.values ? { values: m.values } : {}) };
        }),
      }));
    });
}
