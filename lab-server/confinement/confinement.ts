/**
 * Learner confinement: every learner shell, and everything it starts, runs in
 * a bubblewrap sandbox (its own user, mount, PID, network, IPC and UTS
 * namespaces; no capabilities; no_new_privs; no further user namespaces; a
 * read-only system; a private /tmp; only the learner's own folder writable),
 * detached from the lab's terminal session, under per-learner cgroup limits.
 * When the lab runs as root, each learner also gets a uid of its own on the
 * host, so that no learner's processes, files or terminal are another's.
 *
 * As root, bubblewrap cannot map a learner to a uid of its own, so the
 * launch first drops to the learner's uid (setpriv) and bubblewrap makes an
 * unprivileged user namespace. The folders bound into the sandbox live in the
 * lab's private (0700) data directory, which that uid may not traverse; they
 * are first bound, as root, onto a staging directory in a mount namespace of
 * the launch's own, which nothing of the learner's ever sees.
 */
import { execFile, spawnSync, type ExecFileException } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { log } from '../log.ts';
import { kubectlPath, onPath } from '../terminal/host-tools.ts';
import { currentCgroupView, detectLimits, JOIN_LOOP, type CgroupLimits, type LimitBackend, type LimitDetection, type LimitGroup } from './cgroup-limits.ts';
import { detectFolderCap, type FolderCapDetection } from './folder-cap.ts';
import { groupFile, HOSTNAME, INSIDE_UID, LAB_VIEW, passwdFile, RUN_VIEW, systemArguments, TMP_BYTES, TUNNEL_PORT, TUNNEL_SOCKET_NAME } from './sandbox-layout.ts';

const SANDBOX_INIT = fileURLToPath(new URL('./sandbox-init.py', import.meta.url));
const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** What the learner's oc and virtctl run (labpath itself, on the lab's Node), read-only. */
const CODE_PATHS = [join(PROJECT_ROOT, 'lab-server'), join(PROJECT_ROOT, 'node_modules'), join(PROJECT_ROOT, 'package.json')];
/** Learners' host uids, as root: far above any account's, below the 32-bit values some tools choke on. */
export const LEARNER_UID_BASE = 1_700_000_000;
/** Where a launch stages its folders as root; only ever mounted on in the launch's own mount namespace. */
const STAGE_DIR = '/run/labpath-stage';
const STAGE_POINTS = 8;
const MIN_BWRAP = [0, 8, 0] as const;

/** What one learner may use: memory, processes and CPU through cgroups, and the size of their folder. */
export interface LearnerLimits extends CgroupLimits {
  folderBytes: number;
}

export const DEFAULT_LIMITS: LearnerLimits = { memoryBytes: 1024 * 1024 * 1024, pids: 256, cpuWeight: 100, folderBytes: 512 * 1048576 };

/** One learner shell to start: host folders, and the command, cwd and environment as the shell sees them. */
export interface SandboxedShell {
  learnerId: string;
  /** The learner's host uid (as root), or undefined: the lab's own. */
  uid: number | undefined;
  /** Bound read-write at /lab. */
  folder: string;
  /** Bound read-only at /run/labpath: passwd, group, the shell's startup file and tools. */
  runDir: string;
  /**
   * The lab's end of the tunnel to the learner's cluster, bound at
   * /run/labpath/cluster.sock: the shell gets a network namespace of its own
   * with only that way out. Without it, the shell shares the host's network.
   */
  tunnelSocket: string | undefined;
  command: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export interface ConfinedLauncher {
  confined: true;
  /** One line for logs and the ready message. */
  summary: string;
  perLearnerUid: boolean;
  limits: { backend: LimitBackend } | { backend?: undefined; reason: string };
  /** How learners' folders are capped, or why they are not. */
  folderCap: FolderCapDetection;
  /** Makes a learner's folder theirs on the host (as root: owned by their uid). */
  own(folder: string, uid: number | undefined): void;
  /** Writes the files the sandbox binds from the run directory. */
  prepareRunDir(runDir: string): void;
  /** The learner's limit group, made once per learner. */
  limitGroup(learnerId: string): LimitGroup | undefined;
  /** Removes a learner's limit group once their shells have ended, an earlier run's too. */
  removeLimitGroup(learnerId: string): Promise<void>;
  /** Removes every limit group this launcher made (the lab is closing: its shells are killed). */
  removeLimitGroups(): Promise<void>;
  /** The host command line that starts `shell`'s command confined. */
  command(shell: SandboxedShell, group: LimitGroup | undefined): string[];
}

export type Launcher = ConfinedLauncher | { confined: false; reason: string };

interface Tools {
  bwrap: string;
  python: string;
  setpriv?: string | undefined;
  unshare?: string | undefined;
  mount?: string | undefined;
}

let probes = 0;
const run = promisify(execFile);
/** A test sandbox that only exits takes ~0.1 s; these are for a machine under heavy load. */
const PROBE_TIMEOUTS_MS = [10_000, 30_000];

/** Whether learner shells can be confined here, and how; the reason when they cannot. Asked once per lab. */
export async function detectConfinement(limits: LearnerLimits = DEFAULT_LIMITS): Promise<Launcher> {
  const root = process.getuid?.() === 0;
  const tools = findTools(root);
  if (typeof tools === 'string') return { confined: false, reason: tools };
  // The host's layout does not change while the lab runs: looked at once, not for every shell.
  const binds: HostBinds = { system: systemArguments(), code: codeAndToolPaths() };
  let limitDetection: LimitDetection = detectLimits(currentCgroupView(), root);
  const folderCap = await detectFolderCap(limits.folderBytes, root);
  const groups = new Map<string, LimitGroup>();
  const mib = (bytes: number) => `${Math.round(bytes / 1048576)} MiB`;
  const launcher: ConfinedLauncher = {
    confined: true,
    perLearnerUid: root,
    limits: limitDetection,
    folderCap,
    summary: `bubblewrap${root ? ', a uid per learner' : ''}, ${limitDetection.backend ? `limits by ${limitDetection.backend.kind} (memory ${mib(limits.memoryBytes)}, ${limits.pids} processes)` : 'no resource limits'}, ${folderCap.cap ? `folders capped at ${mib(folderCap.cap.bytes)}` : 'folders uncapped'}`,
    own(folder, uid) {
      // The folder only: what is inside is the learner's doing, and walking it as root could follow their links.
      if (uid !== undefined) chownSync(folder, uid, uid);
    },
    prepareRunDir(runDir) {
      // The lab's, and readable to the learner's uid: nothing secret is in it.
      mkdirSync(runDir, { recursive: true, mode: 0o755 });
      chmodSync(runDir, 0o755);
      // Where the tunnel's socket is bound: a mount point must exist in a folder bound read-only.
      writeFileSync(join(runDir, TUNNEL_SOCKET_NAME), '', { mode: 0o644 });
      writeFileSync(join(runDir, 'passwd'), passwdFile(), { mode: 0o644 });
      writeFileSync(join(runDir, 'group'), groupFile(), { mode: 0o644 });
    },
    limitGroup(learnerId) {
      if (!limitDetection.backend) return undefined;
      let group = groups.get(learnerId);
      if (!group) {
        group = limitDetection.backend.group(learnerId, limits);
        groups.set(learnerId, group);
      }
      return group;
    },
    async removeLimitGroup(learnerId) {
      groups.delete(learnerId);
      await limitDetection.backend?.remove(learnerId);
    },
    async removeLimitGroups() {
      await Promise.all([...groups.keys()].map((learnerId) => launcher.removeLimitGroup(learnerId)));
    },
    command: (shell, group) => launchCommand(tools, shell, binds, group),
  };
  const probe = await probeLaunch(launcher, undefined);
  if (probe) return { confined: false, reason: probe };
  // Limits that cannot be joined would fail every shell: tried once here, and dropped (and said) if they fail.
  // A name of its own: labs starting side by side (test files run in parallel) must not remove each other's.
  const probeId = `labpath-probe-${process.pid}-${++probes}`;
  const group = launcher.limitGroup(probeId);
  const limited = group && (await probeLaunch(launcher, group));
  await launcher.removeLimitGroup(probeId);
  if (limited) {
    limitDetection = { reason: `${limitDetection.backend!.kind} limits did not work here: ${limited}` };
    launcher.limits = limitDetection;
    launcher.summary = launcher.summary.replace(/limits by [^)]*\)/, 'no resource limits');
  }
  return launcher;
}

function findTools(root: boolean): Tools | string {
  const bwrap = onPath('bwrap');
  if (!bwrap) return 'bubblewrap is not installed (Debian and Ubuntu: apt-get install bubblewrap)';
  const version = /(\d+)\.(\d+)\.(\d+)/.exec(spawnSync(bwrap, ['--version'], { encoding: 'utf8' }).stdout ?? '');
  const parts = version ? version.slice(1).map(Number) : [];
  if (!version || compare(parts, MIN_BWRAP) < 0) return `bubblewrap ${version?.[0] ?? '(unknown version)'} at ${bwrap} is older than ${MIN_BWRAP.join('.')}, which the lab needs for --disable-userns and sized tmpfs`;
  // The sandbox binds /usr, so its init must be a python3 from there.
  const python = ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => existsSync(p));
  if (!python) return 'python3 is not installed in /usr (Debian and Ubuntu: apt-get install python3); the sandbox runs its terminal relay with it';
  if (!root) return { bwrap, python };
  const [setpriv, unshare, mount] = ['setpriv', 'unshare', 'mount'].map(onPath);
  if (!setpriv || !unshare || !mount) return 'util-linux\'s setpriv, unshare and mount are needed to give each learner a uid of their own (Debian: apt-get install util-linux mount)';
  return { bwrap, python, setpriv, unshare, mount };
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < b.length; i++) if ((a[i] ?? 0) !== b[i]) return (a[i] ?? 0) - b[i]!;
  return 0;
}

/**
 * Files the learner needs that live outside the bound system: labpath's own
 * code (oc and virtctl run it), the Node that runs it, a kubectl in ~/bin;
 * bound read-only where they are.
 */
function codeAndToolPaths(): string[] {
  const kubectl = kubectlPath();
  const inSystem = (path: string) => /^\/(usr|bin|sbin|lib|lib64)\//.test(path);
  const inCode = (path: string) => CODE_PATHS.some((code) => path.startsWith(`${code}/`));
  const tools = [process.execPath, ...(kubectl ? [kubectl] : [])].filter((p) => !inSystem(p) && !inCode(p));
  return [...CODE_PATHS.filter((p) => existsSync(p)), ...tools];
}

/** What every sandbox binds of the host: the system (bubblewrap arguments) and the lab's code and tools (paths). */
interface HostBinds {
  system: string[];
  code: string[];
}

function launchCommand(tools: Tools, shell: SandboxedShell, binds: HostBinds, group: LimitGroup | undefined): string[] {
  const staged: string[] = [];
  // As root, a bound folder the learner's uid could not reach is staged first; otherwise bubblewrap opens it itself.
  const source = (path: string) => {
    if (!tools.setpriv || reachableByAnyone(path)) return path;
    if (staged.length / 2 >= STAGE_POINTS) throw new Error(`a learner shell binds more than ${STAGE_POINTS} private paths`);
    const point = `${STAGE_DIR}/${statSync(path).isDirectory() ? 'd' : 'f'}${staged.length / 2}`;
    staged.push(path, point);
    return point;
  };
  const folder = source(shell.folder);
  const runDir = source(shell.runDir);
  const tunnel = shell.tunnelSocket && source(shell.tunnelSocket);
  const code = binds.code.flatMap((path) => ['--ro-bind', source(path), path]);
  const init = [tools.python, '-I', '-S', SANDBOX_INIT, ...(tunnel ? ['--tunnel', `${RUN_VIEW}/${TUNNEL_SOCKET_NAME}`, String(TUNNEL_PORT)] : []), '--', ...shell.command];
  const bwrap = [
    tools.bwrap,
    '--unshare-all', '--unshare-user', ...(tunnel ? [] : ['--share-net']),
    '--disable-userns', '--die-with-parent', '--new-session', '--as-pid-1', '--cap-drop', 'ALL',
    '--uid', String(INSIDE_UID), '--gid', String(INSIDE_UID), '--hostname', HOSTNAME,
    ...binds.system,
    '--ro-bind', `${runDir}/passwd`, '/etc/passwd', '--ro-bind', `${runDir}/group`, '/etc/group',
    '--proc', '/proc', '--dev', '/dev', '--size', String(TMP_BYTES), '--tmpfs', '/tmp',
    ...code,
    '--bind', folder, LAB_VIEW, '--ro-bind', runDir, RUN_VIEW,
    ...(tunnel ? ['--bind', tunnel, `${RUN_VIEW}/${TUNNEL_SOCKET_NAME}`] : []),
    '--chdir', shell.cwd, '--clearenv',
    ...Object.entries(shell.env).flatMap(([name, value]) => (value === undefined ? [] : ['--setenv', name, value])),
    '--', ...init,
  ];
  if (!tools.setpriv) return group ? group.wrap(bwrap) : bwrap;
  const uid = String(shell.uid ?? LEARNER_UID_BASE);
  const drop = [tools.setpriv, `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--no-new-privs', '--', ...bwrap];
  // One shell joins the learner's cgroups and stages the folders, as few programs as a start can take.
  const joins = group?.procsFiles ?? [];
  const launch = [tools.unshare!, '--mount', '--propagation', 'private', '--', '/bin/sh', '-c', STAGE_SCRIPT, 'labpath-stage', tools.mount!, ...joins, '--', ...staged, '--', ...drop];
  return group && !group.procsFiles ? group.wrap(launch) : launch;
}

/** Whether every folder on the way to `path` lets others pass, and `path` lets others read: no staging needed. */
function reachableByAnyone(path: string): boolean {
  const info = statSync(path, { throwIfNoEntry: false });
  if (!info || (info.mode & 0o004) === 0 || (info.isDirectory() && (info.mode & 0o001) === 0)) return false;
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const parent = statSync(dir, { throwIfNoEntry: false });
    if (!parent || (parent.mode & 0o001) === 0) return false;
    if (dir === '/') return true;
  }
}

/**
 * `sh -c STAGE_SCRIPT labpath-stage MOUNT PROCS… -- SOURCE POINT… -- COMMAND…`:
 * writes its PID into each cgroup.procs, binds each source onto its stage
 * point (in the launch's own mount namespace), then execs the command.
 */
const STAGE_SCRIPT = `set -e
mount=$1; shift
${JOIN_LOOP}
while [ "$1" != -- ]; do "$mount" --bind "$1" "$2"; shift 2; done
shift
exec "$@"`;

/** Starts a sandbox that only exits, as the first learner would; the reason it fails, if it does. */
async function probeLaunch(launcher: ConfinedLauncher, group: LimitGroup | undefined): Promise<string | undefined> {
  if (process.getuid?.() === 0) ensureStageDir();
  const base = mkdtempSync(join(tmpdir(), 'labpath-probe-'));
  try {
    const folder = join(base, 'lab');
    const runDir = join(base, 'run');
    mkdirSync(folder);
    launcher.prepareRunDir(runDir);
    const uid = launcher.perLearnerUid ? LEARNER_UID_BASE : undefined;
    launcher.own(folder, uid);
    const command = launcher.command({ learnerId: 'probe', uid, folder, runDir, tunnelSocket: undefined, command: ['/bin/sh', '-c', 'exit 0'], cwd: LAB_VIEW, env: { PATH: '/usr/bin:/bin' } }, group);
    // A machine busy enough to take longer says nothing about whether it can confine: asked again, given longer.
    let failure: (ExecFileException & { stdout?: string; stderr?: string }) | undefined;
    for (const timeout of PROBE_TIMEOUTS_MS) {
      failure = await run(command[0]!, command.slice(1), { timeout }).then(() => undefined, (error: ExecFileException) => error);
      if (!failure?.killed) break;
    }
    if (!failure) return undefined;
    const said = `${failure.stderr ?? ''}${failure.stdout ?? ''}`.trim().split('\n').slice(-3).join(' ');
    const how = failure.killed ? `it had not exited after ${PROBE_TIMEOUTS_MS.at(-1)! / 1000} s` : `exit ${failure.code}`;
    return `a test sandbox did not start (${how}${said ? `: ${said}` : ''}); this machine may not allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, or AppArmor's kernel.apparmor_restrict_unprivileged_userns=0)`;
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

/**
 * The staging mount points: empty root-owned folders (d0…) and files (f0…)
 * that a learner's uid may traverse. Launches bind onto them only in mount
 * namespaces of their own, so on the host they stay empty, and one set serves all.
 */
function ensureStageDir(): void {
  mkdirSync(STAGE_DIR, { recursive: true, mode: 0o755 });
  const info = lstatSync(STAGE_DIR);
  if (!info.isDirectory() || info.uid !== 0) throw new Error(`${STAGE_DIR} must be a directory owned by root; it is not, so learner shells cannot be staged safely`);
  for (let i = 0; i < STAGE_POINTS; i++) {
    mkdirSync(join(STAGE_DIR, `d${i}`), { recursive: true, mode: 0o755 });
    if (!existsSync(join(STAGE_DIR, `f${i}`))) writeFileSync(join(STAGE_DIR, `f${i}`), '', { mode: 0o644 });
  }
}

/**
 * Gives a whole folder to a learner's uid; only while none of their
 * processes runs (a folder moved from an earlier layout at start), since a
 * learner could swap a directory for a link while it is walked.
 */
export function giveTree(path: string, uid: number): void {
  const info = lstatSync(path);
  if (info.isSymbolicLink()) return;
  chownSync(path, uid, uid);
  if (!info.isDirectory()) return;
  for (const entry of readdirSync(path)) giveTree(join(path, entry), uid);
}

/**
 * Where a lab's tunnel sockets are on the host: a short path (a unix
 * socket's path has at most 107 bytes, and data directories can be deep),
 * private to the lab.
 */
export function tunnelSocketDir(): string {
  const uid = process.getuid?.() ?? 0;
  const dir = uid === 0 ? '/run/labpath-tunnels' : join(tmpdir(), `labpath-tunnels-${uid}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const info = lstatSync(dir);
  if (!info.isDirectory() || info.uid !== uid || (info.mode & 0o077) !== 0) throw new Error(`${dir} must be a directory of this user's with mode 0700, so that no other user can reach the learners' tunnels; remove it and start again`);
  return dir;
}

/** Logged once: what confinement this lab has, or that it has none and why. */
export function logConfinement(launcher: Launcher): void {
  if (launcher.confined) {
    log.info('learner shells are confined', { how: launcher.summary });
    if (!launcher.limits.backend) log.warn('learner shells run without memory, process and CPU limits', { reason: launcher.limits.reason });
    if (!launcher.folderCap.cap) log.warn('learners\' folders have no size cap', { reason: launcher.folderCap.reason });
  } else log.warn('learner shells are NOT confined: they run as the lab\'s own user, with its files and network', { reason: launcher.reason });
}
