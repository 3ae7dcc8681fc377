/**
 * Evaluates a `command` check: the command line runs in a shell inside the
 * workload (exec'd `sh -c` in a pod, typed on a VM's console) and passes when
 * its exit code, and its output if the check says so, are as expected.
 */
import type { Check } from '../lesson/schema.ts';
import type { CheckResult } from './check-result.ts';
import { isUnavailable, workloadLabel, type RunOutcome } from './workload-shell.ts';

export type CommandCheck = Extract<Check, { type: 'command' }>;

/** What the result quotes of the output: enough to act on, not a screenful. */
const OUTPUT_TAIL_LINES = 3;

export function commandLine(check: CommandCheck): string[] {
  return ['sh', '-c', check.run];
}

export function commandResult(check: CommandCheck, ran: RunOutcome): CheckResult {
  const subject = `${workloadLabel(check.in)}: ${check.run}`;
  const { exitCode, output } = check.expect;
  const expected = `exit ${exitCode}${output !== undefined ? ` and output matching /${output}/` : ''}`;
  if (isUnavailable(ran)) return { status: ran.status, subject, expected, actual: ran.actual, message: ran.message ?? check.message };
  const tail = ran.output.replace(/\r/g, '').trimEnd().split('\n').slice(-OUTPUT_TAIL_LINES).join(' ⏎ ');
  const actual = `exit ${ran.code}${tail ? `: ${tail}` : ' with no output'}`;
  const passes = ran.code === exitCode && (output === undefined || new RegExp(output, 'm').test(ran.output));
  return { status: passes ? 'passed' : 'failed', subject, expected, actual, message: check.message };
}
