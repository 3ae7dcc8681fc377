/** JUnit XML for CI systems: a test suite per lesson run, a test case per step. */
import { describeFailure } from './report-table.ts';
import type { StepReport } from './verify-lesson.ts';

export interface LessonRun {
  lessonId: string;
  /** 1-based, when --repeat runs a lesson more than once. */
  round: number;
  reports: StepReport[];
  /** Set when the lesson could not run at all (it does not load, the cluster is missing what it needs). */
  error?: string;
}

export function junitXml(runs: readonly LessonRun[]): string {
  const suites = runs.map((run) => {
    const name = run.round > 1 ? `${run.lessonId} (round ${run.round})` : run.lessonId;
    const cases = run.error
      ? [`    <testcase classname="${xml(name)}" name="lesson"><error message="${xml(firstLine(run.error))}">${xml(run.error)}</error></testcase>`]
      : run.reports.map((r) => {
          const body = r.ok ? '' : `<failure message="${xml(`step ${r.id} did not pass`)}">${xml(describeFailure(r))}</failure>`;
          return `    <testcase classname="${xml(name)}" name="${xml(`${r.number} ${r.id}`)}" time="${r.seconds.toFixed(3)}">${body}</testcase>`;
        });
    const failures = run.error ? 0 : run.reports.filter((r) => !r.ok).length;
    const time = run.reports.reduce((t, r) => t + r.seconds, 0);
    return `  <testsuite name="${xml(name)}" tests="${cases.length}" failures="${failures}" errors="${run.error ? 1 : 0}" time="${time.toFixed(3)}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="labpath verify">\n${suites.join('\n')}\n</testsuites>\n`;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}

function xml(text: string): string {
  // XML 1.0 cannot carry most control characters, even escaped; solve output may hold them.
  return text.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
