/**
 * A problem found in lesson content: where it is, what is wrong, how to fix it.
 * Used by the loader (schema errors) and the linter (cross-manifest rules) alike,
 * so every consumer — CLI, Astro build, tests — prints the same thing.
 */
export interface Diagnostic {
  /** Stable rule id, e.g. `schema` or `nad-localnet-fields`. */
  rule: string;
  /** Path of the file, relative to the working directory when printed. */
  file: string;
  /** 1-based line and column; 1:1 when the problem is about the whole file. */
  line: number;
  column: number;
  /** Dotted path of the offending field inside the document, when there is one. */
  field?: string;
  message: string;
  fix: string;
}

export interface SourcePosition {
  line: number;
  column: number;
}

export function formatDiagnostic(d: Diagnostic, cwd: string = process.cwd()): string {
  const file = d.file.startsWith(cwd + '/') ? d.file.slice(cwd.length + 1) : d.file;
  const field = d.field ? ` (${d.field})` : '';
  return `${file}:${d.line}:${d.column} ${d.rule}${field}: ${d.message}\n    fix: ${d.fix}`;
}

/** Joins a field path the way kubectl explain writes it: spec.containers[0].image */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}
