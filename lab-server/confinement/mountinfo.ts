/** The mounts of a mount namespace, as /proc/<pid>/mountinfo lists them (proc(5)). */
import { readFileSync } from 'node:fs';

export interface Mount {
  mountPoint: string;
  /** The path within its filesystem that the mount shows at its mount point ("/" unless it is of a subtree). */
  root: string;
  fsType: string;
  superOptions: string[];
}

export function parseMountinfo(mountinfo: string): Mount[] {
  return mountinfo.split('\n').flatMap((line) => {
    // "36 35 0:30 / /sys/fs/cgroup/memory rw,relatime shared:1 - cgroup cgroup rw,memory"
    const [left, right] = line.split(' - ');
    if (!left || !right) return [];
    const fields = left.split(' ');
    const [fsType, , options] = right.split(' ');
    if (!fsType || fields.length < 5) return [];
    return [{ root: unescapeMount(fields[3]!), mountPoint: unescapeMount(fields[4]!), fsType, superOptions: (options ?? '').split(',') }];
  });
}

/** The mount points of the lab's own mount namespace, read now. */
export function mountPoints(): Set<string> {
  return new Set(parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8')).map((mount) => mount.mountPoint));
}

/** Spaces, tabs, newlines and backslashes in a path are written as octal escapes. */
function unescapeMount(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}
