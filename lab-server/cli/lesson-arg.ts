import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isLessonDir } from '../lesson/load.ts';
import { UsageError } from './command.ts';
import { LESSONS_ROOT } from './paths.ts';

/** A --lesson value: a lesson id under content/lessons/, or the path of a lesson folder. */
export function lessonDirOf(arg: string): string {
  if (isLessonDir(resolve(arg))) return resolve(arg);
  const dir = join(LESSONS_ROOT, arg);
  if (!isLessonDir(dir)) throw new UsageError(`no lesson "${arg}": give a lesson id under content/lessons/ or a folder holding lesson.yaml`);
  return dir;
}

export async function allLessonDirs(): Promise<string[]> {
  const entries = await readdir(LESSONS_ROOT, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory()).map((e) => join(LESSONS_ROOT, e.name)).filter(isLessonDir).sort();
}
