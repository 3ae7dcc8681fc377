/**
 * A size cap on each learner's folder. Linux has no per-directory size limit
 * on an ordinary ext4 root (project quotas need a filesystem mounted for
 * them), so each learner's folder is a filesystem of its own: a sparse ext4
 * image in the lab's private data, loop-mounted on the folder. A learner who
 * fills it gets "No space left on device" in their own folder and nowhere
 * else; the host's disk holds only what they really wrote (the mount passes
 * deletes down as holes). Mounting needs root; as any other user the folders
 * are limited only by the disk, and the lab says so.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { chmod, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { onPath } from '../terminal/host-tools.ts';
import { mountPoints } from './mountinfo.ts';

const run = promisify(execFile);

/** Mount options: nothing set-uid or device-like works from a learner's folder; frees go back to the host's disk. */
const MOUNT_OPTIONS = 'loop,nosuid,nodev,discard';
/** The smallest cap the lab accepts: ext4 with its journal needs a few MiB of its own. */
export const MIN_FOLDER_BYTES = 16 * 1048576;

export interface FolderCap {
  readonly bytes: number;
  /**
   * Makes `folder` a capped filesystem (its image made the first time, at
   * `image`), unless it already is one. Files already in the folder move in.
   * Only while no process of the learner's runs: files are copied as root.
   * Says why when the folder stays uncapped: its files do not fit.
   */
  attach(folder: string, image: string): Promise<string | undefined>;
  /** Unmounts the folders' filesystems where they are mounted; a learner process still inside keeps one until it ends. */
  detach(folders: string[]): Promise<void>;
}

export type FolderCapDetection = { cap: FolderCap } | { cap?: undefined; reason: string };

interface CapTools {
  mkfs: string;
  mount: string;
  umount: string;
}

/** Whether learners' folders can be capped here, tried once with a small image. */
export function detectFolderCap(bytes: number, root: boolean): Promise<FolderCapDetection> {
  if (!root) return Promise.resolve({ reason: 'capping a learner\'s folder mounts a filesystem image for it, which only root may do; as this user, folders are limited only by the disk' });
  const mkfs = onPath('mkfs.ext4') ?? ['/usr/sbin/mkfs.ext4', '/sbin/mkfs.ext4'].find((p) => existsSync(p));
  const [mount, umount] = ['mount', 'umount'].map(onPath);
  if (!mkfs || !mount || !umount) return Promise.resolve({ reason: 'mkfs.ext4, mount and umount are needed to cap learners\' folders (Debian: apt-get install e2fsprogs mount)' });
  return probe(bytes, { mkfs, mount, umount });
}

async function probe(bytes: number, tools: CapTools): Promise<FolderCapDetection> {
  const cap = folderCap(bytes, tools);
  const base = mkdtempSync(join(tmpdir(), 'labpath-cap-probe-'));
  const folder = join(base, 'folder');
  try {
    mkdirSync(folder);
    await folderCap(MIN_FOLDER_BYTES, tools).attach(folder, join(base, 'probe.ext4'));
    if (!isMountPoint(folder)) return { reason: 'a test folder image mounted without error but did not show at its folder' };
    return { cap };
  } catch (error) {
    return { reason: `a test folder image could not be made and mounted (${(error as Error).message.trim().split('\n').slice(-2).join(' ')}); this machine may not allow loop devices here` };
  } finally {
    await cap.detach([folder]).catch(() => undefined);
    rmSync(base, { recursive: true, force: true });
  }
}

function folderCap(bytes: number, tools: CapTools): FolderCap {
  return {
    bytes,
    async attach(folder, image) {
      if (isMountPoint(folder)) return undefined;
      mkdirSync(dirname(image), { recursive: true, mode: 0o700 });
      mkdirSync(folder, { recursive: true, mode: 0o700 });
      const fresh = !existsSync(image);
      const earlier = fresh && readdirSync(folder).length > 0 ? `${folder}.before-cap` : undefined;
      if (earlier) {
        // Files from before the cap: set aside, then copied in, so that none is left hidden under the mount.
        renameSync(folder, earlier);
        mkdirSync(folder, { mode: 0o700 });
      }
      try {
        const partial = fresh ? await sparseFile(`${image}.new`, bytes) : '';
        // One program started for both: every start forks the lab's whole process, which costs the lab's event loop dearly.
        await run('/bin/sh', ['-c', FORMAT_AND_MOUNT, 'labpath-folder-cap', tools.mkfs, tools.mount, partial, image, folder]);
      } catch (error) {
        if (earlier) {
          rmSync(folder, { recursive: true, force: true });
          renameSync(earlier, folder);
        }
        throw error;
      }
      // The filesystem's root stands for the folder: the lab's, as the folder was.
      await chmod(folder, 0o700);
      if (!earlier) return undefined;
      try {
        await run('cp', ['-a', '--', `${earlier}/.`, `${folder}/`]);
      } catch (error) {
        await this.detach([folder]);
        rmSync(folder, { recursive: true, force: true });
        renameSync(earlier, folder);
        rmSync(image, { force: true });
        return `the files already in it do not fit in its ${Math.round(bytes / 1048576)} MiB cap (${(error as Error).message.trim()})`;
      }
      await rm(earlier, { recursive: true, force: true });
      return undefined;
    },
    async detach(folders) {
      const now = mountPoints();
      const mounted = folders.filter((folder) => isMountPoint(folder, now));
      // Lazy: a learner's process that has not quite ended does not keep the lab from closing. One umount for all: each program started forks the lab.
      if (mounted.length > 0) await run(tools.umount, ['--lazy', '--', ...mounted]);
    },
  };
}

/** A sparse file of `bytes`: space on the host is taken only as the learner writes. */
async function sparseFile(path: string, bytes: number): Promise<string> {
  const file = await open(path, 'w', 0o600);
  try {
    await file.truncate(bytes);
  } finally {
    await file.close();
  }
  return path;
}

/**
 * `sh -c FORMAT_AND_MOUNT name MKFS MOUNT PARTIAL IMAGE FOLDER`: formats a
 * new image (when PARTIAL names one) with no reserved blocks (the whole cap is
 * the learner's), a small journal and no discard pass over a file that is all
 * holes, puts it in place, then mounts IMAGE on FOLDER.
 */
const FORMAT_AND_MOUNT = `set -e
if [ -n "$3" ]; then "$1" -q -F -m 0 -J size=4 -E nodiscard -L labpath-folder "$3"; mv -f -- "$3" "$4"; fi
exec "$2" -o ${MOUNT_OPTIONS} -- "$4" "$5"`;

/** Whether `path` is a mount point in the lab's mount namespace (a folder on the same device as its parent can still be one). */
export function isMountPoint(path: string, mounted = mountPoints()): boolean {
  return mounted.has(path) && statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
}
