/** `labpath sandbox` started as a separate process, the way a user starts it. */
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
  const child = spawn(process.execPath, [CLI, 'sandbox', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let output = '';
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      output += d;
      const match = /sandbox ready: .*\n/.exec(output);
      if (match) resolve(match[0]);
    });
    child.stderr!.on('data', (d) => (output += d));
    void exited.then(() => reject(new Error(`labpath sandbox exited early:\n${output}`)));
  });
  const match = /^sandbox ready: (https:\/\/127\.0\.0\.1:\d+) kubeconfig=(\S+)\n$/.exec(line);
  assert.ok(match, line);
  return { child, url: match[1]!, kubeconfig: match[2]!, exited };
}

