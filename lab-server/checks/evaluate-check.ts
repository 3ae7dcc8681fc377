/** One entry point for every check type, against any cluster a kubeconfig names. */
import * as k8s from '@kubernetes/client-node';
import type { Check } from '../lesson/schema.ts';
import { kubeClientFor } from '../kube/kube-client.ts';
import type { CheckResult } from './check-result.ts';
import { clusterReader } from './cluster-reader.ts';
import { evaluateConnectChecks, sourceKey, type ProbeAccess } from './connect-check.ts';
import { evaluateResourceCheck } from './resource-checks.ts';

export type ClusterAccess = ProbeAccess;

export function clusterAccess(config: k8s.KubeConfig): ClusterAccess {
  return { reader: clusterReader(config), client: kubeClientFor(config) };
}

/** A check can yield several results (one per `forEach` item). */
export async function evaluateCheck(check: Check, access: ClusterAccess): Promise<CheckResult[]> {
  if (check.type === 'connect') return evaluateConnectChecks([check], access);
  return evaluateResourceCheck(check, access.reader);
}

/**
 * Every result of every check, in the step's order. Reads run in parallel;
 * probes run in parallel across sources and one after another within a
 * source, since a VM's serial console takes one session at a time. With
 * `stopAtFirstFailure` (a pre-check needs only one failure), the reads go
 * first and probes run only if every read passed.
 */
export async function evaluateChecks(checks: readonly Check[], access: ClusterAccess, options: { stopAtFirstFailure?: boolean } = {}): Promise<CheckResult[]> {
  const results = new Map<Check, CheckResult[]>();
  const reads = checks.filter((check) => check.type !== 'connect');
  await Promise.all(reads.map(async (check) => results.set(check, await evaluateResourceCheck(check, access.reader))));
  const readFailed = [...results.values()].some((r) => !allPassed(r));
  if (!(options.stopAtFirstFailure && readFailed)) {
    const bySource = Map.groupBy(checks.filter((check) => check.type === 'connect'), sourceKey);
    // Once one source has failed, the others' answers change nothing: stop them.
    const failed = new AbortController();
    await Promise.all([...bySource.values()].map(async (group) => {
      const groupResults = await evaluateConnectChecks(group, access, options.stopAtFirstFailure ? { stopAtFirstFailure: true, stop: failed.signal } : {});
      groupResults.forEach((result, i) => results.set(group[i]!, [result]));
      if (!allPassed(groupResults)) failed.abort();
    }));
  }
  return checks.flatMap((check) => results.get(check) ?? []);
}

export const allPassed = (results: readonly CheckResult[]) => results.every((r) => r.status === 'passed');
