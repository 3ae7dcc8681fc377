/**
 * A workshop at a human pace: learners join by name over a minute and work
 * through the lesson with think time between their actions (read, Solve,
 * look, Check), while the instructor's console is open. Reports how soon the
 * console shows a learner's passed step after their own page does, how long
 * Check takes to answer, the server's memory, and every error anyone met.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLesson } from '../../lab-server/lesson/load.ts';
import { LabSocket } from '../helpers/lab.ts';
import { LESSON_DIR, LESSON_ID } from '../helpers/paths.ts';
import { ConsoleFeedSocket } from '../helpers/workshop.ts';
import { median, percentile, rssMiB, type BenchResult } from './measure.ts';
import { startServe } from './serve-process.ts';
import { walkLesson, type WalkStep } from './lesson-walk.ts';

const LEARNERS = Number(process.env.LABPATH_BENCH_WORKSHOP_LEARNERS ?? 100);
const JOIN_WINDOW_MS = 60_000;
/** Between a learner's actions: reading a step, looking at the terminal. */
const THINK_MS = [5000, 15000] as const;

const think = () => new Promise<void>((resolve) => setTimeout(resolve, THINK_MS[0] + Math.random() * (THINK_MS[1] - THINK_MS[0])));

interface Tally {
  errors: string[];
  checks: { step: string; ms: number }[];
  /** When each learner's page saw each step pass: `${name}/${step}` → performance.now(). */
  passedOnPage: Map<string, number>;
  passedOnConsole: Map<string, number>;
}

async function learner(url: string, code: string, name: string, steps: WalkStep[], tally: Tally): Promise<void> {
  let socket: LabSocket | undefined;
  try {
    const joined = await fetch(`${url}/join`, { method: 'POST', body: new URLSearchParams({ code, name }), redirect: 'manual' });
    if (joined.status !== 303) throw new Error(`${name} could not join: HTTP ${joined.status}`);
    socket = await LabSocket.open(url, joined.headers.get('set-cookie')!.split(';')[0]!, LESSON_ID);
    await walkLesson(socket, steps, {
      pause: think,
      passed: (step) => tally.passedOnPage.set(`${name}/${step}`, performance.now()),
      checked: (step, ms) => tally.checks.push({ step, ms }),
    });
    for (const m of socket.messages) if (m.type === 'error') tally.errors.push(`${name}: ${m.message}`);
  } catch (error) {
    tally.errors.push(`${name}: ${(error as Error).message.slice(0, 300)}`);
  } finally {
    socket?.close();
  }
}

export async function benchWorkshop(): Promise<BenchResult[]> {
  const { lesson } = await loadLesson(LESSON_DIR);
  if (!lesson) throw new Error('the shipped lesson does not load');
  const steps = lesson.steps.map((s) => ({ id: s.step.id, solve: s.step.solve.length > 0, checks: s.step.checks.length > 0 }));
  const serve = await startServe(['--workshop', 'Bench', '--seats', String(LEARNERS), '--max-learners', String(LEARNERS * 2)]);
  const links = readFileSync(join(serve.data, 'workshop-links.txt'), 'utf8');
  const code = /code=([A-Z2-9-]+)/.exec(links)![1]!;
  const secret = decodeURIComponent(/key=(\S+)/.exec(links)![1]!);
  const tally: Tally = { errors: [], checks: [], passedOnPage: new Map(), passedOnConsole: new Map() };
  const feed = await ConsoleFeedSocket.open(serve.url, secret);
  feed.onLearner((view) => {
    const key = `${view.name}/${view.stepId}`;
    if (view.status === 'passed' && !tally.passedOnConsole.has(key)) tally.passedOnConsole.set(key, performance.now());
  });
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(serve.pid))), 250);
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: LEARNERS }, async (_, i) => {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * JOIN_WINDOW_MS));
        await learner(serve.url, code, `Learner ${String(i + 1).padStart(3, '0')}`, steps, tally);
      }),
    );
  } finally {
    clearInterval(sampler);
    feed.close();
    serve.stop();
  }
  const wall = (performance.now() - started) / 1000;
  // A console that heard first has no lag to speak of.
  const consoleLag = [...tally.passedOnPage].map(([key, onPage]) => Math.max(0, (tally.passedOnConsole.get(key) ?? Number.POSITIVE_INFINITY) - onPage));
  const missed = consoleLag.filter((ms) => !Number.isFinite(ms)).length;
  if (missed > 0) tally.errors.push(`the console never showed ${missed} passed step(s)`);
  const shown = consoleLag.filter(Number.isFinite);
  if (tally.errors.length > 0) console.error(`workshop bench: ${tally.errors.length} error(s), e.g. ${tally.errors.slice(0, 3).join(' | ')}`);
  const name = (what: string) => `workshop: ${LEARNERS} learners at a human pace, ${what}`;
  const p99Console = percentile(shown, 0.99);
  const checks = tally.checks.map((c) => c.ms);
  const p99Check = percentile(checks, 0.99);
  return [
    { name: name('console shows a passed step, p50'), value: Number(median(shown).toFixed(0)), unit: 'ms', goal: 'reported', met: true },
    { name: name('console shows a passed step, p99'), value: Number(p99Console.toFixed(0)), unit: 'ms', goal: '< 1000', met: p99Console < 1000 },
    { name: name('Check answered, p50'), value: Number(median(checks).toFixed(0)), unit: 'ms', goal: 'reported', met: true },
    { name: name('Check answered, p99'), value: Number(p99Check.toFixed(0)), unit: 'ms', goal: '< 1000', met: p99Check < 1000 },
    // Where the tail comes from: each step's own p99.
    ...[...Map.groupBy(tally.checks, (c) => c.step)].map(([step, ofStep]): BenchResult => ({ name: name(`Check answered on step ${step}, p99`), value: Number(percentile(ofStep.map((c) => c.ms), 0.99).toFixed(0)), unit: 'ms', goal: 'reported', met: true })),
    { name: name('errors'), value: tally.errors.length, unit: 'errors', goal: '0', met: tally.errors.length === 0 },
    { name: name('server peak RSS'), value: Number(peak.toFixed(0)), unit: 'MiB', goal: 'reported', met: true },
    { name: name('all lessons done, wall'), value: Number(wall.toFixed(0)), unit: 's', goal: 'reported', met: true },
  ];
}
