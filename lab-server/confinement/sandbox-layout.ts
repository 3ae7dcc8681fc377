/**
 * What a confined learner sees: the filesystem, users and environment inside
 * their bubblewrap sandbox, as data. Only these paths exist there; the lab's
 * data directory, its databases and other learners' folders are never bound.
 */
import { lstatSync, readlinkSync } from 'node:fs';

/** Where the learner's lesson folder (home, working directory, kubeconfig) appears. */
export const LAB_VIEW = '/lab';
/** The lab's side of the learner's tunnel to their cluster, and the generated passwd and group files. */
export const RUN_VIEW = '/run/labpath';
export const TUNNEL_SOCKET_NAME = 'cluster.sock';
/** The port kubectl reaches inside the sandbox's own network namespace: loopback only, carried to the learner's cluster. */
export const TUNNEL_PORT = 6443;
/** The learner's uid and gid as they see them; on the host each learner has its own (or the lab's, when it is not root). */
export const INSIDE_UID = 1000;
export const HOSTNAME = 'lab';
/** A private /tmp, charged to the learner's memory limit. */
export const TMP_BYTES = 256 * 1024 * 1024;

/** The system, read-only; /bin, /lib… are symlinks into /usr where the host has them so (merged /usr). */
const SYSTEM_PATHS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/etc'] as const;

export function passwdFile(): string {
  return `root:x:0:0:root:/root:/usr/sbin/nologin\nlearner:x:${INSIDE_UID}:${INSIDE_UID}:labpath learner:${LAB_VIEW}/home:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`;
}

export function groupFile(): string {
  return `root:x:0:\nlearner:x:${INSIDE_UID}:\nnogroup:x:65534:\n`;
}

/** bubblewrap arguments for the system paths as this host has them. */
export function systemArguments(): string[] {
  return SYSTEM_PATHS.flatMap((path) => {
    const info = lstatSync(path, { throwIfNoEntry: false });
    if (!info) return [];
    if (info.isSymbolicLink()) return ['--symlink', readlinkSync(path), path];
    return info.isDirectory() ? ['--ro-bind', path, path] : [];
  });
}
