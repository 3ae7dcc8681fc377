/**
 * metav1.LabelSelector semantics: matchLabels AND matchExpressions, and an
 * empty selector `{}` selects everything (as podSelector does in policies).
 */
import { isRecord } from './object.ts';

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export type SelectorParse = { ok: true; selector: LabelSelector } | { ok: false; error: string };

const OPERATORS = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

/** Validates an object from a manifest as a LabelSelector. */
export function toLabelSelector(value: unknown): SelectorParse {
  if (value === undefined || value === null) return { ok: true, selector: {} };
  if (!isRecord(value)) return { ok: false, error: 'a label selector is an object with matchLabels and/or matchExpressions' };
  const selector: LabelSelector = {};
  if (value.matchLabels !== undefined) {
    if (!isRecord(value.matchLabels) || Object.values(value.matchLabels).some((v) => typeof v !== 'string'))
      return { ok: false, error: 'matchLabels values must be strings (quote numbers and booleans)' };
    selector.matchLabels = value.matchLabels as Record<string, string>;
  }
  if (value.matchExpressions !== undefined) {
    if (!Array.isArray(value.matchExpressions)) return { ok: false, error: 'matchExpressions must be a list' };
    const requirements: LabelSelectorRequirement[] = [];
    for (const item of value.matchExpressions) {
      if (!isRecord(item) || typeof item.key !== 'string' || typeof item.operator !== 'string' || !OPERATORS.has(item.operator))
        return { ok: false, error: 'each matchExpressions item needs a key and an operator of In, NotIn, Exists or DoesNotExist' };
      const values = Array.isArray(item.values) ? item.values.map(String) : undefined;
      if ((item.operator === 'In' || item.operator === 'NotIn') && (!values || values.length === 0))
        return { ok: false, error: `operator ${item.operator} needs a non-empty values list` };
      requirements.push({ key: item.key, operator: item.operator as LabelSelectorRequirement['operator'], ...(values ? { values } : {}) });
    }
    selector.matchExpressions = requirements;
  }
  return { ok: true, selector };
}

export function selectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const req of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, req.key);
    const value = labels[req.key];
    switch (req.operator) {
      case 'In':
        if (!has || !req.values?.includes(value ?? '')) return false;
        break;
      case 'NotIn':
        if (has && req.values?.includes(value ?? '')) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

export function describeSelector(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const req of selector.matchExpressions ?? []) {
    if (req.operator === 'Exists') parts.push(req.key);
    else if (req.operator === 'DoesNotExist') parts.push(`!${req.key}`);
    else parts.push(`${req.key} ${req.operator === 'In' ? 'in' : 'notin'} (${(req.values ?? []).join(',')})`);
  }
  return parts.length === 0 ? '{} (everything)' : parts.join(',');
}

/**
 * The string form used in URLs and by `kubectl -l`: `a=b`, `a==b`, `a!=b`,
 * `a`, `!a`, `a in (x,y)`, `a notin (x)`, comma-separated (ANDed).
 */
export function parseLabelSelectorString(text: string): SelectorParse {
  const selector: Required<LabelSelector> = { matchLabels: {}, matchExpressions: [] };
  const parts = text.match(/(?:[^,(]|\([^)]*\))+/g) ?? [];
  for (const raw of parts) {
    const part = raw.trim();
    if (part === '') continue;
    let m: RegExpExecArray | null;
    if ((m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part))) {
      const values = m[3]!.split(',').map((v) => v.trim()).filter(Boolean);
      selector.matchExpressions.push({ key: m[1]!, operator: m[2] === 'in' ? 'In' : 'NotIn', values });
    } else if ((m = /^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/.exec(part))) {
      if (m[2] === '!=') selector.matchExpressions.push({ key: m[1]!, operator: 'NotIn', values: [m[3]!] });
      else selector.matchLabels[m[1]!] = m[3]!;
    } else if ((m = /^!([\w./-]+)$/.exec(part))) {
      selector.matchExpressions.push({ key: m[1]!, operator: 'DoesNotExist' });
    } else if ((m = /^([\w./-]+)$/.exec(part))) {
      selector.matchExpressions.push({ key: m[1]!, operator: 'Exists' });
    } else {
      return { ok: false, error: `unable to parse requirement: "${part}"; write key=value, key!=value, key, !key, or key in (a,b)` };
    }
  }
  return { ok: true, selector };
}
