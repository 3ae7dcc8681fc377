import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { clusterAccess } from '../checks/evaluate-check.ts';
import { formatDiagnostic } from '../lesson/diagnostic.ts';
import { loadLesson, MANIFESTS_DIR, type LoadedLesson } from '../lesson/load.ts';
import { SandboxHost } from '../sandbox/sandbox-host.ts';
import { outsideToolDirs } from '../terminal/host-tools.ts';
import { prepareLearnerEnvironment } from '../terminal/learner-environment.ts';
import { junitXml, type LessonRun } from '../verify/junit.ts';
import { preflight } from '../verify/preflight.ts';
import { describeFailure, formatTable } from '../verify/report-table.ts';
import { verifyLesson } from '../verify/verify-lesson.ts';
import { runCleanup } from '../verify/run-cleanup.ts';
import { UsageError, type Command } from './command.ts';
import { untilStopped } from './until-stopped.ts';
import { allLessonDirs, lessonDirOf } from './lesson-arg.ts';

export const verifyCommand: Command = {
  name: 'verify',
  usage: `Usage: labpath verify [--lesson ID|DIR] [--kubeconfig FILE] [--junit FILE] [--from STEP] [--repeat N] [--keep]

For each step in order: its checks must fail first (unless the step declares
checksExemptBeforeSolve), its solve commands run in bash with the learner
terminal's environment (kubectl, oc, virtctl on PATH; KUBECONFIG set; the
lesson's manifests in the working directory), then its checks must pass within
the step's timeout, and again on a second evaluation.

Options:
  --lesson ID|DIR    a lesson id under content/lessons/ or a lesson folder (default: every lesson)
  --kubeconfig FILE  verify on this cluster (default: a fresh embedded sandbox per lesson run)
  --junit FILE       also write JUnit XML
  --from STEP        start judging at this step id or number; earlier steps are only solved
  --repeat N         run each lesson N times, to expose flaky checks (default 1); on a
                     --kubeconfig cluster the lesson's cleanup commands run between rounds
  --keep             leave the (last) sandbox running and print its kubeconfig
  -h, --help         show this help

Exit status: 0 when every step passed, 1 when one did not, 2 on usage errors.`,
  async run(args) {
    const options = parse(args);
    const dirs = options.lesson ? [lessonDirOf(options.lesson)] : await allLessonDirs();
    const runs: LessonRun[] = [];
    let kept: { host: SandboxHost; kubeconfig: string } | undefined;
    for (const dir of dirs) {
      const { lesson, diagnostics } = await loadLesson(dir);
      if (!lesson) {
        const error = [`the lesson in ${dir} does not load:`, ...diagnostics.map((d) => formatDiagnostic(d))].join('\n');
        console.error(error);
        runs.push({ lessonId: dir, round: 1, reports: [], error });
        continue;
      }
      if (options.from && !lesson.steps.some((s) => s.step.id === options.from || String(s.number) === options.from))
        throw new UsageError(`lesson ${lesson.lesson.id} has no step "${options.from}"; its steps: ${lesson.steps.map((s) => s.step.id).join(', ')}`);
      if (options.kubeconfig && options.repeat > 1 && lesson.lesson.cleanup.length === 0)
        throw new UsageError(`lesson ${lesson.lesson.id} has no cleanup commands, so --repeat cannot run it again on the cluster --kubeconfig names; add "cleanup:" to its lesson.yaml, or drop --repeat`);
      for (let round = 1; round <= options.repeat; round++) {
        const keepThis = options.keep && round === options.repeat && dir === dirs.at(-1);
        const run = await runLesson(lesson, round, options, keepThis ? (k) => (kept = k) : undefined);
        runs.push(run);
      }
    }
    if (options.junit) {
      await writeFile(resolve(options.junit), junitXml(runs));
      console.log(`JUnit report: ${resolve(options.junit)}`);
    }
    const ok = runs.every((r) => !r.error && r.reports.every((s) => s.ok));
    console.log(ok ? `verify: every step of ${runs.length} lesson run(s) passed` : 'verify: FAILED');
    if (kept) await keepRunning(kept);
    return ok ? 0 : 1;
  },
};

interface VerifyOptions {
  lesson: string | undefined;
  kubeconfig: string | undefined;
  junit: string | undefined;
  from: string | undefined;
  repeat: number;
  keep: boolean;
}

async function runLesson(lesson: LoadedLesson, round: number, options: VerifyOptions, keep: ((k: { host: SandboxHost; kubeconfig: string }) => void) | undefined): Promise<LessonRun> {
  const lessonId = lesson.lesson.id;
  const root = await mkdtemp(join(tmpdir(), `labpath-verify-${lessonId}-`));
  let host: SandboxHost | undefined;
  try {
    let kubeconfig: string;
    if (options.kubeconfig) kubeconfig = resolve(options.kubeconfig);
    else {
      host = await SandboxHost.start({ port: 0 });
      kubeconfig = join(root, 'kubeconfig');
      await writeFile(kubeconfig, host.addCluster(lesson.lesson.environment).kubeconfig, { mode: 0o600 });
    }
    const config = new k8s.KubeConfig();
    try {
      config.loadFromFile(kubeconfig);
    } catch (error) {
      throw new UsageError(`cannot read the kubeconfig ${kubeconfig}: ${(error as Error).message}`);
    }
    const access = clusterAccess(config);
    if (options.kubeconfig) {
      const problems = await preflight(access.client);
      if (problems.length > 0) {
        const error = [`the cluster cannot run lesson ${lessonId}:`, ...problems.map((p) => `  - ${p}`)].join('\n');
        console.error(error);
        return { lessonId, round, reports: [], error };
      }
    }
    const environment = await prepareLearnerEnvironment({ layout: { folder: root, tools: root }, manifestsDir: join(lesson.dir, MANIFESTS_DIR), extraPath: outsideToolDirs(), kubeconfig });
    console.log(`verifying ${lessonId}${options.repeat > 1 ? ` (round ${round} of ${options.repeat})` : ''} on ${access.client.server}`);
    const reports = await verifyLesson(lesson, access, environment, { from: options.from, onStep: (r) => console.log(`  ${r.ok ? 'ok  ' : 'FAIL'} ${r.number} ${r.id} (${r.seconds.toFixed(1)} s)`) });
    console.log(formatTable(lessonId, reports));
    for (const r of reports.filter((x) => !x.ok)) console.log(`\n${describeFailure(r)}`);
    if (reports.length < lesson.steps.length) console.log(`\nthe ${lesson.steps.length - reports.length} later step(s) were not run: they build on the one that failed`);
    // A sandbox round ends with its cluster; a real cluster is handed back as the lesson found it.
    if (options.kubeconfig && !keep && lesson.lesson.cleanup.length > 0) {
      const cleanup = await runCleanup(lesson, environment);
      if (!cleanup.ok) {
        console.error(cleanup.error);
        return { lessonId, round, reports, error: cleanup.error };
      }
      console.log(`cleaned up: ran the lesson's ${lesson.lesson.cleanup.length} cleanup command(s) (${cleanup.seconds.toFixed(1)} s)`);
    }
    if (host && keep) {
      keep({ host, kubeconfig });
      host = undefined;
    }
    return { lessonId, round, reports };
  } finally {
    await host?.close();
    // The kept sandbox's kubeconfig lives in root; everything else goes.
    if (!keep) await rm(root, { recursive: true, force: true });
  }
}

async function keepRunning({ host, kubeconfig }: { host: SandboxHost; kubeconfig: string }): Promise<void> {
  console.log(`sandbox kept running: ${host.url} kubeconfig=${kubeconfig} (Ctrl-C stops it)`);
  await untilStopped();
  await host.close();
}

function parse(args: string[]): VerifyOptions {
  let values;
  try {
    ({ values } = parseArgs({ args, strict: true, allowPositionals: false, options: { lesson: { type: 'string' }, kubeconfig: { type: 'string' }, junit: { type: 'string' }, from: { type: 'string' }, repeat: { type: 'string' }, keep: { type: 'boolean' } } }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const repeat = values.repeat === undefined ? 1 : Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 100) throw new UsageError(`--repeat must be a whole number from 1 to 100, not "${values.repeat}"`);
  return { lesson: values.lesson, kubeconfig: values.kubeconfig, junit: values.junit, from: values.from, repeat, keep: values.keep ?? false };
}
