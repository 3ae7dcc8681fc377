/** `labpath serve` as its own process for benchmarks, so that clients here do not share its event loop. */
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../helpers/paths.ts';

export interface ServeProcess {
  url: string;
  pid: number;
  stop(): void;
}

export async function startServe(): Promise<ServeProcess> {
  const data = await mkdtemp(join(tmpdir(), 'labpath-bench-serve-'));
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--data', data], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (d) => {
      output += d;
      const match = /lab ready: (http:\/\/127\.0\.0\.1:\d+)\//.exec(output);
      if (match) resolve(match[1]!);
    });
    child.on('exit', () => reject(new Error(`labpath serve exited:\n${output}`)));
  });
  return { url, pid: child.pid!, stop: () => child.kill('SIGTERM') };
}
