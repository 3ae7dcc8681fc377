/**
 * What a reset runs against a learner's cluster: the lesson's cleanup (a real
 * cluster seat, which cannot be made anew), and the catch-up that brings a
 * fresh cluster to the start of a step: the solutions of the steps before it
 * run in order, each until its checks pass, as `labpath verify --from` sets
 * the stage. They run as the lab, in a scratch folder of the lab's own with
 * the lesson's manifests (never in the learner's folder, whose links could
 * lead anywhere), against the cluster at its real address.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { clusterAccess } from '../checks/evaluate-check.ts';
import { MANIFESTS_DIR, type LoadedLesson } from '../lesson/load.ts';
import { outsideToolDirs } from '../terminal/host-tools.ts';
import { prepareLearnerEnvironment, type LearnerEnvironment } from '../terminal/learner-environment.ts';
import { describeFailure } from '../verify/report-table.ts';
import { runCleanup, type CleanupRun } from '../verify/run-cleanup.ts';
import { setUpSteps } from '../verify/verify-lesson.ts';

/** The steps before `toStep`, solved; or which one failed and why. */
export async function catchUp(lesson: LoadedLesson, toStep: string, kubeconfigFile: string, scratch: string): Promise<{ solved: string[] } | { failed: string; why: string }> {
  const index = lesson.steps.findIndex((s) => s.step.id === toStep);
  if (index < 0) return { failed: toStep, why: `lesson ${lesson.lesson.id} has no step "${toStep}"` };
  return inScratch(lesson, kubeconfigFile, scratch, async (environment) => {
    const config = new k8s.KubeConfig();
    config.loadFromFile(kubeconfigFile);
    const reports = await setUpSteps(lesson.steps.slice(0, index), clusterAccess(config), environment);
    const failed = reports.find((r) => !r.ok);
    if (failed) return { failed: failed.id, why: describeFailure(failed) };
    return { solved: reports.map((r) => r.id) };
  });
}

/** Runs the lesson's cleanup commands on the cluster, as `labpath verify` does between rounds on a real one. */
export function cleanUp(lesson: LoadedLesson, kubeconfigFile: string, scratch: string): Promise<CleanupRun> {
  return inScratch(lesson, kubeconfigFile, scratch, (environment) => runCleanup(lesson, environment));
}

async function inScratch<T>(lesson: LoadedLesson, kubeconfigFile: string, scratch: string, run: (environment: LearnerEnvironment) => Promise<T>): Promise<T> {
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch, { recursive: true, mode: 0o700 });
  try {
    return await run(await prepareLearnerEnvironment({ layout: { folder: scratch, tools: scratch }, manifestsDir: join(lesson.dir, MANIFESTS_DIR), extraPath: outsideToolDirs(), kubeconfig: kubeconfigFile }));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
