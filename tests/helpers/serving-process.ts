/** A labpath command that serves until stopped, started as its own process: it is ready when it prints its ready line. */
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from './paths.ts';

/** `spawned` learns of the child at once, so a caller can clean up one that never gets ready. */
export async function startServing(args: string[], ready: RegExp, spawned: (child: ChildProcess) => void = () => undefined): Promise<{ child: ChildProcess; line: string; exited: Promise<number | null>; output: () => string }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  spawned(child);
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
  return { child, line, exited, output: () => output };
}
