/**
 * Lints a lesson folder (lesson.yaml + steps + manifests) or a bare folder of
 * manifests, such as an article's own YAML kept as a test fixture.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Diagnostic } from '../lesson/diagnostic.ts';
import { isLessonDir, loadLesson, MANIFESTS_DIR } from '../lesson/load.ts';
import { loadManifestDir } from '../lesson/manifests.ts';
import { buildContext } from './context.ts';
import { RULES } from './rules/index.ts';

export interface LintResult {
  dir: string;
  kind: 'lesson' | 'manifests';
  diagnostics: Diagnostic[];
}

export class LintInputError extends Error {}

export async function lintDir(path: string): Promise<LintResult> {
  const dir = resolve(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new LintInputError(`${path}: no such folder; give a lesson folder (holding lesson.yaml) or a folder of manifests`);
  if (isLessonDir(dir)) {
    const load = await loadLesson(dir);
    const ctx = buildContext(dir, load.manifests, load.lesson);
    const rules = RULES.filter((r) => !r.needsLesson || load.lesson);
    return { dir, kind: 'lesson', diagnostics: sortDiagnostics([...load.diagnostics, ...rules.flatMap((r) => r.check(ctx))]) };
  }
  const manifestDir = existsSync(join(dir, MANIFESTS_DIR)) ? join(dir, MANIFESTS_DIR) : dir;
  const { manifests, diagnostics } = await loadManifestDir(manifestDir);
  if (manifests.files.length === 0 && diagnostics.length === 0)
    throw new LintInputError(`${path}: holds neither lesson.yaml nor any .yaml manifest`);
  const ctx = buildContext(dir, manifests);
  const rules = RULES.filter((r) => !r.needsLesson);
  return { dir, kind: 'manifests', diagnostics: sortDiagnostics([...diagnostics, ...rules.flatMap((r) => r.check(ctx))]) };
}

function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return list.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule));
}
