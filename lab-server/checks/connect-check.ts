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

export type ConnectCheck = Extract<Check, { type: 'connect' }>;

export interface ProbeAccess {
  reader: ClusterReader;
  client: KubeClient;
}

/** Seconds nc waits for a dropped connection: short, since a check waits on it. */
const PROBE_WAIT_SECONDS = 1;
const CONSOLE_COMMAND_TIMEOUT_MS = 30_000;

type Outcome = 'connected' | 'refused' | 'timeout';
/** Either the probe ran, or the source is not in a state to run it (a failure), or we could not ask (an error). */
type Probe = { ran: true; outcome: Outcome } | { ran: false; status: 'failed' | 'error'; actual: string; message?: string };

export async function evaluateConnectCheck(check: ConnectCheck, access: ProbeAccess): Promise<CheckResult> {
  const { host, port, protocol } = check.to;
  const source = 'pod' in check.from ? `pod ${check.from.namespace}/${check.from.pod}` : `vm ${check.from.namespace}/${check.from.vm}`;
  const subject = `${source} → ${host}:${port}/${protocol}`;
  const expected = check.expect === 'allowed' ? 'connects' : 'times out (dropped)';
  const command = ['nc', '-z', '-v', '-w', String(PROBE_WAIT_SECONDS), host, String(port)];
  const probe = 'pod' in check.from ? await probeFromPod(check.from.namespace, check.from.pod, command, access) : await probeFromVm(check.from.namespace, check.from.vm, command, access);
  if (!probe.ran) return { status: probe.status, subject, expected, actual: probe.actual, message: probe.message ?? check.message };
  const passes = check.expect === 'allowed' ? probe.outcome === 'connected' : probe.outcome === 'timeout';
  return { status: passes ? 'passed' : 'failed', subject, expected, actual: OUTCOME_TEXT[probe.outcome], message: check.message };
}

const OUTCOME_TEXT: Record<Outcome, string> = {
  connected: 'connects',
  refused: 'connection refused: the network lets it through, but nothing listens on that port',
  timeout: 'times out (dropped)',
};

async function probeFromPod(namespace: string, name: string, command: string[], access: ProbeAccess): Promise<Probe> {
  const read = await access.reader.get({ apiVersion: 'v1', kind: 'Pod', namespace, name });
  if (!read.ok) return cannotAsk(read.problem);
  const pod = read.value;
  if (!pod) return { ran: false, status: 'failed', actual: `pod ${namespace}/${name} does not exist` };
  const notRunning = podNotRunning(pod);
  if (notRunning) return { ran: false, status: 'failed', actual: notRunning };
  const container = String(getPath(pod, ['spec', 'containers', 0, 'name']) ?? '');
  let output = '';
  const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => ((output += chunk.toString('utf8')), done()) });
  let status: k8s.V1Status;
  try {
    status = await new Promise<k8s.V1Status>((resolve, reject) => {
      new k8s.Exec(access.client.config).exec(namespace, name, container, command, sink, sink, null, false, resolve).catch(reject);
    });
  } catch (error) {
    return { ran: false, status: 'error', actual: 'exec failed', message: `cannot exec into pod ${namespace}/${name}: ${(error as Error).message}` };
  }
  return classify(exitCodeOf(status), output, `pod ${namespace}/${name}`);
}

async function probeFromVm(namespace: string, name: string, command: string[], access: ProbeAccess): Promise<Probe> {
  const read = await access.reader.get({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', namespace, name });
  if (!read.ok) return cannotAsk(read.problem);
  const vmi = read.value;
  if (!vmi) return { ran: false, status: 'failed', actual: `VM ${namespace}/${name} is not running (no VirtualMachineInstance)` };
  const phase = String(getPath(vmi, ['status', 'phase']) ?? 'Pending');
  if (phase !== 'Running') return { ran: false, status: 'failed', actual: `VM ${namespace}/${name} is ${phase}, not Running` };
  const account = guestAccount(vmiCloudInitUserData(vmi));
  if (account.password === undefined)
    return { ran: false, status: 'error', actual: 'no password', message: `VM ${namespace}/${name} sets no password in cloud-init userData; the probe logs in on its serial console and needs one` };
  let session: SerialConsoleSession;
  try {
    session = await SerialConsoleSession.open(access.client, namespace, name);
  } catch (error) {
    return { ran: false, status: 'error', actual: 'no console', message: `cannot open the serial console of VM ${namespace}/${name}: ${(error as Error).message}` };
  }
  try {
    const password = account.password;
    if (!(await session.logIn(account.user, async () => password)))
      return { ran: false, status: 'error', actual: 'login incorrect', message: `the guest of VM ${namespace}/${name} refused ${account.user} with the cloud-init password` };
    const { code, output } = await session.run(command.join(' '), CONSOLE_COMMAND_TIMEOUT_MS);
    return classify(code, output, `VM ${namespace}/${name}`);
  } catch (error) {
    return { ran: false, status: 'error', actual: 'console stalled', message: `the serial console of VM ${namespace}/${name}: ${(error as Error).message}` };
  } finally {
    session.close();
  }
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
