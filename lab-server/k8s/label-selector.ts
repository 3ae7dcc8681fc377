/**
 * metav1.LabelSelector semantics: matchLabels AND matchExpressions, and an
 * empty selector `{}` selects everything (as podSelector does in policies).
 */
import { isRecord } from './object.ts';

export interface LabelSelectorRequirement {
  key: string;
  /** Gt and Lt come only from the string form (integer label values), never from a manifest's matchExpressions. */
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
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
      case 'Gt':
      case 'Lt': {
        // As apimachinery: both sides must be integers, else nothing matches.
        if (!has || !/^-?\d+$/.test(value ?? '')) return false;
        const [actual, limit] = [Number(value), Number(req.values?.[0])];
        if (req.operator === 'Gt' ? !(actual > limit) : !(actual < limit)) return false;
        break;
      }
    }
  }
  return true;
}

export function describeSelector(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const req of selector.matchExpressions ?? []) {
    if (req.operator === 'Exists') parts.push(req.key);
    else if (req.operator === 'DoesNotExist') parts.push(`!${req.key}`);
    else if (req.operator === 'Gt' || req.operator === 'Lt') parts.push(`${req.key}${req.operator === 'Gt' ? '>' : '<'}${req.values?.[0]}`);
    else parts.push(`${req.key} ${req.operator === 'In' ? 'in' : 'notin'} (${(req.values ?? []).join(',')})`);
  }
  return parts.length === 0 ? '{} (everything)' : parts.join(',');
}

/** The string form used in URLs and by `kubectl -l` (selector-syntax.ts has its grammar). */
export { parseSelectorString as parseLabelSelectorString } from './selector-syntax.ts';
