/**
 * A shell inside a workload, opened the way a learner gets one: exec into a
 * pod's first container, or a login on a VM's serial console with its
 * cloud-init credentials (one session serves every command, since KubeVirt
 * takes one console connection at a time). Same code on the sandbox and on a
 * real cluster.
 */
import { Writable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import type { Check } from '../lesson/schema.ts';
import { getPath, isRecord, type KubeObject } from '../k8s/object.ts';
import { guestAccount, vmiCloudInitUserData } from '../k8s/kubevirt.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import { SerialConsoleSession } from '../kube/serial-console.ts';
import type { ClusterProblem, ClusterReader } from './cluster-reader.ts';

export type WorkloadRef = Extract<Check, { type: 'connect' }>['from'];

export interface WorkloadAccess {
  reader: ClusterReader;
  client: KubeClient;
}

/** Why a command could not run: the workload is not there or not running (failed), or we could not ask (error). */
export interface Unavailable {
  status: 'failed' | 'error';
  actual: string;
  message?: string;
}

export type RunOutcome = { code: number; output: string } | Unavailable;

export interface RunOptions {
  stop?: AbortSignal | undefined;
  /**
   * When the pod's image lacks the executable (no nc in a minimal image), run
   * it in an ephemeral debug container instead: it shares the pod's network
   * namespace, which is all a reachability probe needs.
   */
  debugFallback?: boolean;
}

export type WorkloadShell =
  | { ready: true; where: string; run: (command: string[], options?: RunOptions) => Promise<RunOutcome | undefined>; close: () => void }
  | { ready: false; unavailable: Unavailable };

const CONSOLE_COMMAND_TIMEOUT_MS = 30_000;

/** The debug container probes fall back to: OpenShift's network tools image carries Ncat. */
export const DEBUG_CONTAINER = { name: 'labpath-probe', image: 'quay.io/openshift/origin-network-tools:latest' } as const;
const DEBUG_START_TIMEOUT_MS = 60_000;
const DEBUG_POLL_MS = 200;

export function workloadLabel(ref: WorkloadRef): string {
  return 'pod' in ref ? `pod ${ref.namespace}/${ref.pod}` : `vm ${ref.namespace}/${ref.vm}`;
}

export const isUnavailable = (outcome: RunOutcome): outcome is Unavailable => 'status' in outcome;

/**
 * A shell in `ref`. `run` resolves undefined when `stop` cut the command
 * short; a `stop` before the shell is open leaves it unopened (nothing was
 * asked of the workload yet).
 */
export function openWorkloadShell(ref: WorkloadRef, access: WorkloadAccess, stop?: AbortSignal): Promise<WorkloadShell> {
  return 'pod' in ref ? podShell(ref.namespace, ref.pod, access) : vmShell(ref.namespace, ref.vm, access, stop);
}

const STOPPED: WorkloadShell = { ready: false, unavailable: { status: 'error', actual: 'stopped', message: 'the evaluation was stopped before the shell opened' } };

/**
 * `pending`, or undefined as soon as `stop` fires; what `pending` brings after
 * that is handed to `discard` (a console taken late must still be freed).
 */
async function unlessStopped<T>(pending: Promise<T>, stop: AbortSignal | undefined, discard: (late: T) => void): Promise<T | undefined> {
  if (!stop) return pending;
  const stopped = new Promise<undefined>((resolve) => (stop.aborted ? resolve(undefined) : stop.addEventListener('abort', () => resolve(undefined), { once: true })));
  const value = await Promise.race([pending, stopped]);
  if (!stop.aborted) return value;
  void pending.then(discard, () => undefined);
  return undefined;
}

async function podShell(namespace: string, name: string, access: WorkloadAccess): Promise<WorkloadShell> {
  const unavailable = (why: Unavailable): WorkloadShell => ({ ready: false, unavailable: why });
  const read = await access.reader.get({ apiVersion: 'v1', kind: 'Pod', namespace, name });
  if (!read.ok) return unavailable(cannotAsk(read.problem));
  const pod = read.value;
  if (!pod) return unavailable({ status: 'failed', actual: `pod ${namespace}/${name} does not exist` });
  const notRunning = podNotRunning(pod);
  if (notRunning) return unavailable({ status: 'failed', actual: notRunning });
  const container = String(getPath(pod, ['spec', 'containers', 0, 'name']) ?? '');
  const exec = new k8s.Exec(access.client.config);
  const where = `pod ${namespace}/${name}`;
  let debugReady: Promise<Unavailable | undefined> | undefined;
  const execIn = async (target: string, command: string[], stop?: AbortSignal): Promise<RunOutcome | undefined> => {
    let output = '';
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => ((output += chunk.toString('utf8')), done()) });
    let status: k8s.V1Status | undefined;
    try {
      status = await new Promise<k8s.V1Status | undefined>((resolve, reject) => {
        // Stopped while the exec connection is still opening: answer now, close it once it opens.
        if (stop?.aborted) return resolve(undefined);
        stop?.addEventListener('abort', () => resolve(undefined), { once: true });
        exec.exec(namespace, name, target, command, sink, sink, null, false, resolve).then((ws) => {
          const cut = () => (ws.close(), resolve(undefined));
          if (stop?.aborted) cut();
          else stop?.addEventListener('abort', cut, { once: true });
        }, reject);
      });
    } catch (error) {
      return { status: 'error', actual: 'exec failed', message: `cannot exec into ${where}: ${(error as Error).message}` };
    }
    if (!status) return undefined;
    // A runtime that cannot start the command answers with a Failure Status and no exit code.
    const startFailure = status.status === 'Failure' && !status.details?.causes?.some((c) => c.reason === 'ExitCode') ? `${status.message ?? ''}\n` : '';
    return { code: exitCodeOf(status), output: output + startFailure };
  };
  const run = async (command: string[], options: RunOptions = {}): Promise<RunOutcome | undefined> => {
    if (!debugReady) {
      const ran = await execIn(container, command, options.stop);
      if (!options.debugFallback || !ran || isUnavailable(ran) || !/executable file not found/.test(ran.output)) return ran;
      debugReady = startDebugContainer(namespace, name, container, access);
    }
    const problem = await debugReady;
    return problem ?? execIn(DEBUG_CONTAINER.name, command, options.stop);
  };
  return { ready: true, where, run, close: () => undefined };
}

async function vmShell(namespace: string, name: string, access: WorkloadAccess, stop: AbortSignal | undefined): Promise<WorkloadShell> {
  const unavailable = (why: Unavailable): WorkloadShell => ({ ready: false, unavailable: why });
  const read = await access.reader.get({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', namespace, name });
  if (!read.ok) return unavailable(cannotAsk(read.problem));
  const vmi = read.value;
  if (!vmi) return unavailable({ status: 'failed', actual: `VM ${namespace}/${name} is not running (no VirtualMachineInstance)` });
  const phase = String(getPath(vmi, ['status', 'phase']) ?? 'Pending');
  if (phase !== 'Running') return unavailable({ status: 'failed', actual: `VM ${namespace}/${name} is ${phase}, not Running` });
  const account = guestAccount(vmiCloudInitUserData(vmi));
  const password = account.password;
  if (password === undefined)
    return unavailable({ status: 'error', actual: 'no password', message: `VM ${namespace}/${name} sets no password in cloud-init userData; checks log in on its serial console and need one` });
  // One console user at a time per VM in this process: a step's checks and the lab's probes take turns.
  const release = await unlessStopped(takeConsole(`${access.client.clusterKey} ${namespace}/${name}`), stop, (late) => late());
  if (!release) return STOPPED;
  let session: SerialConsoleSession | undefined;
  try {
    session = await unlessStopped(SerialConsoleSession.open(access.client, namespace, name), stop, (late) => late.close());
  } catch (error) {
    release();
    return unavailable({ status: 'error', actual: 'no console', message: `cannot open the serial console of VM ${namespace}/${name}: ${(error as Error).message}` });
  }
  if (!session) {
    release();
    return STOPPED;
  }
  const opened = session;
  const close = () => {
    opened.close();
    release();
  };
  const stalled = (error: unknown): Unavailable => ({ status: 'error', actual: 'console stalled', message: `the serial console of VM ${namespace}/${name}: ${(error as Error).message}` });
  // Stopped while logging in (a learner pressed Check): the console is given up at once, for the step's checks to take.
  const cutLogin = () => close();
  if (stop?.aborted) {
    close();
    return STOPPED;
  }
  stop?.addEventListener('abort', cutLogin, { once: true });
  try {
    if (!(await opened.logIn(account.user, async () => password))) {
      close();
      return unavailable({ status: 'error', actual: 'login incorrect', message: `the guest of VM ${namespace}/${name} refused ${account.user} with the cloud-init password` });
    }
  } catch (error) {
    close();
    return stop?.aborted ? STOPPED : unavailable(stalled(error));
  } finally {
    stop?.removeEventListener('abort', cutLogin);
  }
  const run = async (command: string[], { stop }: RunOptions = {}): Promise<RunOutcome | undefined> => {
    const cut = () => opened.close();
    stop?.addEventListener('abort', cut, { once: true });
    try {
      // A console takes a command line; a `sh -c LINE` command is typed as LINE.
      return await opened.run(command[0] === 'sh' && command[1] === '-c' ? command.slice(2).join(' ') : command.join(' '), CONSOLE_COMMAND_TIMEOUT_MS);
    } catch (error) {
      return stop?.aborted ? undefined : stalled(error);
    } finally {
      stop?.removeEventListener('abort', cut);
    }
  };
  return { ready: true, where: `VM ${namespace}/${name}`, run, close };
}

/**
 * Adds the probe's ephemeral container to the pod (once: ephemeral containers
 * cannot be removed, so a later check reuses it) and waits until it runs.
 */
async function startDebugContainer(namespace: string, name: string, target: string, access: WorkloadAccess): Promise<Unavailable | undefined> {
  const where = `pod ${namespace}/${name}`;
  const podPath = `/api/v1/namespaces/${namespace}/pods/${name}`;
  const current = await access.reader.get({ apiVersion: 'v1', kind: 'Pod', namespace, name });
  if (!current.ok) return cannotAsk(current.problem);
  const present = ((getPath(current.value, ['spec', 'ephemeralContainers']) as unknown[] | undefined) ?? []).some((c) => getPath(c, ['name']) === DEBUG_CONTAINER.name);
  if (!present) {
    const patch = { spec: { ephemeralContainers: [{ name: DEBUG_CONTAINER.name, image: DEBUG_CONTAINER.image, command: ['sleep', 'infinity'], targetContainerName: target }] } };
    const r = await access.client.request('PATCH', `${podPath}/ephemeralcontainers`, patch, 'application/strategic-merge-patch+json');
    if (r.status >= 300) {
      const reason = isRecord(r.body) && typeof r.body.message === 'string' ? r.body.message : `HTTP ${r.status}`;
      return { status: 'error', actual: 'no nc, no debug container', message: `${where} has no nc, and adding the debug container ${DEBUG_CONTAINER.name} (${DEBUG_CONTAINER.image}) to it failed: ${reason}. Give the probe permission to patch pods/ephemeralcontainers, or put nmap-ncat in the pod's image.` };
    }
  }
  const deadline = Date.now() + DEBUG_START_TIMEOUT_MS;
  for (;;) {
    const read = await access.reader.get({ apiVersion: 'v1', kind: 'Pod', namespace, name });
    if (!read.ok) return cannotAsk(read.problem);
    const status = ((getPath(read.value, ['status', 'ephemeralContainerStatuses']) as unknown[] | undefined) ?? []).find((s) => getPath(s, ['name']) === DEBUG_CONTAINER.name);
    if (getPath(status, ['state', 'running']) !== undefined) return undefined;
    const waiting = getPath(status, ['state', 'waiting', 'reason']);
    if (waiting === 'ErrImagePull' || waiting === 'ImagePullBackOff' || Date.now() > deadline)
      return { status: 'error', actual: 'debug container not running', message: `the debug container ${DEBUG_CONTAINER.name} in ${where} did not start${typeof waiting === 'string' ? ` (${waiting}: ${String(getPath(status, ['state', 'waiting', 'message']) ?? '')})` : ` within ${DEBUG_START_TIMEOUT_MS / 1000} s`}` };
    await new Promise((resolve) => setTimeout(resolve, DEBUG_POLL_MS));
  }
}

const consoleQueues = new Map<string, Promise<void>>();

/** Waits for the VM's console to be free here; resolves to the function that frees it (safe to call twice). */
async function takeConsole(key: string): Promise<() => void> {
  const previous = consoleQueues.get(key) ?? Promise.resolve();
  let free!: () => void;
  const mine = new Promise<void>((resolve) => (free = resolve));
  const tail = previous.then(() => mine);
  consoleQueues.set(key, tail);
  await previous;
  let freed = false;
  return () => {
    if (freed) return;
    freed = true;
    free();
    if (consoleQueues.get(key) === tail) consoleQueues.delete(key);
  };
}

function podNotRunning(pod: KubeObject): string | undefined {
  const phase = String(getPath(pod, ['status', 'phase']) ?? 'Pending');
  if (phase === 'Running') return undefined;
  const waiting = getPath(pod, ['status', 'containerStatuses', 0, 'state', 'waiting', 'reason']);
  return `pod ${pod.metadata.namespace}/${pod.metadata.name} is ${phase}${typeof waiting === 'string' ? ` (${waiting})` : ''}, not Running`;
}

function exitCodeOf(status: k8s.V1Status): number {
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  return cause?.message !== undefined ? Number(cause.message) : 1;
}

function cannotAsk(problem: ClusterProblem): Unavailable {
  return { status: 'error', actual: problem.kind, message: problem.message };
}
