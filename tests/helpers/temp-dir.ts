/** Temporary folders for a test process, removed as it exits: a suite run leaves nothing in the system's temp folder. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];
process.once('exit', () => {
  for (const dir of made) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // A mount a failed test left in it: the folder stays, and says which test by its name.
    }
  }
});

/** A new empty folder named labpath-NAME-…, gone when the test process exits. */
export function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `labpath-${name}-`));
  made.push(dir);
  return dir;
}
