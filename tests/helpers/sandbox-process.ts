/** `labpath sandbox` and `labpath serve` started as separate processes, the way a user starts them. */
import { after } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { startServing as startServingProcess } from './serving-process.ts';

export interface Running {
  child: ChildProcess;
  url: string;
  kubeconfig: string;
  exited: Promise<number | null>;
}

/** Every sandbox process a test starts; killed when the file ends, whatever failed. */
const children: ChildProcess[] = [];
after(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

export async function startSandboxCommand(args: string[]): Promise<Running> {
  const { child, line, exited } = await startServing(['sandbox', '--port', '0', ...args], /sandbox ready: .*\n/);
  const match = /^sandbox ready: (https:\/\/127\.0\.0\.1:\d+) kubeconfig=(\S+)\n$/.exec(line);
  assert.ok(match, line);
  return { child, url: match[1]!, kubeconfig: match[2]!, exited };
}

/** `labpath serve` as a separate process; resolves with the URL it prints. */
/** `ready`: the line it says it is ready with. */
export async function startServeCommand(args: string[]): Promise<{ child: ChildProcess; url: string; ready: string; exited: Promise<number | null>; output: () => string }> {
  const { child, line, exited, output } = await startServing(['serve', ...args], /lab ready: .*\n/);
  const match = /^lab ready: (http:\/\/127\.0\.0\.1:\d+)\//.exec(line);
  assert.ok(match, line);
  return { child, url: match[1]!, ready: line, exited, output };
}

/** Starts a labpath command that serves until stopped; killed when the test file ends. */
function startServing(args: string[], ready: RegExp): ReturnType<typeof startServingProcess> {
  return startServingProcess(args, ready, (child) => children.push(child));
}
