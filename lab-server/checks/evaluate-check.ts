/** One entry point for every check type, against any cluster a kubeconfig names. */
import * as k8s from '@kubernetes/client-node';
import type { Check } from '../lesson/schema.ts';
import { kubeClientFor } from '../kube/kube-client.ts';
import type { CheckResult } from './check-result.ts';
import { clusterReader } from './cluster-reader.ts';
import { evaluateConnectCheck, type ProbeAccess } from './connect-check.ts';
import { evaluateResourceCheck } from './resource-checks.ts';

export type ClusterAccess = ProbeAccess;

export function clusterAccess(config: k8s.KubeConfig): ClusterAccess {
  return { reader: clusterReader(config), client: kubeClientFor(config) };
}

/** A check can yield several results (one per `forEach` item). */
export async function evaluateCheck(check: Check, access: ClusterAccess): Promise<CheckResult[]> {
  if (check.type === 'connect') return [await evaluateConnectCheck(check, access)];
  return evaluateResourceCheck(check, access.reader);
}

/**
 * Every result of every check, in the step's order. Reads run in parallel;
 * probes run one after another, since a VM's serial console takes one
 * session at a time (KubeVirt refuses a second).
 */
export async function evaluateChecks(checks: readonly Check[], access: ClusterAccess): Promise<CheckResult[]> {
  const results: Promise<CheckResult[]>[] = checks.map((check) => (check.type === 'connect' ? Promise.resolve([]) : evaluateCheck(check, access)));
  for (const [i, check] of checks.entries()) if (check.type === 'connect') results[i] = Promise.resolve(await evaluateCheck(check, access));
  return (await Promise.all(results)).flat();
}
