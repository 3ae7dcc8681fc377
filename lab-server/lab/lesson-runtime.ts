/**
 * One learner's lesson, live: their cluster, their shell in the lesson's
 * working directory, and the checks of the step their page shows, watched and
 * reported to every page they have open. Progress goes to the session store.
 */
import * as k8s from '@kubernetes/client-node';
import type { CheckResult } from '../checks/check-result.ts';
import { watchPhases, type CheckWatcher, type WatchPhase } from '../checks/check-watch.ts';
import { ClusterCache } from '../checks/cluster-cache.ts';
import { allPassed, clusterAccess, type ClusterAccess } from '../checks/evaluate-check.ts';
import type { LoadedLesson } from '../lesson/load.ts';
import { ShellSupervisor } from '../terminal/shell-supervisor.ts';
import { LessonWorkspace, type WorkspaceOptions } from './lesson-workspace.ts';
import { lessonProbes, probeCheck, probeId, type LessonProbe } from '../lesson/probes.ts';
import { probeOutcome } from '../checks/connect-check.ts';
import type { ProbeState, ServerMessage } from './protocol.ts';
import { catchUp } from './catch-up.ts';
import type { SessionStore, StepStatus } from './session-store.ts';

/** Where a learner's cluster comes from: a sandbox of their own, or a real cluster. */
export interface ClusterSource {
  /** The kubeconfig for this learner's lesson, made on first use and kept across restarts. */
  kubeconfig(learner: number, lesson: LoadedLesson): Promise<string>;
  /**
   * How a learner's cluster for `lesson` is brought back to the state the lesson
   * found it in, resolving with its kubeconfig (a fresh cluster, or the same one
   * cleaned up; `scratch` is a folder of the lab's for running commands); or why
   * it cannot be, in words for the learner (a shared real cluster).
   */
  resetFor(lesson: LoadedLesson): ((learner: number, scratch: string) => Promise<string>) | string;
}

/**
 * Who follows what a learner does in a lesson (a workshop's log): the step
 * their page shows, each check answer, first passes, hints, solves, resets.
 */
export interface RuntimeObserver {
  viewed(stepId: string): void;
  /** Every new status of the watched step; `answered`: it answers a Check the learner pressed. */
  status(stepId: string, status: StepStatus, results: CheckResult[], answered: boolean): void;
  attempted(stepId: string): void;
  passed(stepId: string): void;
  hinted(stepId: string, hint: number): void;
  solved(stepId: string): void;
  reset(toStep: string | undefined, byInstructor: boolean): void;
}

export interface RuntimeOptions {
  lesson: LoadedLesson;
  learner: number;
  store: SessionStore;
  clusters: ClusterSource;
  workspace: Omit<WorkspaceOptions, 'kubeconfig' | 'lesson'>;
  observer?: RuntimeObserver | undefined;
  /** Steps whose gate is lifted for this learner, though they have not passed. */
  unlocked?: (() => ReadonlySet<string>) | undefined;
}

export class LessonRuntime {
  readonly lesson: LoadedLesson;
  private readonly learner: number;
  private readonly store: SessionStore;
  private readonly clusters: ClusterSource;
  private readonly workspace: LessonWorkspace;
  /** The learner's shell for this lesson, kept running (and restarted with backoff) while pages use it. */
  readonly shell: ShellSupervisor;
  /** Watches the watched step's checks and, while a page looks, the lesson's probes. */
  private watcher: CheckWatcher | undefined;
  private watchedStep: string | undefined;
  private readonly listeners = new Set<(message: ServerMessage) => void>();
  private lastStatus = new Map<string, { status: StepStatus; results: CheckResult[] }>();
  private answerCheck = false;
  private readonly probes: LessonProbe[];
  private lastProbes: ProbeState[] | undefined;
  /** One set of connections to the cluster, and one cache of it (its changes, and what checks read), for every watcher of this lesson; made on first use. */
  private cluster: { access: ClusterAccess; events: ClusterCache } | undefined;
  private readonly observer: RuntimeObserver | undefined;
  private readonly unlockedSteps: () => ReadonlySet<string>;
  /** While a reset runs: the step it brings the fresh cluster to. */
  private resetTo: string | undefined;

  private constructor(options: RuntimeOptions, workspace: LessonWorkspace) {
    this.probes = lessonProbes(options.lesson);
    this.lesson = options.lesson;
    this.learner = options.learner;
    this.store = options.store;
    this.clusters = options.clusters;
    this.observer = options.observer;
    this.unlockedSteps = options.unlocked ?? (() => new Set());
    this.workspace = workspace;
    this.shell = new ShellSupervisor((start) => workspace.startShell(start), { lesson: options.lesson.lesson.id });
  }

  static async open(options: RuntimeOptions): Promise<LessonRuntime> {
    const workspace = await LessonWorkspace.open({ ...options.workspace, lesson: options.lesson, kubeconfig: await options.clusters.kubeconfig(options.learner, options.lesson) });
    return new LessonRuntime(options, workspace);
  }

  progress(): Record<string, StepStatus> {
    return this.store.progress(this.learner, this.lesson.lesson.id);
  }

  /** Steps the learner may open though gating would hold them. */
  unlocked(): string[] {
    return [...this.unlockedSteps()];
  }

  /** A message for every page the learner has open on this lesson. */
  notify(message: ServerMessage): void {
    this.broadcast(message);
  }

  /** Progress (and lifted gates) changed from outside: every page hears of it. */
  progressChanged(): void {
    this.broadcast({ type: 'progress', progress: this.progress(), unlocked: this.unlocked() });
  }

  /** The learner opened a hint (the nth, from 1). */
  hint(stepId: string, hint: number): string | undefined {
    if (!this.step(stepId)) return `lesson ${this.lesson.lesson.id} has no step "${stepId}"`;
    this.observer?.hinted(stepId, hint);
    return undefined;
  }

  /** A page's view of this lesson: step results and probes as they change. Probes run only while a page looks. */
  subscribe(listener: (message: ServerMessage) => void): () => void {
    this.listeners.add(listener);
    for (const [step, { status, results }] of this.lastStatus) listener({ type: 'step', step, status, results });
    if (this.lastProbes) listener({ type: 'probes', probes: this.lastProbes });
    if (this.workspace.kubeconfigProblem) listener({ type: 'error', message: this.workspace.kubeconfigProblem });
    if (this.listeners.size === 1) this.rewatch();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.rewatch();
    };
  }

  /** Watches the checks of the step a page shows (one step at a time per learner and lesson). */
  watch(stepId: string): string | undefined {
    const step = this.step(stepId);
    if (!step) return `lesson ${this.lesson.lesson.id} has no step "${stepId}"`;
    if (this.resetTo) return `your cluster is being made anew${this.resetTo === this.lesson.steps[0]!.step.id ? '' : ` and brought to the start of step "${this.resetTo}"`}; this page follows when it is ready`;
    // Every page that opens on a step counts: a learner back after a break is on it again.
    this.observer?.viewed(stepId);
    if (this.watchedStep === stepId && this.watcher) return undefined;
    this.watchedStep = stepId;
    // A step that only explains is done once read.
    this.report(stepId, step.step.checks.length === 0 ? 'passed' : 'pending', []);
    this.rewatch();
    return undefined;
  }

  /** Evaluates now; the answer is sent even if nothing changed, so that pressing Check always answers. */
  check(stepId: string): string | undefined {
    const step = this.step(stepId);
    if (!step || this.watchedStep !== stepId || !this.watcher) return this.watch(stepId);
    this.answerCheck = true;
    if (step.step.checks.length > 0) this.observer?.attempted(stepId);
    if (step.step.checks.length === 0) this.report(stepId, 'passed', []);
    else this.watcher.evaluateNow();
    return undefined;
  }

  /**
   * One watcher for the watched step's checks and, while a page looks, the
   * lesson's probes: the step's checks first (what Check waits for), then the
   * probes the step does not make itself; a probe the step makes is read from
   * the step's result, so a VM's console is not logged into twice for one
   * answer.
   */
  private rewatch(): void {
    this.watcher?.stop();
    this.watcher = undefined;
    const step = this.watchedStep === undefined ? undefined : this.step(this.watchedStep)?.step;
    const stepChecks = step?.checks ?? [];
    const panelWatched = this.listeners.size > 0 && this.probes.length > 0;
    if (stepChecks.length === 0 && !panelWatched) return;
    const stepProbes = stepChecks.map((check) => (check.type === 'connect' ? probeId(check) : undefined));
    let stepEach: CheckResult[][] = [];
    const phases: WatchPhase[] = [];
    if (step && stepChecks.length > 0)
      phases.push({
        checks: stepChecks,
        onResults: (results, each) => {
          stepEach = each;
          this.report(step.id, allPassed(results) ? 'passed' : 'failing', results);
        },
      });
    if (panelWatched) {
      const extra = this.probes.filter((probe) => !stepProbes.includes(probe.id));
      phases.push({
        checks: extra.map(probeCheck),
        onResults: (_results, each) => {
          const resultOf = (probe: LessonProbe) => {
            const inStep = stepProbes.indexOf(probe.id);
            return (inStep >= 0 ? stepEach[inStep] : each[extra.indexOf(probe)])?.[0];
          };
          const states = this.probes.map((probe) => probeState(probe, resultOf(probe)));
          if (JSON.stringify(states) === JSON.stringify(this.lastProbes)) return;
          this.lastProbes = states;
          this.broadcast({ type: 'probes', probes: states });
        },
      });
    }
    const { access, events } = this.connection();
    this.watcher = watchPhases(phases, access, events);
  }

  private step(id: string) {
    return this.lesson.steps.find((s) => s.step.id === id);
  }

  /** Types the step's solution into the terminal, one command after another, so the learner sees it run. */
  solve(stepId: string): string | undefined {
    const step = this.step(stepId);
    if (!step) return `lesson ${this.lesson.lesson.id} has no step "${stepId}"`;
    const locked = this.lockedBy(stepId);
    if (locked) return `step "${stepId}" unlocks when step "${locked}" passes`;
    if (step.step.solve.length === 0) return `step "${stepId}" has nothing to solve`;
    this.observer?.solved(stepId);
    for (const command of step.step.solve) this.run(command);
    return undefined;
  }

  run(command: string): void {
    this.shell.write(`${command}\r`);
  }

  /**
   * A fresh cluster and a fresh start; files in the working directory stay.
   * `toStep`: the cluster is brought to the start of that step (the
   * solutions of the steps before it run), and those steps count as passed.
   */
  reset(options: { toStep?: string | undefined; byInstructor?: boolean } = {}): string | undefined {
    const { toStep } = options;
    if (toStep !== undefined && !this.step(toStep)) return `lesson ${this.lesson.lesson.id} has no step "${toStep}"`;
    if (this.resetTo) return `a reset (to step "${this.resetTo}") is still running`;
    const remake = this.clusters.resetFor(this.lesson);
    if (typeof remake === 'string') return remake;
    this.observer?.reset(toStep, options.byInstructor ?? false);
    this.watcher?.stop();
    this.watcher = undefined;
    this.disconnect();
    this.lastProbes = undefined;
    const watched = this.watchedStep;
    this.watchedStep = undefined;
    this.lastStatus.clear();
    this.store.clearProgress(this.learner, this.lesson.lesson.id);
    const first = this.lesson.steps[0]!.step.id;
    // Held from now on, so that a second reset waits for this one; a page's watch waits for the step too.
    this.resetTo = toStep ?? first;
    void remake(this.learner, this.workspace.scratch)
      .then((kubeconfig) => this.workspace.setKubeconfig(kubeconfig))
      .then(() => (toStep === undefined || toStep === first ? undefined : this.catchUpTo(toStep)))
      .finally(() => (this.resetTo = undefined))
      .then((problem) => {
        this.broadcast({ type: 'reset', progress: this.progress(), unlocked: this.unlocked() });
        if (this.workspace.kubeconfigProblem) this.broadcast({ type: 'error', message: this.workspace.kubeconfigProblem });
        if (problem) this.broadcast({ type: 'error', message: problem });
        if (toStep !== undefined) this.broadcast({ type: 'goto', step: toStep });
        const next = toStep ?? watched;
        if (next) this.watch(next);
        else this.rewatch();
      }, (error: Error) => this.broadcast({ type: 'error', message: `the reset did not finish: ${error.message}; the lab's log says more` }));
    return undefined;
  }

  /** Runs the solutions of the steps before `toStep` on the fresh cluster; what went wrong, in words, or undefined. */
  private async catchUpTo(toStep: string): Promise<string | undefined> {
    const outcome = await catchUp(this.lesson, toStep, this.workspace.checksKubeconfig, this.workspace.scratch);
    if ('failed' in outcome) return `the cluster could not be brought to step "${toStep}": step "${outcome.failed}" did not set up. ${outcome.why}`;
    for (const step of outcome.solved) this.store.setStepStatus(this.learner, this.lesson.lesson.id, step, 'passed');
    return undefined;
  }

  /**
   * True when no page has shown this lesson for `idleMs` and its shell has been
   * quiet as long: nobody is using it, so it may be put to sleep.
   */
  idle(idleMs: number, now = Date.now()): boolean {
    if (this.listeners.size > 0) return false;
    return this.shell.down || (this.shell.attached === 0 && now - this.shell.lastActivity > idleMs);
  }

  /** Ends the shell (its scrollback and history are kept on disk) and stops watching; the next page starts both again. */
  close(): void {
    this.watcher?.stop();
    this.watcher = undefined;
    this.disconnect();
    this.watchedStep = undefined;
    this.shell.kill();
    void this.workspace.close();
  }

  /** With gating on, the first earlier step with checks that has not passed. */
  private lockedBy(stepId: string): string | undefined {
    if (!this.lesson.lesson.gating) return undefined;
    const progress = this.progress();
    for (const { step } of this.lesson.steps) {
      if (step.id === stepId) return undefined;
      if (step.checks.length > 0 && progress[step.id] !== 'passed' && !this.unlockedSteps().has(step.id)) return step.id;
    }
    return undefined;
  }

  private report(stepId: string, status: StepStatus, results: CheckResult[]): void {
    // A re-evaluation that finds the same is not news, unless a learner asked for it.
    const previous = this.lastStatus.get(stepId);
    const asked = this.answerCheck;
    this.answerCheck = false;
    if (!asked && previous && previous.status === status && JSON.stringify(previous.results) === JSON.stringify(results)) return;
    this.lastStatus.set(stepId, { status, results });
    this.observer?.status(stepId, status, results, asked);
    // Progress keeps what was reached: breaking a passed step later shows live, but does not relock the lesson.
    if (status === 'passed' && this.progress()[stepId] !== 'passed') {
      this.store.setStepStatus(this.learner, this.lesson.lesson.id, stepId, 'passed');
      this.observer?.passed(stepId);
      this.broadcast({ type: 'progress', progress: this.progress(), unlocked: this.unlocked() });
    }
    this.broadcast({ type: 'step', step: stepId, status, results });
  }

  private broadcast(message: ServerMessage): void {
    for (const listener of this.listeners) listener(message);
  }

  private connection(): { access: ClusterAccess; events: ClusterCache } {
    if (!this.cluster) {
      const config = new k8s.KubeConfig();
      config.loadFromFile(this.workspace.checksKubeconfig);
      const access = clusterAccess(config);
      // Evaluations a change sets off read what the cache's watches keep; a Check asks the cluster (see watchPhases).
      this.cluster = { access, events: new ClusterCache(access.client, access.reader) };
    }
    return this.cluster;
  }

  private disconnect(): void {
    this.cluster?.events.close();
    this.cluster = undefined;
  }
}

/** A probe's answer in the panel's words, whichever answer its check expected. */
function probeState(probe: LessonProbe, result: CheckResult | undefined): ProbeState {
  if (!result) return { id: probe.id, state: 'unavailable', detail: 'not probed' };
  const outcome = probeOutcome(result);
  if (outcome === 'connected') return { id: probe.id, state: 'allowed', detail: result.actual };
  if (!outcome) return { id: probe.id, state: 'unavailable', detail: result.status === 'error' ? result.message : result.actual };
  return { id: probe.id, state: outcome === 'refused' ? 'refused' : 'denied', detail: result.explanation ? `${result.actual}: ${result.explanation}` : result.actual };
}
