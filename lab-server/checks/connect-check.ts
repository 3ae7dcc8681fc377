/**
 * Evaluates a `connect` check by probing from inside the source workload, the
 * way a learner would: `nc` run in a shell in the pod or the VM's guest.
 * Refused and dropped are told apart; on a cluster that can say why (the
 * sandbox), a probe that did not connect carries the explanation, whether or
 * not that was expected (the reachability panel shows which policy dropped it).
 */
import type { Check } from '../lesson/schema.ts';
import type { CheckResult } from './check-result.ts';
import { explainConnection } from './explain-connection.ts';
import { isUnavailable, workloadLabel, type RunOutcome, type WorkloadAccess } from './workload-shell.ts';

export type ConnectCheck = Extract<Check, { type: 'connect' }>;

/**
 * How long nc waits before calling a connection dropped (Ncat's time syntax).
 * Every probe here crosses one L2 segment, where an answer (SYN-ACK or RST)
 * takes well under a millisecond even with ARP and OVS's first-packet upcall,
 * so 300 ms leaves a wide margin; a denied probe costs the check this long.
 */
const PROBE_WAIT = '0.3';

export type Outcome = 'connected' | 'refused' | 'timeout';

export function probeCommand(check: ConnectCheck): string[] {
  return ['nc', '-z', '-v', '-w', PROBE_WAIT, check.to.host, String(check.to.port)];
}

/**
 * The probe's verdict now, and its explanation (a request to the cluster) as
 * a promise, so the workload's next command need not wait for it.
 */
export function connectResult(check: ConnectCheck, ran: RunOutcome, where: string, access: WorkloadAccess): { verdict: CheckResult; explained: Promise<CheckResult> } {
  const { host, port, protocol } = check.to;
  const subject = `${workloadLabel(check.from)} → ${host}:${port}/${protocol}`;
  const expected = check.expect === 'allowed' ? 'connects' : 'times out (dropped)';
  const settled = (verdict: CheckResult) => ({ verdict, explained: Promise.resolve(verdict) });
  if (isUnavailable(ran)) return settled({ status: ran.status, subject, expected, actual: ran.actual, message: ran.message ?? check.message });
  const outcome = classify(ran.code, ran.output);
  if (typeof outcome !== 'string') return settled({ status: 'error', subject, expected, actual: outcome.actual, message: outcome.message(where) });
  const passes = check.expect === 'allowed' ? outcome === 'connected' : outcome === 'timeout';
  const verdict: CheckResult = { status: passes ? 'passed' : 'failed', subject, expected, actual: OUTCOME_TEXT[outcome], message: check.message };
  // A connection that should have been dropped needs its why (which policies failed to isolate); one that was made as expected needs none.
  if (outcome === 'connected' && passes) return settled(verdict);
  return { verdict, explained: explainConnection(access.client, check).then((explanation) => (explanation ? { ...verdict, explanation } : verdict)) };
}

/** What a connect check's result says the probe found; undefined when it could not probe. */
export function probeOutcome(result: CheckResult): Outcome | undefined {
  return (Object.keys(OUTCOME_TEXT) as Outcome[]).find((outcome) => OUTCOME_TEXT[outcome] === result.actual);
}

const OUTCOME_TEXT: Record<Outcome, string> = {
  connected: 'connects',
  refused: 'connection refused: the network lets it through, but nothing listens on that port',
  timeout: 'times out (dropped)',
};

// Ncat (RHEL/Fedora) and OpenBSD nc word their outcomes differently.
function classify(code: number, output: string): Outcome | { actual: string; message: (where: string) => string } {
  if (code === 0) return 'connected';
  if (/refused/i.test(output)) return 'refused';
  if (/TIMEOUT|timed out/i.test(output)) return 'timeout';
  if (code === 127 || /not found/i.test(output)) return { actual: 'no nc', message: (where) => `${where} has no nc to probe with; add nmap-ncat to its image` };
  if (/invalid|illegal|usage/i.test(output))
    return { actual: 'not Ncat', message: (where) => `the nc in ${where} is not Ncat (it rejects "-w ${PROBE_WAIT}"): ${output.trim()}; install nmap-ncat` };
  return { actual: `nc exited ${code}`, message: (where) => `the probe in ${where} gave an unexpected answer: ${output.trim() || `exit ${code}`}` };
}
