/**
 * A workshop: many learners at once, each solving the whole first lesson
 * through one lab server (its own process), as the Solve button does. Reports
 * how long a learner waits for the answer to Check, the server's memory, and
 * every error a learner met.
 */
import { loadLesson } from '../../lab-server/lesson/load.ts';
import { newLearner, type LabSocket } from '../helpers/lab.ts';
import { LESSON_DIR } from '../helpers/paths.ts';
import { median, percentile, rssMiB, type BenchResult } from './measure.ts';
import { startServe } from './serve-process.ts';
import { walkLesson, type WalkStep } from './lesson-walk.ts';

const LEARNERS = Number(process.env.LABPATH_BENCH_LEARNERS ?? 50);

async function learnerRun(url: string, steps: WalkStep[], errors: string[], latencies: { step: string; ms: number }[]): Promise<void> {
  let socket: LabSocket | undefined;
  try {
    socket = await (await newLearner(url)).connect();
    for (const m of socket.messages) if (m.type === 'error') errors.push(m.message);
    await walkLesson(socket, steps, { checked: (step, ms) => latencies.push({ step, ms }) });
    for (const m of socket.messages) if (m.type === 'error') errors.push(m.message);
  } catch (error) {
    errors.push((error as Error).message.slice(0, 300));
  } finally {
    socket?.close();
  }
}

export async function benchLearners(): Promise<BenchResult[]> {
  const { lesson } = await loadLesson(LESSON_DIR);
  if (!lesson) throw new Error('the shipped lesson does not load');
  const steps = lesson.steps.map((s) => ({ id: s.step.id, solve: s.step.solve.length > 0, checks: s.step.checks.length > 0 }));
  const serve = await startServe();
  const errors: string[] = [];
  const latencies: { step: string; ms: number }[] = [];
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(serve.pid))), 250);
  const started = performance.now();
  try {
    await Promise.all(Array.from({ length: LEARNERS }, () => learnerRun(serve.url, steps, errors, latencies)));
  } finally {
    clearInterval(sampler);
    serve.stop();
  }
  const wall = (performance.now() - started) / 1000;
  const times = latencies.map((l) => l.ms);
  const p50 = median(times);
  const p99 = percentile(times, 0.99);
  if (errors.length > 0) console.error(`learners bench: ${errors.length} error(s), e.g. ${errors.slice(0, 3).join(' | ')}`);
  return [
    { name: `lab: ${LEARNERS} learners solving the whole lesson at once, Check answered, p50`, value: Number(p50.toFixed(0)), unit: 'ms', goal: 'reported', met: true },
    { name: `lab: ${LEARNERS} learners solving the whole lesson at once, Check answered, p99`, value: Number(p99.toFixed(0)), unit: 'ms', goal: '< 1000', met: p99 < 1000 },
    // Where the tail comes from: each step's own p50.
    ...[...Map.groupBy(latencies, (l) => l.step)].map(([step, ofStep]): BenchResult => ({ name: `lab: ${LEARNERS} learners, Check answered on step ${step}, p50`, value: Number(median(ofStep.map((l) => l.ms)).toFixed(0)), unit: 'ms', goal: 'reported', met: true })),
    { name: `lab: ${LEARNERS} learners, errors`, value: errors.length, unit: 'errors', goal: '0', met: errors.length === 0 },
    { name: `lab: ${LEARNERS} learners, server peak RSS`, value: Number(peak.toFixed(0)), unit: 'MiB', goal: 'reported', met: true },
    { name: `lab: ${LEARNERS} learners, all lessons done, wall`, value: Number(wall.toFixed(0)), unit: 's', goal: 'reported', met: true },
  ];
}
