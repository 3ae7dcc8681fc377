/** `labpath sandbox` and `labpath serve` started as separate processes, the way a user starts them. */
import { after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from './paths.ts';

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
export async function startServeCommand(args: string[]): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null> }> {
  const { child, line, exited } = await startServing(['serve', ...args], /lab ready: .*\n/);
  const match = /^lab ready: (http:\/\/127\.0\.0\.1:\d+)\//.exec(line);
  assert.ok(match, line);
  return { child, url: match[1]!, exited };
}

/** Starts a labpath command that serves until stopped, and waits for its ready line. */
async function startServing(args: string[], ready: RegExp): Promise<{ child: ChildProcess; line: string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let output = '';
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      output += d;
      const match = ready.exec(output);
      if (match) resolve(match[0]);
    });
    child.stderr!.on('data', (d) => (output += d));
    void exited.then(() => reject(new Error(`labpath ${args[0]} exited early:\n${output}`)));
  });
  return { child, line, exited };
}
