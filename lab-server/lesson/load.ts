/**
 * Reads a lesson folder into the validated lesson model:
 *   lesson.yaml            metadata and the environment the sandbox builds
 *   steps/NN-slug.mdx      one step each, frontmatter validated by stepSchema
 *   manifests/*.yaml       what the steps apply
 * Problems come back as diagnostics with file:line, never as exceptions.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { lessonSchema, stepSchema, type Lesson, type Step } from './schema.ts';
import type { Diagnostic } from './diagnostic.ts';
import { parseYamlDocuments, type YamlDocument } from './yaml-source.ts';
import { schemaDiagnostics } from './schema-diagnostics.ts';
import { loadManifestDir, type ManifestSet } from './manifests.ts';

export const LESSON_FILE = 'lesson.yaml';
export const STEPS_DIR = 'steps';
export const MANIFESTS_DIR = 'manifests';
const STEP_FILE = /^(\d+)-([a-z0-9-]+)\.mdx$/;

export interface LoadedStep {
  file: string;
  /** 1-based position in the lesson. */
  number: number;
  step: Step;
  body: string;
  /** 1-based line of the file where the MDX body starts, after the frontmatter. */
  bodyLine: number;
  source: YamlDocument;
}

export interface LoadedLesson {
  dir: string;
  file: string;
  lesson: Lesson;
  source: YamlDocument;
  steps: LoadedStep[];
}

export interface LessonLoad {
  /** Present when lesson.yaml and every step validated. */
  lesson?: LoadedLesson;
  manifests: ManifestSet;
  diagnostics: Diagnostic[];
}

export function isLessonDir(dir: string): boolean {
  return existsSync(join(dir, LESSON_FILE));
}

export async function loadLesson(dir: string): Promise<LessonLoad> {
  const diagnostics: Diagnostic[] = [];
  const manifestsDir = join(dir, MANIFESTS_DIR);
  const { manifests, diagnostics: manifestProblems } = existsSync(manifestsDir)
    ? await loadManifestDir(manifestsDir)
    : { manifests: { files: [], objects: [] }, diagnostics: [] };
  diagnostics.push(...manifestProblems);

  const file = join(dir, LESSON_FILE);
  const meta = await validateYaml(file, await readFile(file, 'utf8'), 0, lessonSchema, diagnostics);
  if (meta && meta.value.id !== basename(dir))
    diagnostics.push({ rule: 'schema', file, ...meta.source.locate(['id']), field: 'id', message: `lesson id "${meta.value.id}" differs from its folder name "${basename(dir)}"`, fix: `rename the folder or set id: ${basename(dir)}` });

  const steps = await loadSteps(join(dir, STEPS_DIR), diagnostics);
  if (!meta || !steps || diagnostics.some((d) => d.rule === 'schema')) return { manifests, diagnostics };
  return { lesson: { dir, file, lesson: meta.value, source: meta.source, steps }, manifests, diagnostics };
}

async function loadSteps(dir: string, diagnostics: Diagnostic[]): Promise<LoadedStep[] | undefined> {
  if (!existsSync(dir)) {
    diagnostics.push({ rule: 'schema', file: dir, line: 1, column: 1, message: 'the lesson has no steps/ folder', fix: 'add steps/01-overview.mdx and the other steps' });
    return undefined;
  }
  const names = (await readdir(dir)).filter((n) => n.endsWith('.mdx')).sort();
  const steps: LoadedStep[] = [];
  let valid = true;
  for (const name of names) {
    const file = join(dir, name);
    if (!STEP_FILE.test(name)) {
      diagnostics.push({ rule: 'schema', file, line: 1, column: 1, message: `step file "${name}" does not say where the step goes`, fix: 'name it NN-slug.mdx, e.g. 02-bridge-mapping.mdx' });
      valid = false;
      continue;
    }
    const text = await readFile(file, 'utf8');
    const split = splitFrontmatter(text);
    if (!split) {
      diagnostics.push({ rule: 'schema', file, line: 1, column: 1, message: 'the step has no YAML frontmatter', fix: 'start the file with a --- block holding id, title and persona' });
      valid = false;
      continue;
    }
    const parsed = await validateYaml(file, split.frontmatter, 1, stepSchema, diagnostics);
    if (!parsed) {
      valid = false;
      continue;
    }
    steps.push({ file, number: steps.length + 1, step: parsed.value, body: split.body, bodyLine: split.bodyLine, source: parsed.source });
  }
  if (names.length === 0) {
    diagnostics.push({ rule: 'schema', file: dir, line: 1, column: 1, message: 'the steps/ folder holds no .mdx step', fix: 'add steps/01-overview.mdx' });
    valid = false;
  }
  return valid ? steps : undefined;
}

export function splitFrontmatter(text: string): { frontmatter: string; body: string; bodyLine: number } | undefined {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(text);
  if (!match) return undefined;
  return { frontmatter: match[1] ?? '', body: text.slice(match[0].length), bodyLine: match[0].split('\n').length };
}

async function validateYaml<T>(
  file: string,
  text: string,
  lineOffset: number,
  schema: { safeParse(value: unknown, params?: { reportInput?: boolean }): { success: true; data: T } | { success: false; error: { issues: unknown[] } } },
  diagnostics: Diagnostic[],
): Promise<{ value: T; source: YamlDocument } | undefined> {
  const parsed = parseYamlDocuments(text, lineOffset);
  if (!parsed.ok) {
    for (const e of parsed.errors)
      diagnostics.push({ rule: 'schema', file, ...e.position, message: `YAML syntax error: ${e.message}`, fix: 'correct the YAML syntax at this line' });
    return undefined;
  }
  const source = parsed.documents[0];
  if (!source || parsed.documents.length > 1) {
    diagnostics.push({ rule: 'schema', file, line: 1 + lineOffset, column: 1, message: 'expected exactly one YAML document', fix: 'keep a single document (no --- separators inside)' });
    return undefined;
  }
  const result = schema.safeParse(source.value ?? {}, { reportInput: true });
  if (!result.success) {
    diagnostics.push(...schemaDiagnostics(result.error.issues as Parameters<typeof schemaDiagnostics>[0], file, source));
    return undefined;
  }
  return { value: result.data, source };
}
