/**
 * Learners share one machine and one Unix user, so each learner's shell gets
 * its own mount and PID namespaces: the lab's data directory (every session's
 * files, kubeconfigs and the databases holding cluster tokens) is replaced by
 * an empty tmpfs with only the learner's own session folder put back, and
 * other learners' processes are not there to see or signal.
 */
import { spawnSync } from 'node:child_process';
import { log } from '../log.ts';

/**
 * Run as `sh -c SCRIPT isolate HIDE KEEP COMMAND…` inside the new namespaces.
 * The final cd matters: a working directory taken before the mounts still
 * leads, through "..", into the hidden tree beneath them.
 */
const SCRIPT = 'set -e; here=$(pwd); keep=$(mktemp -d); mount --bind "$2" "$keep"; mount -t tmpfs -o mode=755,size=64k labpath-hidden "$1"; mkdir -p "$2"; mount --move "$keep" "$2"; rmdir "$keep"; cd "$here"; shift 2; exec "$@"';

let available: boolean | undefined;

function unshareFlags(): string[] {
  // Without root, a user namespace (mapped to root inside) is what permits the mounts.
  return [...(process.getuid?.() === 0 ? [] : ['--user', '--map-root-user']), '--mount', '--pid', '--fork', '--mount-proc', '--propagation', 'private'];
}

/** Whether this machine lets us make the namespaces; asked once, warned about once. */
export function isolationAvailable(): boolean {
  if (available === undefined) {
    const probe = spawnSync('unshare', [...unshareFlags(), 'true'], { stdio: 'ignore', timeout: 5000 });
    available = probe.status === 0;
    if (!available) log.warn('learner shells are not isolated from each other: this machine does not permit unshare (mount and PID namespaces)', { error: probe.error?.message });
  }
  return available;
}

/** The command that runs `command` with `hide` emptied except for `keep`, or `command` itself when isolation is not available. */
export function isolated(command: string[], hide: string, keep: string): string[] {
  if (!isolationAvailable()) return command;
  return ['unshare', ...unshareFlags(), 'sh', '-c', SCRIPT, 'isolate', hide, keep, ...command];
}
