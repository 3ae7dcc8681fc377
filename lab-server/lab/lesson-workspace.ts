/**
 * One learner's lesson on this machine: their folder (home, working
 * directory, kubeconfig), the lab's files for their shell, the kubeconfig the
 * lab's checks use, and how their shell starts — confined in its sandbox,
 * with a tunnel to their cluster, or (where confinement is not available) as
 * a plain shell on the host.
 */
import { closeSync, constants, fchownSync, fstatSync, ftruncateSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { cp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { LimitGroup } from '../confinement/cgroup-limits.ts';
import { openClusterTunnel, tunnelledKubeconfig, type ClusterTunnel, type Endpoint } from '../confinement/cluster-tunnel.ts';
import { tunnelSocketDir, type Launcher } from '../confinement/confinement.ts';
import { LAB_VIEW, RUN_VIEW } from '../confinement/sandbox-layout.ts';
import { MANIFESTS_DIR, type LoadedLesson } from '../lesson/load.ts';
import { outsideToolDirs } from '../terminal/host-tools.ts';
import { prepareLearnerEnvironment, type LearnerEnvironment } from '../terminal/learner-environment.ts';
import { PtyTerminal } from '../terminal/pty-terminal.ts';

/** The three folders of a learner's lesson, under the lab's data directory. */
export interface WorkspacePaths {
  /** The learner's own; a confined learner sees it at /lab, read-write. */
  folder: string;
  /** The lab's files for the shell; a confined learner sees it at /run/labpath, read-only. */
  tools: string;
  /** The lab's alone (scrollback, the checks' kubeconfig); never bound into a sandbox. */
  private: string;
}

export interface WorkspaceOptions {
  lesson: LoadedLesson;
  learnerId: string;
  /** The learner's host uid, when each learner has one. */
  uid: number | undefined;
  paths: WorkspacePaths;
  /** The kubeconfig of the learner's cluster, as the lab reaches it. */
  kubeconfig: string;
  launcher: Launcher;
  limits: LimitGroup | undefined;
}

export class LessonWorkspace {
  /** The kubeconfig the lab's checks read: the cluster at its real address. */
  readonly checksKubeconfig: string;
  readonly scrollbackFile: string;
  /** A folder of the lab's for running lesson commands against the cluster (a reset's cleanup and catch-up), never the learner's. */
  readonly scratch: string;
  private target: Endpoint | undefined;
  /** Why the learner's kubeconfig could not be written last time, in words for their page. */
  kubeconfigProblem: string | undefined;
  private readonly options: WorkspaceOptions;
  private readonly environment: LearnerEnvironment;
  private readonly tunnel: { tunnel: ClusterTunnel; socket: string } | undefined;

  private constructor(options: WorkspaceOptions, environment: LearnerEnvironment, tunnel: { tunnel: ClusterTunnel; socket: string } | undefined) {
    this.options = options;
    this.environment = environment;
    this.tunnel = tunnel;
    this.checksKubeconfig = join(options.paths.private, 'kubeconfig');
    this.scrollbackFile = join(options.paths.private, 'scrollback');
    this.scratch = join(options.paths.private, 'catch-up');
  }

  static async open(options: WorkspaceOptions): Promise<LessonWorkspace> {
    const { paths, launcher } = options;
    for (const dir of [paths.folder, paths.private]) mkdirSync(dir, { recursive: true, mode: 0o700 });
    const confined = launcher.confined;
    if (confined) {
      launcher.own(paths.folder, options.uid);
      launcher.prepareRunDir(paths.tools);
      // The manifests the shell copies into its working directory, from a folder the learner cannot change.
      await rm(join(paths.tools, 'manifests'), { recursive: true, force: true });
      await cp(join(options.lesson.dir, MANIFESTS_DIR), join(paths.tools, 'manifests'), { recursive: true });
    }
    const environment = await prepareLearnerEnvironment({
      layout: { folder: paths.folder, tools: paths.tools },
      manifestsDir: join(options.lesson.dir, MANIFESTS_DIR),
      // A kubectl outside the system's folders is bound where it is, so the same PATH finds it confined or not.
      extraPath: outsideToolDirs(),
      ...(confined ? { view: { folder: LAB_VIEW, tools: RUN_VIEW, manifests: join(RUN_VIEW, 'manifests') } } : {}),
    });
    let workspace: LessonWorkspace | undefined;
    const socket = confined ? join(tunnelSocketDir(), `${createHash('sha256').update(paths.folder).digest('hex').slice(0, 20)}.sock`) : undefined;
    const tunnel = socket ? await openClusterTunnel(socket, () => workspace!.target!, options.uid) : undefined;
    workspace = new LessonWorkspace(options, environment, tunnel && { tunnel, socket: socket! });
    await workspace.setKubeconfig(options.kubeconfig);
    return workspace;
  }

  /**
   * Written on every open and after a reset: a restarted sandbox listens on a
   * new port, a reset cluster has a new token. The checks' copy always is;
   * the learner's may not be (their folder is full, or they put something in
   * its way), and then `kubeconfigProblem` says so in words for their page,
   * while their shell still starts so that they can make room.
   */
  async setKubeconfig(kubeconfig: string): Promise<void> {
    await writeFile(this.checksKubeconfig, kubeconfig, { mode: 0o600 });
    const learnerFile = join(this.options.paths.folder, 'kubeconfig');
    try {
      if (!this.tunnel) await writeFile(learnerFile, kubeconfig, { mode: 0o600 });
      else {
        const tunnelled = tunnelledKubeconfig(kubeconfig);
        this.target = tunnelled.target;
        writeLearnerFile(learnerFile, tunnelled.kubeconfig, this.options.uid);
      }
      this.kubeconfigProblem = undefined;
    } catch (error) {
      const { code, message } = error as NodeJS.ErrnoException;
      const why = code === 'ENOSPC' || code === 'EDQUOT' ? 'your folder is full; delete files you no longer need there, then press Reset' : message;
      this.kubeconfigProblem = `your kubeconfig (${this.environment.env.KUBECONFIG}) could not be written, so kubectl does not reach your cluster: ${why}`;
    }
  }

  /** A new shell for this lesson, confined when the lab can. */
  startShell(options: { earlier?: Buffer; size?: { cols: number; rows: number } }): PtyTerminal {
    const { launcher } = this.options;
    const shell = ['bash', '--rcfile', this.environment.rcfile, '-i'];
    const launch = launcher.confined
      ? {
          command: launcher.command({ learnerId: this.options.learnerId, uid: this.options.uid, folder: this.options.paths.folder, runDir: this.options.paths.tools, tunnelSocket: this.tunnel?.socket, command: shell, cwd: this.environment.cwd, env: this.environment.env }, this.options.limits),
          cwd: '/',
          env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
          relayed: true,
        }
      : { command: shell, cwd: this.environment.cwd, env: this.environment.env };
    return new PtyTerminal(launch, { scrollbackFile: this.scrollbackFile, ...options });
  }

  async close(): Promise<void> {
    await this.tunnel?.tunnel.close();
  }
}

/**
 * Writes a file in a learner's folder as the lab (root, perhaps) without
 * following a link the learner may have put in its place, and gives it to them.
 */
function writeLearnerFile(path: string, content: string, uid: number | undefined): void {
  // Non-blocking, so that a FIFO in the file's place fails instead of holding the lab.
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK;
  let fd: number | undefined;
  try {
    fd = openSync(path, flags, 0o600);
    if (!fstatSync(fd).isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ELOOP' && code !== 'EISDIR' && code !== 'ENXIO') throw error;
    // A link, a folder or a FIFO in the file's place: set aside (renaming follows nothing), and the file written anew.
    renameSync(path, `${path}.moved-${Date.now()}`);
    fd = openSync(path, flags | constants.O_EXCL, 0o600);
  }
  try {
    if (uid !== undefined) fchownSync(fd, uid, uid);
    ftruncateSync(fd);
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
}
