/** The terminal report of a verify run: one row per step, then what went wrong. */
import type { CheckResult } from '../checks/check-result.ts';
import type { StepReport } from './verify-lesson.ts';

const SOLVE_TAIL_LINES = 15;

export function formatTable(lessonId: string, reports: readonly StepReport[]): string {
  const rows = reports.map((r) => [`${r.number} ${r.id}${r.setup ? ' (setup)' : ''}`, r.pre, solveCell(r), r.post, r.seconds.toFixed(1)]);
  const header = ['step', 'pre-check', 'solve', 'post-check', 'seconds'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [`lesson ${lessonId}`, line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function solveCell(r: StepReport): string {
  if (!r.solve) return '-';
  if (r.solve.timedOut) return 'timed out';
  return r.solve.code === 0 ? 'ok' : `exit ${r.solve.code}`;
}

/** Why a step did not pass, in words an author can act on. */
export function describeFailure(r: StepReport): string {
  const lines = [`step ${r.number} ${r.id} (${r.title}):`];
  if (r.pre === 'passed') lines.push('  its checks already pass before the solution ran: either they prove nothing about this step (or it should declare checksExemptBeforeSolve with the reason), or the cluster still holds an earlier run\'s objects (the lesson\'s cleanup commands remove them)');
  if (r.pre === 'error') lines.push(...resultLines(r.preResults.filter((x) => x.status === 'error')));
  if (r.solve && r.solve.code !== 0) {
    lines.push(r.solve.timedOut ? `  the solve commands did not finish within the step's timeout (${r.solve.seconds.toFixed(0)} s)` : `  the solve commands exited ${r.solve.code}; the last output:`);
    lines.push(outputTail(r.solve.output));
  }
  if (r.post === 'failed' || r.post === 'error') lines.push('  after the solution, within the timeout, these checks did not pass:', ...resultLines(r.postResults.filter((x) => x.status !== 'passed')));
  if (r.post === 'flaky') lines.push('  the checks passed, then failed on a second evaluation:', ...resultLines(r.postResults.filter((x) => x.status !== 'passed')));
  return lines.join('\n');
}

/** The last lines of a command's output, indented and marked as quoted. */
export function outputTail(output: string): string {
  return output.trimEnd().split('\n').slice(-SOLVE_TAIL_LINES).map((l) => `    | ${l}`).join('\n');
}

function resultLines(results: readonly CheckResult[]): string[] {
  return results.flatMap((x) => [`  - ${x.status === 'error' ? 'could not check' : 'failed'}: ${x.subject}`, `    expected ${x.expected}; found ${x.actual}`, `    ${x.message}`, ...(x.explanation ? [`    why: ${x.explanation}`] : [])]);
}
