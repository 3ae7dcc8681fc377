import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LESSON_DIR, LESSON_ID } from './paths.ts';
import { tempDir } from './temp-dir.ts';

/** Replace `from` with `to` in a file; fails loudly if `from` is not there. */
export type Edit = { file: string; from: string | RegExp; to: string };

/**
 * A copy of the shipped lesson with `edits` applied, in a temp folder named like
 * the lesson (its id must match the folder). Every edit must change the file, so
 * a mutation that stops matching the lesson fails the test instead of passing it.
 */
export async function lessonCopy(edits: Edit[] = []): Promise<string> {
  const parent = tempDir('lesson');
  const dir = join(parent, LESSON_ID);
  await cp(LESSON_DIR, dir, { recursive: true });
  for (const edit of edits) {
    const path = join(dir, edit.file);
    const before = await readFile(path, 'utf8');
    const after = before.replace(edit.from, edit.to);
    if (after === before) throw new Error(`edit of ${edit.file} matched nothing: ${String(edit.from)}`);
    await writeFile(path, after);
  }
  return dir;
}

/** A bare folder of manifests, one file per entry. */
export async function manifestFolder(files: Record<string, string>): Promise<string> {
  const dir = tempDir('manifests');
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}
