/**
 * A lesson's cleanup commands, which hand a real cluster back as the lesson
 * found it: between `labpath verify` rounds, and when a learner on a cluster
 * seat of their own resets it.
 */
import type { LoadedLesson } from '../lesson/load.ts';
import type { LearnerEnvironment } from '../terminal/learner-environment.ts';
import { outputTail } from './report-table.ts';
import { runSolve } from './run-solve.ts';

/** Deleting a VM or a namespace waits for its finalizers: minutes on a real cluster. */
const CLEANUP_TIMEOUT_MS = 300_000;

export type CleanupRun = { ok: true; seconds: number } | { ok: false; error: string };

export async function runCleanup(lesson: LoadedLesson, environment: LearnerEnvironment): Promise<CleanupRun> {
  const run = await runSolve(lesson.lesson.cleanup, environment, CLEANUP_TIMEOUT_MS);
  if (run.code === 0) return { ok: true, seconds: run.seconds };
  return { ok: false, error: `the cleanup commands of lesson ${lesson.lesson.id} ${run.timedOut ? 'timed out' : `exited ${run.code}`}; the cluster may still hold the lesson's objects:\n${outputTail(run.output)}` };
}
