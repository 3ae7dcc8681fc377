/**
 * Evaluates the checks that read objects (exists, absent, field, condition),
 * including `forEach` expansion, against whatever cluster the reader talks to.
 */
import type { Check, ResourceRef } from '../lesson/schema.ts';
import { evaluateJsonPath, parseJsonPath, type JsonPathSegment } from '../lesson/jsonpath.ts';
import { getPath, isRecord, type KubeObject } from '../k8s/object.ts';
import type { CheckResult } from './check-result.ts';
import type { ClusterReader, ClusterProblem } from './cluster-reader.ts';

export type ResourceCheck = Exclude<Check, { type: 'connect' | 'command' }>;

const EACH_NAME = '{{each.name}}';

export async function evaluateResourceCheck(check: ResourceCheck, reader: ClusterReader): Promise<CheckResult[]> {
  if (!check.forEach) return [await evaluateOne(check, check.resource, reader)];
  const { apiVersion, kind, labelSelector } = check.forEach;
  const items = await reader.list({ apiVersion, kind, labelSelector });
  const scope = `${kind}${labelSelector ? ` with ${labelSelector}` : ''}`;
  if (!items.ok) return [problemResult(scope, items.problem)];
  if (items.value.length === 0)
    return [{ status: 'failed', subject: scope, expected: `at least one ${scope}`, actual: `no ${scope}`, message: check.message }];
  return Promise.all(
    items.value.map((item) => {
      const name = String(item.metadata?.name ?? '');
      return evaluateOne(check, { ...check.resource, name: check.resource.name?.replaceAll(EACH_NAME, name) }, reader);
    }),
  );
}

async function evaluateOne(check: ResourceCheck, ref: ResourceRef, reader: ClusterReader): Promise<CheckResult> {
  const subject = describeRef(ref);
  const found = await readTargets(ref, reader);
  if (!found.ok) return problemResult(subject, found.problem);
  const objects = found.value;
  switch (check.type) {
    case 'exists':
      return verdict(objects.length > 0, check, subject, 'exists', objects.length > 0 ? 'exists' : 'not found');
    case 'absent':
      return verdict(objects.length === 0, check, subject, 'absent', objects.length === 0 ? 'absent' : `found ${objects.map(nameOf).join(', ')}`);
    case 'field':
      return fieldVerdict(check, subject, objects);
    case 'condition':
      return conditionVerdict(check, subject, objects);
  }
}

async function readTargets(ref: ResourceRef, reader: ClusterReader) {
  const query = { apiVersion: ref.apiVersion, kind: ref.kind, namespace: ref.namespace };
  if (ref.name !== undefined) {
    const one = await reader.get({ ...query, name: ref.name });
    return one.ok ? { ok: true as const, value: one.value ? [one.value] : [] } : one;
  }
  return reader.list({ ...query, labelSelector: ref.labelSelector });
}

function fieldVerdict(check: FieldCheck, subject: string, objects: KubeObject[]): CheckResult {
  const selector = `${check.path}${check.json ? ` → ${check.json}` : ''}`;
  const expected = `${selector} ${check.equals !== undefined ? `= ${JSON.stringify(check.equals)}` : `matches /${check.matches}/`}`;
  if (objects.length === 0) return verdict(false, check, subject, expected, 'not found');
  const selected = objects.map((object) => selectValues(check, object));
  const notJson = selected.find((s) => !s.ok);
  if (notJson && !notJson.ok) return verdict(false, check, subject, expected, notJson.actual);
  const values = selected.flatMap((s) => (s.ok ? s.values : []));
  const pattern = check.matches !== undefined ? new RegExp(check.matches) : undefined;
  const passes = values.some((value) => (pattern ? pattern.test(String(value)) : value === check.equals || String(value) === String(check.equals)));
  return verdict(passes, check, subject, expected, values.length === 0 ? `${selector} selects nothing` : values.map((v) => JSON.stringify(v)).join(', '));
}

type FieldCheck = Extract<ResourceCheck, { type: 'field' }>;
type Selected = { ok: true; values: unknown[] } | { ok: false; actual: string };

function selectValues(check: FieldCheck, object: KubeObject): Selected {
  const selected = evaluateJsonPath(parsed(check.path), object);
  if (check.json === undefined) return { ok: true, values: selected };
  const inner = parsed(check.json);
  const values: unknown[] = [];
  for (const text of selected) {
    try {
      values.push(...evaluateJsonPath(inner, JSON.parse(String(text))));
    } catch (error) {
      return { ok: false, actual: `${check.path} is not JSON: ${(error as Error).message}` };
    }
  }
  return { ok: true, values };
}

// Watches re-evaluate the same checks on every change; a path is parsed once.
const parsedPaths = new Map<string, JsonPathSegment[]>();

// The lesson schema validated every path when the lesson loaded, so failure here is a bug.
function parsed(path: string): JsonPathSegment[] {
  let segments = parsedPaths.get(path);
  if (!segments) {
    const result = parseJsonPath(path);
    if (!result.ok) throw new Error(`unvalidated JSONPath reached the check engine: ${result.error}`);
    parsedPaths.set(path, (segments = result.segments));
  }
  return segments;
}

function conditionVerdict(check: Extract<ResourceCheck, { type: 'condition' }>, subject: string, objects: KubeObject[]): CheckResult {
  const expected = `${check.condition}=${check.status}${check.reason ? ` (${check.reason})` : ''}`;
  if (objects.length === 0) return verdict(false, check, subject, expected, 'not found');
  const seen = objects.map((object) => {
    const conditions = getPath(object, ['status', 'conditions']);
    const condition = Array.isArray(conditions) ? conditions.find((c) => isRecord(c) && c.type === check.condition) : undefined;
    if (!isRecord(condition)) return { passes: false, text: `no ${check.condition} condition` };
    const passes = condition.status === check.status && (check.reason === undefined || condition.reason === check.reason);
    const detail = [condition.reason, condition.message].filter((v) => typeof v === 'string' && v !== '').join(': ');
    return { passes, text: `${check.condition}=${String(condition.status)}${detail ? ` (${detail})` : ''}` };
  });
  return verdict(seen.some((s) => s.passes), check, subject, expected, seen.map((s) => s.text).join('; '));
}

function verdict(passes: boolean, check: ResourceCheck, subject: string, expected: string, actual: string): CheckResult {
  return { status: passes ? 'passed' : 'failed', subject, expected, actual, message: check.message };
}

export function problemResult(subject: string, problem: ClusterProblem): CheckResult {
  return { status: 'error', subject, expected: 'an answer from the cluster', actual: problem.kind, message: problem.message };
}

function describeRef(ref: ResourceRef): string {
  const where = ref.namespace ? `${ref.namespace}/` : '';
  return `${ref.kind} ${where}${ref.name ?? `with ${ref.labelSelector}`}`;
}

function nameOf(object: KubeObject): string {
  return String(object.metadata?.name ?? '?');
}
