/**
 * Waits for a step's checks to pass, re-evaluating when the cluster changes:
 * watches on every kind the checks read (connect checks read the whole network
 * path), one evaluation per burst of events, and a slow tick for what changes
 * without an API event (a guest finishing its boot).
 */
import type { Check } from '../lesson/schema.ts';
import { ClusterCache, type ChangeFeed, type Kind } from './cluster-cache.ts';
import type { CheckResult } from './check-result.ts';
import { allPassed, evaluateEachCheck, type ClusterAccess } from './evaluate-check.ts';

const BURST_MS = 150;
/**
 * The slow tick starts at TICK_MS and doubles, up to MAX_TICK_MS, while it
 * finds nothing new: a learner who sits on a page does not have their checks
 * run every few seconds for nothing (a room of them would keep the lab busy).
 * Any change, or any cluster event, brings it back to TICK_MS.
 */
const TICK_MS = 5_000;
const MAX_TICK_MS = 60_000;

/** The kinds a reachability answer depends on: workloads, attachments, node mappings, policies, enforcement. */
const NETWORK_PATH_KINDS: readonly Kind[] = [
  { apiVersion: 'v1', kind: 'Pod' },
  { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance' },
  { apiVersion: 'k8s.cni.cncf.io/v1', kind: 'NetworkAttachmentDefinition' },
  { apiVersion: 'k8s.cni.cncf.io/v1beta1', kind: 'MultiNetworkPolicy' },
  { apiVersion: 'nmstate.io/v1beta1', kind: 'NodeNetworkState' },
  { apiVersion: 'operator.openshift.io/v1', kind: 'Network' },
];

export function watchedKinds(checks: readonly Check[]): Kind[] {
  const kinds = checks.flatMap((check) => {
    // A command in a workload (psql, curl) depends on the same path as a probe.
    if (check.type === 'connect' || check.type === 'command') return NETWORK_PATH_KINDS;
    return [check.resource, ...(check.forEach ? [check.forEach] : [])].map(({ apiVersion, kind }) => ({ apiVersion, kind }));
  });
  return [...new Map(kinds.map((k) => [`${k.apiVersion} ${k.kind}`, k])).values()];
}

export interface CheckWatcher {
  /** Evaluates now, cutting short the evaluation that runs, if one does: e.g. when a learner presses Check. */
  evaluateNow(): void;
  stop(): void;
}

/** Checks evaluated together, and where their results go (all of them, and each check's apart). */
export interface WatchPhase {
  checks: readonly Check[];
  onResults(results: CheckResult[], each: CheckResult[][]): void;
}

/**
 * Evaluates `checks` now and again whenever the cluster changes (one
 * evaluation per burst of events, never two at once), reporting every result
 * set to `onResults` until stopped. Watch failures fall back to the tick.
 */
export function watchChecks(checks: readonly Check[], access: ClusterAccess, onResults: WatchPhase['onResults']): CheckWatcher {
  return watchPhases([{ checks, onResults }], access);
}

/**
 * Like watchChecks, for checks that matter in order: each evaluation reports
 * one phase before it starts the next, so the first phase's answer (what a
 * learner waits for) never waits on the later ones. Given `events`, it
 * listens there instead of opening watches of its own.
 */
export function watchPhases(phases: readonly WatchPhase[], access: ClusterAccess, events?: ChangeFeed, ticks: { startMs: number; maxMs: number } = { startMs: TICK_MS, maxMs: MAX_TICK_MS }): CheckWatcher {
  let stopped = false;
  let running = false;
  let again = false;
  /** A learner asked: the next evaluation starts at once, not after a burst's wait. */
  let asked = false;
  /** Cuts the running evaluation short; `phase` is where it is. */
  let current: { cut: AbortController; phase: number } | undefined;
  let burst: NodeJS.Timeout | undefined;
  let tickMs = ticks.startMs;
  let tick: NodeJS.Timeout | undefined;
  /** What the last evaluation found, to tell a tick that found nothing new. */
  let found = '';
  const startTick = () => {
    clearTimeout(tick);
    tick = setTimeout(() => schedule(0, true), tickMs);
  };
  /**
   * A change the feed told of is evaluated from what the feed keeps (it has
   * that change); what a learner asks for, and the tick that looks for what
   * no event says, ask the cluster itself, so that neither trusts a watch
   * that may have stalled.
   */
  const cached = events?.reader ? { ...access, reader: events.reader } : access;
  async function evaluate(byTick: boolean) {
    if (running) return void (again = true);
    running = true;
    const reading = asked || byTick ? access : cached;
    asked = false;
    const cut = new AbortController();
    const results: CheckResult[][][] = [];
    try {
      for (const [index, phase] of phases.entries()) {
        current = { cut, phase: index };
        if (stopped || cut.signal.aborted) break;
        const each = await evaluateEachCheck(phase.checks, reading, { signal: cut.signal });
        results.push(each);
        if (!stopped && !cut.signal.aborted) phase.onResults(each.flat(), each);
      }
    } finally {
      running = false;
      current = undefined;
    }
    const now = JSON.stringify(results);
    tickMs = byTick && now === found ? Math.min(tickMs * 2, ticks.maxMs) : ticks.startMs;
    found = now;
    if (!stopped) startTick();
    if (again) {
      again = false;
      schedule(asked ? 0 : BURST_MS);
    }
  }
  function schedule(delay = BURST_MS, byTick = false) {
    if (stopped) return;
    clearTimeout(burst);
    burst = setTimeout(() => evaluate(byTick).catch(() => schedule()), delay);
  }
  // A watcher of its own closes its feed when it stops; a shared feed outlives it.
  const feed = events ?? new ClusterCache(access.client, access.reader);
  const unsubscribe = feed.on(watchedKinds(phases.flatMap((phase) => phase.checks)), () => schedule());
  schedule(0);
  return {
    evaluateNow() {
      asked = true;
      // What runs now gives way, whichever phase it is in: it began before the
      // learner asked, so its answer may miss what they just did, and waiting
      // for it would make them wait for two evaluations instead of one.
      current?.cut.abort();
      schedule(0);
    },
    stop() {
      stopped = true;
      current?.cut.abort();
      clearTimeout(tick);
      clearTimeout(burst);
      unsubscribe();
      if (!events) feed.close();
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
