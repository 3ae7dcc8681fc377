import { writeFile, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadLesson } from '../lesson/load.ts';
import { formatDiagnostic } from '../lesson/diagnostic.ts';
import { SandboxHost } from '../sandbox/sandbox-host.ts';
import { UsageError, type Command } from './command.ts';
import { untilStopped } from './until-stopped.ts';
import { lessonDirOf } from './lesson-arg.ts';

const DEFAULT_LESSON = 'localnet-microsegmentation';

export const sandboxCommand: Command = {
  name: 'sandbox',
  usage: `Usage: labpath sandbox [--port N] [--kubeconfig FILE] [--lesson ID|DIR] [--state FILE]

Starts a sandbox cluster on https://127.0.0.1:N, seeded with the lesson's
environment, writes a kubeconfig for it, and prints one line:
  sandbox ready: https://127.0.0.1:N kubeconfig=FILE
Ctrl-C (SIGINT) or SIGTERM stops it.

Options:
  --port N           port to listen on (default 6443; 0 picks a free port)
  --kubeconfig FILE  where to write the kubeconfig (default .labpath/sandbox.kubeconfig)
  --lesson ID|DIR    lesson whose environment to build (default ${DEFAULT_LESSON})
  --state FILE       keep the cluster in this SQLite file: a restart resumes
                     it with every object (default: in memory only)
  -h, --help         show this help`,
  async run(args) {
    const { values } = parse(args);
    const port = values.port === undefined ? 6443 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535, not "${values.port}"`);
    const lessonArg = values.lesson ?? DEFAULT_LESSON;
    const lessonDir = lessonDirOf(lessonArg);
    const { lesson, diagnostics } = await loadLesson(lessonDir);
    if (!lesson) {
      for (const d of diagnostics) console.error(formatDiagnostic(d));
      console.error(`labpath sandbox: the lesson in ${lessonDir} does not load; fix the problems above (npx labpath lint shows them too)`);
      return 1;
    }
    const kubeconfigFile = resolve(values.kubeconfig ?? '.labpath/sandbox.kubeconfig');
    let host: SandboxHost;
    try {
      host = await SandboxHost.start({ port, ...(values.state ? { statePath: resolve(values.state) } : {}) });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        console.error(`labpath sandbox: port ${port} is already in use; pick another with --port, or --port 0 for a free one`);
        return 1;
      }
      throw error;
    }
    // With --state, a restart serves the cluster it kept; only a new file gets a fresh one.
    const { kubeconfig } = host.handles()[0] ?? host.addCluster(lesson.lesson.environment);
    await mkdir(dirname(kubeconfigFile), { recursive: true });
    await writeFile(kubeconfigFile, kubeconfig, { mode: 0o600 });
    console.log(`sandbox ready: ${host.url} kubeconfig=${kubeconfigFile}`);
    await untilStopped();
    await host.close();
    return 0;
  },
};

function parse(args: string[]) {
  try {
    return parseArgs({ args, strict: true, allowPositionals: false, options: { port: { type: 'string' }, kubeconfig: { type: 'string' }, lesson: { type: 'string' }, state: { type: 'string' } } });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
