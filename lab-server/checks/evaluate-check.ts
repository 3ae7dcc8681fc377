/** One entry point for every check type, against any cluster a kubeconfig names. */
import * as k8s from '@kubernetes/client-node';
import type { Check } from '../lesson/schema.ts';
import { kubeClientFor } from '../kube/kube-client.ts';
import { sharingConnections } from '../kube/shared-connections.ts';
import type { CheckResult } from './check-result.ts';
import { clusterReader } from './cluster-reader.ts';
import { commandLine, commandResult } from './command-check.ts';
import { connectResult, probeCommand } from './connect-check.ts';
import { evaluateResourceCheck } from './resource-checks.ts';
import { openWorkloadShell, workloadLabel, type WorkloadAccess } from './workload-shell.ts';

export type ClusterAccess = WorkloadAccess;

/** Everything the checks ask of one cluster, over shared connections: a watcher evaluates again and again. */
export function clusterAccess(config: k8s.KubeConfig): ClusterAccess {
  const shared = sharingConnections(config);
  return { reader: clusterReader(shared), client: kubeClientFor(shared) };
}

/** Checks that run something inside a workload rather than read the API. */
type WorkloadCheck = Extract<Check, { type: 'connect' | 'command' }>;

const isWorkloadCheck = (check: Check): check is WorkloadCheck => check.type === 'connect' || check.type === 'command';
const workloadOf = (check: WorkloadCheck) => (check.type === 'connect' ? check.from : check.in);

/** A check can yield several results (one per `forEach` item). */
export async function evaluateCheck(check: Check, access: ClusterAccess): Promise<CheckResult[]> {
  return evaluateChecks([check], access);
}

/**
 * Every result of every check, in the step's order. Reads run in parallel,
 * and alongside the commands; commands run in parallel across workloads and
 * one after another within one, in one shell (a VM's serial console takes one
 * session at a time). With `stopAtFirstFailure` (a pre-check needs only one
 * failure), the reads go first, commands run only if every read passed, and
 * they stop at the first failure.
 */
export interface EvaluateOptions {
  /** A pre-check needs only one failure. */
  stopAtFirstFailure?: boolean;
  /** Ends the evaluation early: commands in flight are dropped, and their checks have no result. */
  signal?: AbortSignal;
}

export async function evaluateChecks(checks: readonly Check[], access: ClusterAccess, options: EvaluateOptions = {}): Promise<CheckResult[]> {
  return (await evaluateEachCheck(checks, access, options)).flat();
}

/** Like evaluateChecks, the results of each check apart (none for a check a failure cut short). */
export async function evaluateEachCheck(checks: readonly Check[], access: ClusterAccess, options: EvaluateOptions = {}): Promise<CheckResult[][]> {
  const results = new Map<Check, CheckResult[]>();
  const reads = Promise.all(checks.map(async (check) => {
    if (check.type !== 'connect' && check.type !== 'command') results.set(check, await evaluateResourceCheck(check, access.reader));
  }));
  const runCommands = async () => {
    const byWorkload = Map.groupBy(checks.filter(isWorkloadCheck), (check) => workloadLabel(workloadOf(check)));
    // Once one workload has failed, the others' answers change nothing: stop them.
    const failed = new AbortController();
    const stops = [...(options.stopAtFirstFailure ? [failed.signal] : []), ...(options.signal ? [options.signal] : [])];
    const stop = stops.length > 0 ? AbortSignal.any(stops) : undefined;
    await Promise.all([...byWorkload.values()].map(async (group) => {
      const groupResults = await runInWorkload(group, access, { stop, firstFailureEnds: options.stopAtFirstFailure === true });
      groupResults.forEach((result, i) => results.set(group[i]!, [result]));
      if (!allPassed(groupResults)) failed.abort();
    }));
  };
  if (options.stopAtFirstFailure) {
    await reads;
    if ([...results.values()].every(allPassed)) await runCommands();
  } else {
    // Every answer is wanted: the commands (a denied probe waits out its timeout) need not wait for the reads.
    await Promise.all([reads, runCommands()]);
  }
  return checks.map((check) => results.get(check) ?? []);
}

export const allPassed = (results: readonly CheckResult[]) => results.every((r) => r.status === 'passed');

/**
 * The checks of one workload, in order, in one shell. The run ends when `stop`
 * fires (a command in flight is dropped, with no result) and, given
 * `firstFailureEnds`, at the first failure here.
 */
async function runInWorkload(checks: readonly WorkloadCheck[], access: ClusterAccess, { stop, firstFailureEnds }: { stop: AbortSignal | undefined; firstFailureEnds: boolean }): Promise<CheckResult[]> {
  const shell = await openWorkloadShell(workloadOf(checks[0]!), access, stop);
  const results: Promise<CheckResult>[] = [];
  try {
    for (const check of checks) {
      if (stop?.aborted) break;
      const command = check.type === 'connect' ? probeCommand(check) : commandLine(check);
      // A probe only needs the pod's network namespace, so a debug container may run it; a command check runs where it says.
      const ran = shell.ready ? await shell.run(command, { stop, debugFallback: check.type === 'connect' }) : shell.unavailable;
      if (!ran) break;
      const where = shell.ready ? shell.where : workloadLabel(workloadOf(check));
      const { verdict, explained } = check.type === 'connect' ? connectResult(check, ran, where, access) : { verdict: commandResult(check, ran), explained: undefined };
      results.push(explained ?? Promise.resolve(verdict));
      if (firstFailureEnds && verdict.status !== 'passed') break;
    }
  } finally {
    if (shell.ready) shell.close();
  }
  return Promise.all(results);
}
