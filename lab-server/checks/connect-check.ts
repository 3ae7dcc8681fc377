/**
 * Evaluates a `connect` check by probing from inside the source workload, the
 * way a learner would: `nc` exec'd in the pod's container, or typed at a shell
 * after logging in on the VM's serial console with its cloud-init credentials.
 * The same code runs against the sandbox and a real cluster.
 */
import { Writable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import type { Check } from '../lesson/schema.ts';
import { getPath, type KubeObject } from '../k8s/object.ts';
import { guestAccount, vmiCloudInitUserData } from '../k8s/kubevirt.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import { SerialConsoleSession } from '../kube/serial-console.ts';
import type { CheckResult } from './check-result.ts';
import type { ClusterProblem, ClusterReader } from './cluster-reader.ts';
import { explainConnection } from './explain-connection.ts';

export type ConnectCheck = Extract<Check, { type: 'connect' }>;

export interface ProbeAccess {
  reader: ClusterReader;
  client: KubeClient;
}

/**
 * How long nc waits before calling a connection dropped (Ncat's time syntax).
 * Every probe here crosses one L2 segment, where an answer (SYN-ACK or RST)
 * takes well under a millisecond even with ARP and OVS's first-packet upcall,
 * so 300 ms leaves a wide margin; a denied probe costs the check this long.
 */
const PROBE_WAIT = '0.3';
const CONSOLE_COMMAND_TIMEOUT_MS = 30_000;

type Outcome = 'connected' | 'refused' | 'timeout';
/** Either the probe ran, or the source is not in a state to run it (a failure), or we could not ask (an error). */
type Probe = { ran: true; outcome: Outcome } | { ran: false; status: 'failed' | 'error'; actual: string; message?: string };

/** The checks of a step that probe from one workload; they share its exec or console session. */
export function sourceKey(check: ConnectCheck): string {
  return 'pod' in check.from ? `pod ${check.from.namespace}/${check.from.pod}` : `vm ${check.from.namespace}/${check.from.vm}`;
}

/**
 * Probes from one source in order, over one console login for a VM. With
 * `stopAtFirstFailure` the probes after the first one that does not pass are
 * not run (a pre-check needs only one); `stop` ends the run early, dropping a
 * probe in flight, when another source has already failed.
 */
export async function evaluateConnectChecks(checks: readonly ConnectCheck[], access: ProbeAccess, options: { stopAtFirstFailure?: boolean; stop?: AbortSignal } = {}): Promise<CheckResult[]> {
  const first = checks[0];
  if (!first) return [];
  const prober = 'pod' in first.from ? await podProber(first.from.namespace, first.from.pod, access) : await vmProber(first.from.namespace, first.from.vm, access);
  const results: CheckResult[] = [];
  try {
    for (const check of checks) {
      if (options.stop?.aborted) break;
      const probe = prober.ready ? await prober.probe(probeCommand(check), options.stop) : prober.unavailable;
      if (!probe) break;
      results.push(await resultOf(check, probe, access));
      if (options.stopAtFirstFailure && results.at(-1)!.status !== 'passed') break;
    }
  } finally {
    if (prober.ready) prober.close();
  }
  return results;
}

function probeCommand(check: ConnectCheck): string[] {
  return ['nc', '-z', '-v', '-w', PROBE_WAIT, check.to.host, String(check.to.port)];
}

async function resultOf(check: ConnectCheck, probe: Probe, access: ProbeAccess): Promise<CheckResult> {
  const { host, port, protocol } = check.to;
  const subject = `${sourceKey(check)} → ${host}:${port}/${protocol}`;
  const expected = check.expect === 'allowed' ? 'connects' : 'times out (dropped)';
  if (!probe.ran) return { status: probe.status, subject, expected, actual: probe.actual, message: probe.message ?? check.message };
  const passes = check.expect === 'allowed' ? probe.outcome === 'connected' : probe.outcome === 'timeout';
  const result: CheckResult = { status: passes ? 'passed' : 'failed', subject, expected, actual: OUTCOME_TEXT[probe.outcome], message: check.message };
  if (passes) return result;
  const explanation = await explainConnection(access.client, check);
  return explanation ? { ...result, explanation } : result;
}

const OUTCOME_TEXT: Record<Outcome, string> = {
  connected: 'connects',
  refused: 'connection refused: the network lets it through, but nothing listens on that port',
  timeout: 'times out (dropped)',
};

/** A source ready to probe from, or why it is not. A probe cut short by `stop` has no answer. */
type Prober = { ready: true; probe: (command: string[], stop?: AbortSignal) => Promise<Probe | undefined>; close: () => void } | { ready: false; unavailable: Probe };

async function podProber(namespace: string, name: string, access: ProbeAccess): Promise<Prober> {
  const unavailable = (probe: Probe): Prober => ({ ready: false, unavailable: probe });
  const read = await access.reader.get({ apiVersion: 'v1', kind: 'Pod', namespace, name });
  if (!read.ok) return unavailable(cannotAsk(read.problem));
  const pod = read.value;
  if (!pod) return unavailable({ ran: false, status: 'failed', actual: `pod ${namespace}/${name} does not exist` });
  const notRunning = podNotRunning(pod);
  if (notRunning) return unavailable({ ran: false, status: 'failed', actual: notRunning });
  const container = String(getPath(pod, ['spec', 'containers', 0, 'name']) ?? '');
  const exec = new k8s.Exec(access.client.config);
  const probe = async (command: string[], stop?: AbortSignal): Promise<Probe | undefined> => {
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
      return { ran: false, status: 'error', actual: 'exec failed', message: `cannot exec into pod ${namespace}/${name}: ${(error as Error).message}` };
    }
    return status && classify(exitCodeOf(status), output, `pod ${namespace}/${name}`);
  };
  return { ready: true, probe, close: () => undefined };
}

async function vmProber(namespace: string, name: string, access: ProbeAccess): Promise<Prober> {
  const unavailable = (probe: Probe): Prober => ({ ready: false, unavailable: probe });
  const read = await access.reader.get({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', namespace, name });
  if (!read.ok) return unavailable(cannotAsk(read.problem));
  const vmi = read.value;
  if (!vmi) return unavailable({ ran: false, status: 'failed', actual: `VM ${namespace}/${name} is not running (no VirtualMachineInstance)` });
  const phase = String(getPath(vmi, ['status', 'phase']) ?? 'Pending');
  if (phase !== 'Running') return unavailable({ ran: false, status: 'failed', actual: `VM ${namespace}/${name} is ${phase}, not Running` });
  const account = guestAccount(vmiCloudInitUserData(vmi));
  const password = account.password;
  if (password === undefined)
    return unavailable({ ran: false, status: 'error', actual: 'no password', message: `VM ${namespace}/${name} sets no password in cloud-init userData; the probe logs in on its serial console and needs one` });
  let session: SerialConsoleSession;
  try {
    session = await SerialConsoleSession.open(access.client, namespace, name);
  } catch (error) {
    return unavailable({ ran: false, status: 'error', actual: 'no console', message: `cannot open the serial console of VM ${namespace}/${name}: ${(error as Error).message}` });
  }
  const stalled = (error: unknown): Probe => ({ ran: false, status: 'error', actual: 'console stalled', message: `the serial console of VM ${namespace}/${name}: ${(error as Error).message}` });
  try {
    if (!(await session.logIn(account.user, async () => password))) {
      session.close();
      return unavailable({ ran: false, status: 'error', actual: 'login incorrect', message: `the guest of VM ${namespace}/${name} refused ${account.user} with the cloud-init password` });
    }
  } catch (error) {
    session.close();
    return unavailable(stalled(error));
  }
  const probe = async (command: string[], stop?: AbortSignal): Promise<Probe | undefined> => {
    const cut = () => session.close();
    stop?.addEventListener('abort', cut, { once: true });
    try {
      const { code, output } = await session.run(command.join(' '), CONSOLE_COMMAND_TIMEOUT_MS);
      return classify(code, output, `VM ${namespace}/${name}`);
    } catch (error) {
      return stop?.aborted ? undefined : stalled(error);
    } finally {
      stop?.removeEventListener('abort', cut);
    }
  };
  return { ready: true, probe, close: () => session.close() };
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

// Ncat (RHEL/Fedora) and OpenBSD nc word their outcomes differently.
function classify(code: number, output: string, where: string): Probe {
  if (code === 0) return { ran: true, outcome: 'connected' };
  if (/refused/i.test(output)) return { ran: true, outcome: 'refused' };
  if (/TIMEOUT|timed out/i.test(output)) return { ran: true, outcome: 'timeout' };
  if (code === 127 || /not found/i.test(output))
    return { ran: false, status: 'error', actual: 'no nc', message: `${where} has no nc to probe with; add nmap-ncat (or netcat) to its image` };
  return { ran: false, status: 'error', actual: `nc exited ${code}`, message: `the probe in ${where} gave an unexpected answer: ${output.trim() || `exit ${code}`}` };
}

function cannotAsk(problem: ClusterProblem): Probe {
  return { ran: false, status: 'error', actual: problem.kind, message: problem.message };
}
