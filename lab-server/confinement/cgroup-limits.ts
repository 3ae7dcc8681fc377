/**
 * Per-learner resource limits (memory, process count, CPU share) through
 * Linux control groups. Both hierarchies exist in the field: cgroup v1 (one
 * mount per controller, as on this machine's v1/v2 hybrid), and the unified v2
 * hierarchy; where systemd runs, a transient scope does the same through it.
 * Every learner's group sits under the lab's own cgroup, so a lab that itself
 * runs in a container stays inside that container's limits.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMountinfo, type Mount } from './mountinfo.ts';

export interface CgroupLimits {
  memoryBytes: number;
  pids: number;
  /** A relative CPU weight, as cgroup v2's cpu.weight (1–10000, 100 is the default share). */
  cpuWeight: number;
}

/** A learner's group: `wrap` puts a command into it before the command runs anything of the learner's. */
export interface LimitGroup {
  wrap(command: string[]): string[];
  /** The cgroup.procs files a process joins by writing its PID (cgroup v1 and v2), for a launch that joins them itself. */
  procsFiles?: string[];
}

export interface LimitBackend {
  /** What enforces the limits, for logs and the README's words: "cgroup v1", "cgroup v2", "systemd". */
  readonly kind: string;
  group(learnerId: string, limits: CgroupLimits): LimitGroup;
  /** Removes a learner's group, if there is one, once its processes are gone (a shell killed a moment ago takes one to exit). */
  remove(learnerId: string): Promise<void>;
}

export type LimitDetection = { backend: LimitBackend } | { backend?: undefined; reason: string };

/** What /proc/self/mountinfo and /proc/self/cgroup say; read from files so that tests can give their own. */
export interface CgroupView {
  mountinfo: string;
  cgroup: string;
  /** Whether systemd is the init system here (/run/systemd/system exists). */
  systemd: boolean;
  systemdRun?: string | undefined;
}

const V1_CONTROLLERS = ['memory', 'pids', 'cpu'] as const;
const V2_CONTROLLERS = ['memory', 'pids', 'cpu'] as const;
const LAB_GROUP = 'labpath-learners';
/**
 * The weight of all learners together against the lab itself when the CPU is
 * contended (cgroup v2's scale, where 100 is the default): a tenth. The lab
 * serves every learner's terminal, checks and page; with an equal share, fifty
 * learners' kubectl starved it, and each learner waited seconds for a Check
 * answer or a keystroke's echo. A share only counts while both sides want the
 * CPU: an idle lab leaves the learners all of it.
 */
export const LEARNERS_CPU_WEIGHT = 10;
/** cgroup v1's cpu.shares for a v2 weight: 1024 is v1's default, as 100 is v2's. */
const v1Shares = (weight: number) => String(Math.max(2, Math.round((weight * 1024) / 100)));
/** The lab's own processes, moved here on v2 so that its cgroup may hand controllers to its children ("no internal processes"). */
const V2_HOST_LEAF = 'labpath-host';

export function currentCgroupView(): CgroupView {
  return {
    mountinfo: readFileSync('/proc/self/mountinfo', 'utf8'),
    cgroup: readFileSync('/proc/self/cgroup', 'utf8'),
    systemd: existsSync('/run/systemd/system'),
    systemdRun: ['/usr/bin/systemd-run', '/bin/systemd-run'].find((p) => existsSync(p)),
  };
}

/**
 * The first way of enforcing limits that works here: direct cgroup v1 or v2
 * when the lab may write to its own cgroup (root, or a delegated tree), else
 * systemd-run where systemd runs. `root`: whether the lab runs as root.
 */
export function detectLimits(view: CgroupView, root: boolean): LimitDetection {
  const reasons: string[] = [];
  const v1 = cgroupV1(view);
  if (v1.backend) return v1;
  reasons.push(v1.reason);
  const v2 = cgroupV2(view);
  if (v2.backend) return v2;
  reasons.push(v2.reason);
  if (view.systemd && view.systemdRun) return { backend: systemdScopes(view.systemdRun, !root) };
  reasons.push('systemd is not running here, so systemd-run --scope cannot set them either');
  return { reason: reasons.join('; ') };
}

function cgroupMounts(mountinfo: string): Mount[] {
  return parseMountinfo(mountinfo).filter((mount) => mount.fsType === 'cgroup' || mount.fsType === 'cgroup2');
}

/** The lab's own cgroup path in the hierarchy holding `controller` (v1), or in the unified one (v2: controller ""). */
function ownPath(cgroup: string, controller: string): string | undefined {
  for (const line of cgroup.split('\n')) {
    const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
    if (path === undefined) continue;
    if (controller === '' ? controllers === '' : controllers!.split(',').includes(controller)) return path;
  }
  return undefined;
}

/** Where the lab's own cgroup is on disk in `mount`, or undefined when the mount does not show it. */
function onDisk(mount: Mount, path: string): string | undefined {
  const root = mount.root === '/' ? '' : mount.root;
  if (root && path !== root && !path.startsWith(`${root}/`)) return undefined;
  return join(mount.mountPoint, path.slice(root.length));
}

function writable(dir: string): string | undefined {
  const probe = join(dir, `${LAB_GROUP}-probe-${process.pid}`);
  try {
    mkdirSync(probe);
    rmdirSync(probe);
    return undefined;
  } catch (error) {
    return `${dir} does not take a new group (${(error as NodeJS.ErrnoException).code})`;
  }
}

function cgroupV1(view: CgroupView): { backend: LimitBackend; reason?: undefined } | { backend?: undefined; reason: string } {
  const mounts = cgroupMounts(view.mountinfo).filter((m) => m.fsType === 'cgroup');
  const bases: Record<string, string> = {};
  for (const controller of V1_CONTROLLERS) {
    const mount = mounts.find((m) => m.superOptions.includes(controller));
    const path = ownPath(view.cgroup, controller);
    const dir = mount && path !== undefined ? onDisk(mount, path) : undefined;
    if (!dir) return { reason: `cgroup v1: no ${controller} hierarchy holds this process` };
    const refused = writable(dir);
    if (refused) return { reason: `cgroup v1: ${refused}` };
    bases[controller] = join(dir, LAB_GROUP);
  }
  const dirsOf = (learnerId: string) => V1_CONTROLLERS.map((controller) => join(bases[controller]!, learnerId));
  try {
    mkdirSync(bases.cpu!, { recursive: true });
    writeFileSync(join(bases.cpu!, 'cpu.shares'), v1Shares(LEARNERS_CPU_WEIGHT));
  } catch (error) {
    return { reason: `cgroup v1: ${bases.cpu} does not take the learners' CPU share (${(error as NodeJS.ErrnoException).code})` };
  }
  return {
    backend: {
      kind: 'cgroup v1',
      group(learnerId, limits) {
        const dirs = dirsOf(learnerId);
        for (const dir of dirs) mkdirSync(dir, { recursive: true });
        const [memory, pids, cpu] = dirs as [string, string, string];
        writeFileSync(join(memory, 'memory.limit_in_bytes'), String(limits.memoryBytes));
        // With swap accounting, memory+swap gets the same limit: a learner cannot page out past it.
        if (existsSync(join(memory, 'memory.memsw.limit_in_bytes'))) writeFileSync(join(memory, 'memory.memsw.limit_in_bytes'), String(limits.memoryBytes));
        writeFileSync(join(pids, 'pids.max'), String(limits.pids));
        writeFileSync(join(cpu, 'cpu.shares'), v1Shares(limits.cpuWeight));
        return joinByProcs(dirs.map((dir) => join(dir, 'cgroup.procs')));
      },
      remove: (learnerId) => removeWhenEmpty(dirsOf(learnerId)),
    },
  };
}

function cgroupV2(view: CgroupView): { backend: LimitBackend; reason?: undefined } | { backend?: undefined; reason: string } {
  const mount = cgroupMounts(view.mountinfo).find((m) => m.fsType === 'cgroup2');
  const path = ownPath(view.cgroup, '');
  const own = mount && path !== undefined ? onDisk(mount, path) : undefined;
  if (!own) return { reason: 'cgroup v2: no unified hierarchy holds this process' };
  const available = readOr(join(own, 'cgroup.controllers')).split(/\s+/);
  const missing = V2_CONTROLLERS.filter((c) => !available.includes(c));
  if (missing.length > 0) return { reason: `cgroup v2: the lab's cgroup ${own} is not given the ${missing.join(', ')} controller${missing.length > 1 ? 's' : ''}` };
  const refused = writable(own);
  if (refused) return { reason: `cgroup v2: ${refused}` };
  const enable = V2_CONTROLLERS.map((c) => `+${c}`).join(' ');
  try {
    const learners = join(own, LAB_GROUP);
    if (!enabled(own)) {
      try {
        writeFileSync(join(own, 'cgroup.subtree_control'), enable);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EBUSY') throw error;
        // A cgroup with processes of its own cannot hand controllers down: the lab's processes move to a leaf first.
        const leaf = join(own, V2_HOST_LEAF);
        mkdirSync(leaf, { recursive: true });
        for (const pid of readOr(join(own, 'cgroup.procs')).split('\n').filter(Boolean)) writeFileSync(join(leaf, 'cgroup.procs'), pid);
        writeFileSync(join(own, 'cgroup.subtree_control'), enable);
      }
    }
    mkdirSync(learners, { recursive: true });
    writeFileSync(join(learners, 'cgroup.subtree_control'), enable);
    writeFileSync(join(learners, 'cpu.weight'), String(LEARNERS_CPU_WEIGHT));
    return {
      backend: {
        kind: 'cgroup v2',
        group(learnerId, limits) {
          const dir = join(learners, learnerId);
          mkdirSync(dir, { recursive: true });
          writeFileSync(join(dir, 'memory.max'), String(limits.memoryBytes));
          if (existsSync(join(dir, 'memory.swap.max'))) writeFileSync(join(dir, 'memory.swap.max'), '0');
          writeFileSync(join(dir, 'pids.max'), String(limits.pids));
          writeFileSync(join(dir, 'cpu.weight'), String(limits.cpuWeight));
          return joinByProcs([join(dir, 'cgroup.procs')]);
        },
        remove: (learnerId) => removeWhenEmpty([join(learners, learnerId)]),
      },
    };
  } catch (error) {
    return { reason: `cgroup v2: ${own} does not let the lab enable ${enable} for its children (${(error as Error).message})` };
  }
}

function enabled(dir: string): boolean {
  const on = readOr(join(dir, 'cgroup.subtree_control')).split(/\s+/);
  return V2_CONTROLLERS.every((c) => on.includes(c));
}

/**
 * JOIN_LOOP (sh, arguments PROCS… --) writes the shell's own PID into each
 * group's cgroup.procs; a launch that stages folders runs it in its own shell.
 * The command runs in a shell that first writes its own PID into each group
 * and then execs it, so that nothing of the learner's runs outside the
 * groups even for a moment. A group that cannot be joined stops the start.
 */
export const JOIN_LOOP = 'while [ "$1" != -- ]; do echo $$ > "$1" || { echo "labpath: cannot join the learner\'s cgroup $1" >&2; exit 125; }; shift; done; shift';
const JOIN_SCRIPT = `${JOIN_LOOP}; exec "$@"`;

function joinByProcs(procsFiles: string[]): LimitGroup {
  return {
    wrap: (command) => ['/bin/sh', '-c', JOIN_SCRIPT, 'labpath-limits', ...procsFiles, '--', ...command],
    procsFiles,
  };
}

/** How long a group's removal waits for its killed processes to exit. */
const REMOVE_WAIT_MS = 3000;

async function removeWhenEmpty(dirs: string[]): Promise<void> {
  for (const dir of dirs) {
    for (const start = Date.now(); ; await new Promise((resolve) => setTimeout(resolve, 25))) {
      try {
        rmdirSync(dir);
        break;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // Gone already, or still busy after the wait (a process of the learner's outlived its shell): the group
        // stays for the learner's next end to remove, and left behind, an empty group costs the kernel little.
        if (code !== 'EBUSY' || Date.now() - start > REMOVE_WAIT_MS) break;
      }
    }
  }
}

/** A transient scope per shell, with systemd's names for the same limits. */
function systemdScopes(systemdRun: string, user: boolean): LimitBackend {
  return {
    kind: 'systemd',
    group(learnerId, limits) {
      let starts = 0;
      return {
        wrap: (command) => [
          systemdRun, ...(user ? ['--user'] : []), '--scope', '--quiet', '--collect',
          `--unit=labpath-${learnerId}-${process.pid}-${++starts}`,
          `--property=MemoryMax=${limits.memoryBytes}`, '--property=MemorySwapMax=0', `--property=TasksMax=${limits.pids}`, `--property=CPUWeight=${limits.cpuWeight}`,
          '--', ...command,
        ],
      };
    },
    // Scopes are collected by systemd once their processes are gone (--collect).
    remove: async () => undefined,
  };
}

function readOr(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}
