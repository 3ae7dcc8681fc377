/**
 * Waits for a step's checks to pass, re-evaluating when the cluster changes:
 * watches on every kind the checks read (connect checks read the whole network
 * path), one evaluation per burst of events, and a slow tick for what changes
 * without an API event (a guest finishing its boot).
 */
import * as k8s from '@kubernetes/client-node';
import type { Check } from '../lesson/schema.ts';
import { collectionPath } from '../kube/resource-paths.ts';
import type { CheckResult } from './check-result.ts';
import { allPassed, evaluateChecks, type ClusterAccess } from './evaluate-check.ts';

const BURST_MS = 150;
const TICK_MS = 5_000;

/** The kinds a reachability answer depends on: workloads, attachments, node mappings, policies, enforcement. */
const NETWORK_PATH_KINDS: readonly { apiVersion: string; kind: string }[] = [
  { apiVersion: 'v1', kind: 'Pod' },
  { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance' },
  { apiVersion: 'k8s.cni.cncf.io/v1', kind: 'NetworkAttachmentDefinition' },
  { apiVersion: 'k8s.cni.cncf.io/v1beta1', kind: 'MultiNetworkPolicy' },
  { apiVersion: 'nmstate.io/v1beta1', kind: 'NodeNetworkState' },
  { apiVersion: 'operator.openshift.io/v1', kind: 'Network' },
];

export function watchedKinds(checks: readonly Check[]): { apiVersion: string; kind: string }[] {
  const kinds = checks.flatMap((check) => {
    // A command in a workload (psql, curl) depends on the same path as a probe.
    if (check.type === 'connect' || check.type === 'command') return NETWORK_PATH_KINDS;
    return [check.resource, ...(check.forEach ? [check.forEach] : [])].map(({ apiVersion, kind }) => ({ apiVersion, kind }));
  });
  return [...new Map(kinds.map((k) => [`${k.apiVersion} ${k.kind}`, k])).values()];
}

export interface CheckWatcher {
  /** Evaluates now (after the current evaluation, if one runs), e.g. when a learner presses Check. */
  evaluateNow(): void;
  stop(): void;
}

/**
 * Evaluates `checks` now and again whenever the cluster changes (one
 * evaluation per burst of events, never two at once), reporting every result
 * set to `onResults` until stopped. Watch failures fall back to the tick.
 */
export function watchChecks(checks: readonly Check[], access: ClusterAccess, onResults: (results: CheckResult[]) => void): CheckWatcher {
  let stopped = false;
  let running = false;
  let again = false;
  let burst: NodeJS.Timeout | undefined;
  const watchers: AbortController[] = [];
  const tick = setInterval(() => schedule(), TICK_MS);
  async function evaluate() {
    if (running) return void (again = true);
    running = true;
    try {
      const results = await evaluateChecks(checks, access);
      if (!stopped) onResults(results);
    } finally {
      running = false;
    }
    if (again) {
      again = false;
      schedule();
    }
  }
  function schedule(delay = BURST_MS) {
    if (stopped) return;
    clearTimeout(burst);
    burst = setTimeout(() => evaluate().catch(() => schedule()), delay);
  }
  const watch = new k8s.Watch(access.client.config);
  for (const { apiVersion, kind } of watchedKinds(checks)) {
    void collectionPath(access.client, apiVersion, kind).then(async (lookup) => {
      // A kind the cluster does not serve yet is covered by the tick.
      if (!lookup.ok || stopped) return;
      const controller = await watch.watch(lookup.path, { allowWatchBookmarks: true }, (phase) => phase !== 'BOOKMARK' && schedule(), () => undefined);
      if (stopped) controller.abort();
      else watchers.push(controller);
    }).catch(() => undefined);
  }
  schedule(0);
  return {
    evaluateNow: () => schedule(0),
    stop() {
      stopped = true;
      clearInterval(tick);
      clearTimeout(burst);
      for (const w of watchers) w.abort();
    },
  };
}

/** Resolves with the first all-passing results, or the last results when time runs out. */
export async function waitForChecks(checks: readonly Check[], access: ClusterAccess, timeoutMs: number): Promise<{ passed: boolean; results: CheckResult[] }> {
  return new Promise((resolve) => {
    let results: CheckResult[] = [];
    const finish = (passed: boolean) => {
      clearTimeout(deadline);
      watcher.stop();
      resolve({ passed, results });
    };
    const deadline = setTimeout(() => finish(false), timeoutMs);
    const watcher = watchChecks(checks, access, (latest) => {
      results = latest;
      if (allPassed(latest)) finish(true);
    });
  });
}
