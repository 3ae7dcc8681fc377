/** Programs of this machine the lab starts or hands to learners, found as a shell would find them. */
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

/** The system's PATH, for a lab started without one. */
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The first `name` on PATH, as a shell would find it. */
export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? DEFAULT_PATH).split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** The kubectl learners get: LABPATH_KUBECTL, else the one on PATH. */
export function kubectlPath(): string | undefined {
  return process.env.LABPATH_KUBECTL ?? onPath('kubectl');
}

/** The system's folders a learner's shell searches, after the lab's own tools. */
export const SYSTEM_BIN_DIRS = ['/usr/local/bin', '/usr/bin', '/bin'] as const;

/** Whether a shell with the system's PATH finds `file` without help. */
function onSystemPath(file: string): boolean {
  return (SYSTEM_BIN_DIRS as readonly string[]).includes(dirname(file));
}

/** The folders of tools found outside the system's directories, for the learner's PATH. */
export function outsideToolDirs(): string[] {
  const kubectl = kubectlPath();
  return kubectl && !onSystemPath(kubectl) ? [dirname(kubectl)] : [];
}
