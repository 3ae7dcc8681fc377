/** `labpath serve` as its own process for benchmarks, so that clients here do not share its event loop. */
import { startServing } from '../helpers/serving-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

export interface ServeProcess {
  url: string;
  pid: number;
  /** Its data directory. */
  data: string;
  stop(): void;
}

/** `args`: more flags for labpath serve (a workshop's). */
export async function startServe(args: string[] = []): Promise<ServeProcess> {
  const data = tempDir('bench-serve');
  const { child, line } = await startServing(['serve', '--port', '0', '--data', data, ...args], /lab ready: (http:\/\/127\.0\.0\.1:\d+)\//);
  return { url: /http:\/\/127\.0\.0\.1:\d+/.exec(line)![0], pid: child.pid!, data, stop: () => child.kill('SIGTERM') };
}
