/** Runs a step's solve commands in bash, as a learner's terminal would, with a deadline. */
import { spawn } from 'node:child_process';
import type { LearnerEnvironment } from '../terminal/learner-environment.ts';

export interface SolveRun {
  code: number;
  timedOut: boolean;
  output: string;
  seconds: number;
}

const KEPT_OUTPUT_CHARS = 64_000;

export function runSolve(commands: readonly string[], environment: LearnerEnvironment, timeoutMs: number): Promise<SolveRun> {
  const started = performance.now();
  // errexit + pipefail: the first failing command fails the step, as an author expects.
  const script = ['set -eo pipefail', ...commands].join('\n');
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script], { cwd: environment.cwd, env: environment.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-KEPT_OUTPUT_CHARS);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      // The whole process group: solve commands start their own children (kubectl wait).
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    }, timeoutMs);
    const finish = (code: number) => {
      clearTimeout(timer);
      resolve({ code, timedOut, output, seconds: (performance.now() - started) / 1000 });
    };
    child.on('error', (error) => {
      output += `cannot run bash: ${error.message}\n`;
      finish(127);
    });
    child.on('close', (code, signal) => finish(code ?? (signal ? 128 : 1)));
  });
}
