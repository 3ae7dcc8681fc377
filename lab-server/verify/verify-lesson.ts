/**
 * Proves a lesson step by step: each step's checks fail before its solution,
 * the solution runs, and the checks pass within the step's timeout and again on
 * a second evaluation. Steps before --from are only solved, to set the stage.
 */
import type { LoadedLesson, LoadedStep } from '../lesson/load.ts';
import type { CheckResult } from '../checks/check-result.ts';
import { waitForChecks } from '../checks/check-watch.ts';
import { allPassed, evaluateChecks, type ClusterAccess } from '../checks/evaluate-check.ts';
import type { LearnerEnvironment } from '../terminal/learner-environment.ts';
import { runSolve, type SolveRun } from './run-solve.ts';

export type PreCheck = 'failed' | 'exempt' | 'passed' | 'error' | 'skipped';
export type PostCheck = 'passed' | 'failed' | 'flaky' | 'error' | 'skipped';

export interface StepReport {
  number: number;
  id: string;
  title: string;
  /** A setup step (before --from) is solved but not judged. */
  setup: boolean;
  pre: PreCheck;
  preResults: CheckResult[];
  solve: SolveRun | undefined;
  post: PostCheck;
  postResults: CheckResult[];
  seconds: number;
  ok: boolean;
}

export async function verifyLesson(lesson: LoadedLesson, access: ClusterAccess, environment: LearnerEnvironment, options: { from?: string | undefined; onStep?: (report: StepReport) => void } = {}): Promise<StepReport[]> {
  const fromIndex = options.from ? lesson.steps.findIndex((s) => s.step.id === options.from || String(s.number) === options.from) : 0;
  const reports: StepReport[] = [];
  for (const [index, step] of lesson.steps.entries()) {
    const report = await verifyStep(step, access, environment, index < fromIndex);
    reports.push(report);
    options.onStep?.(report);
    // Later steps build on this one; running them on a broken stage only adds noise.
    if (!report.ok) break;
  }
  return reports;
}

/** Solves steps in order without judging them, as --from does for the steps before it; stops at the first that fails. */
export async function setUpSteps(steps: readonly LoadedStep[], access: ClusterAccess, environment: LearnerEnvironment): Promise<StepReport[]> {
  const reports: StepReport[] = [];
  for (const step of steps) {
    const report = await verifyStep(step, access, environment, true);
    reports.push(report);
    if (!report.ok) break;
  }
  return reports;
}

async function verifyStep(loaded: LoadedStep, access: ClusterAccess, environment: LearnerEnvironment, setup: boolean): Promise<StepReport> {
  const { step } = loaded;
  const started = performance.now();
  const report: StepReport = { number: loaded.number, id: step.id, title: step.title, setup, pre: 'skipped', preResults: [], solve: undefined, post: 'skipped', postResults: [], seconds: 0, ok: false };
  const finish = (ok: boolean) => ({ ...report, ok, seconds: (performance.now() - started) / 1000 });

  if (!setup && step.checks.length > 0) {
    if (step.checksExemptBeforeSolve) report.pre = 'exempt';
    else {
      // One failing check is enough to show the step is not done already.
      report.preResults = await evaluateChecks(step.checks, access, { stopAtFirstFailure: true });
      report.pre = report.preResults.some((r) => r.status === 'error') ? 'error' : allPassed(report.preResults) ? 'passed' : 'failed';
      if (report.pre !== 'failed') return finish(false);
    }
  }
  if (step.solve.length > 0) {
    report.solve = await runSolve(step.solve, environment, step.timeoutSeconds * 1000);
    if (report.solve.code !== 0) return finish(false);
  }
  if (step.checks.length === 0) return finish(true);
  const waited = await waitForChecks(step.checks, access, step.timeoutSeconds * 1000);
  report.postResults = waited.results;
  if (!waited.passed) {
    report.post = waited.results.some((r) => r.status === 'error') ? 'error' : 'failed';
    return finish(false);
  }
  if (setup) {
    report.post = 'passed';
    return finish(true);
  }
  // A check that passes once and then not is flaky: the learner would see it flip.
  const second = await evaluateChecks(step.checks, access);
  report.post = allPassed(second) ? 'passed' : 'flaky';
  if (report.post === 'flaky') report.postResults = second;
  return finish(report.post === 'passed');
}
