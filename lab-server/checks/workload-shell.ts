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
import { getPath, type KubeObject } from '../k8s/object.ts';
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

export type WorkloadShell =
  | { ready: true; where: string; run: (command: string[], stop?: AbortSignal) => Promise<RunOutcome | undefined>; close: () => void }
  | { ready: false; unavailable: Unavailable };

const CONSOLE_COMMAND_TIMEOUT_MS = 30_000;

export function workloadLabel(ref: WorkloadRef): string {
  return 'pod' in ref ? `pod ${ref.namespace}/${ref.pod}` : `vm ${ref.namespace}/${ref.vm}`;
}

export const isUnavailable = (outcome: RunOutcome): outcome is Unavailable => 'status' in outcome;

/** A shell in `ref`. `run` resolves undefined when `stop` cut the command short. */
export function openWorkloadShell(ref: WorkloadRef, access: WorkloadAccess): Promise<WorkloadShell> {
  return 'pod' in ref ? podShell(ref.namespace, ref.pod, access) : vmShell(ref.namespace, ref.vm, access);
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
  const run = async (command: string[], stop?: AbortSignal): Promise<RunOutcome | undefined> => {
    let output = '';
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => ((output += chunk.toString('utf8')), done()) });
    let status: k8s.V1Status | undefined;
    try {
      status = await new Promise<k8s.V1Status | undefined>((resolve, reject) => {
        exec.exec(namespace, name, container, command, sink, sink, null, false, resolve).then((ws) => {
          const cut = () => (ws.close(), resolve(undefined));
          if (stop?.aborted) cut();
          else stop?.addEventListener('abort', cut, { once: true });
        }, reject);
      });
    } catch (error) {
      return { status: 'error', actual: 'exec failed', message: `cannot exec into ${where}: ${(error as Error).message}` };
    }
    return status && { code: exitCodeOf(status), output };
  };
  return { ready: true, where, run, close: () => undefined };
}

async function vmShell(namespace: string, name: string, access: WorkloadAccess): Promise<WorkloadShell> {
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
  let session: SerialConsoleSession;
  try {
    session = await SerialConsoleSession.open(access.client, namespace, name);
  } catch (error) {
    return unavailable({ status: 'error', actual: 'no console', message: `cannot open the serial console of VM ${namespace}/${name}: ${(error as Error).message}` });
  }
  const stalled = (error: unknown): Unavailable => ({ status: 'error', actual: 'console stalled', message: `the serial console of VM ${namespace}/${name}: ${(error as Error).message}` });
  try {
    if (!(await session.logIn(account.user, async () => password))) {
      session.close();
      return unavailable({ status: 'error', actual: 'login incorrect', message: `the guest of VM ${namespace}/${name} refused ${account.user} with the cloud-init password` });
    }
  } catch (error) {
    session.close();
    return unavailable(stalled(error));
  }
  const run = async (command: string[], stop?: AbortSignal): Promise<RunOutcome | undefined> => {
    const cut = () => session.close();
    stop?.addEventListener('abort', cut, { once: true });
    try {
      // A console takes a command line; a `sh -c LINE` command is typed as LINE.
      return await session.run(command[0] === 'sh' && command[1] === '-c' ? command.slice(2).join(' ') : command.join(' '), CONSOLE_COMMAND_TIMEOUT_MS);
    } catch (error) {
      return stop?.aborted ? undefined : stalled(error);
    } finally {
      stop?.removeEventListener('abort', cut);
    }
  };
  return { ready: true, where: `VM ${namespace}/${name}`, run, close: () => session.close() };
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
