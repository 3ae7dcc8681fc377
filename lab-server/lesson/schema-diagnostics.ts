import type { z } from 'zod';
import { formatFieldPath, type Diagnostic } from './diagnostic.ts';
import type { YamlDocument } from './yaml-source.ts';

/** Turns zod issues into diagnostics that point at the offending YAML line. */
export function schemaDiagnostics(issues: readonly z.core.$ZodIssue[], file: string, doc: YamlDocument, fieldPrefix = ''): Diagnostic[] {
  return issues.map((issue) => {
    const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : [...issue.path];
    const field = [fieldPrefix, formatFieldPath(path)].filter(Boolean).join('.');
    const { line, column } = doc.locate(path);
    return { rule: 'schema', file, line, column, field: field || undefined, message: messageFor(issue), fix: fixFor(issue, path) } as Diagnostic;
  });
}

function messageFor(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? `required field is missing (expected ${issue.expected})` : `expected ${issue.expected}, got ${describe(issue.input)}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_union':
      return issue.message === 'Invalid input' ? 'does not match any allowed form' : issue.message;
    default:
      return issue.message;
  }
}

function fixFor(issue: z.core.$ZodIssue, path: PropertyKey[]): string {
  const last = String(path[path.length - 1] ?? 'the field');
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? `add "${last}"` : `give "${last}" a ${issue.expected} value`;
    case 'unrecognized_keys':
      return `remove ${issue.keys.map((k) => `"${k}"`).join(', ')} or correct the spelling`;
    case 'invalid_value':
      return `use one of: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union':
      if ('discriminator' in issue && issue.discriminator) return `set "${issue.discriminator}" to a supported value`;
      return `check "${last}" against the lesson schema (lab-server/lesson/schema.ts)`;
    case 'too_small':
    case 'too_big':
      return `change "${last}" to fit: ${issue.message.toLowerCase()}`;
    default:
      return `correct "${last}": ${issue.message}`;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}
