import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatDiagnostic } from '../lesson/diagnostic.ts';
import { loadLesson, type LoadedLesson } from '../lesson/load.ts';
import { buildSite, siteIsStale } from '../lab/site-build.ts';
import { isLoopback, startLabServer } from '../lab/lab-server.ts';
import { UsageError, type Command } from './command.ts';
import { allLessonDirs } from './lesson-arg.ts';
import { PROJECT_ROOT } from './paths.ts';
import { untilStopped } from './until-stopped.ts';

export const serveCommand: Command = {
  name: 'serve',
  usage: `Usage: labpath serve [--port 4321] [--host 127.0.0.1] [--kubeconfig FILE] [--data DIR] [--token TOKEN]

Serves the lessons, the lab API and the terminals on one origin. Each learner
(a browser session) gets a sandbox cluster per lesson, a shell and saved
progress; all of it survives a restart.

Options:
  --port N           port to listen on (default 4321; 0 picks a free one)
  --host ADDR        address to listen on (default 127.0.0.1)
  --kubeconfig FILE  every learner works on this real cluster instead of a sandbox
  --data DIR         where sessions, progress and sandbox clusters are kept (default .labpath/lab)
  --token TOKEN      access token every request must carry (also LABPATH_TOKEN); required
                     when --host is not a loopback address
  -h, --help         show this help`,
  async run(args) {
    const values = parse(args);
    const port = values.port === undefined ? 4321 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535, not "${values.port}"`);
    const host = values.host ?? '127.0.0.1';
    const accessToken = values.token ?? process.env.LABPATH_TOKEN;
    if (!isLoopback(host) && !accessToken)
      throw new UsageError(`refusing to listen on ${host} without an access token: anyone who reaches that address would get a shell. Set one with --token TOKEN (or the LABPATH_TOKEN environment variable) and give learners the link with ?token=TOKEN`);
    if (accessToken !== undefined && accessToken.length < 16) throw new UsageError('the access token must be at least 16 characters long, e.g. from `openssl rand -hex 16`');
    if (values.kubeconfig && !existsSync(resolve(values.kubeconfig))) throw new UsageError(`no kubeconfig at ${resolve(values.kubeconfig)}`);

    const lessons: LoadedLesson[] = [];
    for (const dir of await allLessonDirs()) {
      const { lesson, diagnostics } = await loadLesson(dir);
      if (lesson) lessons.push(lesson);
      else {
        for (const d of diagnostics) console.error(formatDiagnostic(d));
        console.error(`labpath serve: skipping the lesson in ${dir}: it does not load (npx labpath lint shows why)`);
      }
    }
    const siteDir = join(PROJECT_ROOT, 'dist');
    if (await siteIsStale(PROJECT_ROOT, siteDir)) {
      console.log('building the site (it is missing or older than its sources) …');
      const code = await buildSite(PROJECT_ROOT);
      if (code !== 0) {
        console.error('labpath serve: the site build failed; its output above says why');
        return 1;
      }
    }
    let lab;
    try {
      lab = await startLabServer({ port, host, dataDir: resolve(values.data ?? join(PROJECT_ROOT, '.labpath', 'lab')), siteDir, lessons, kubeconfig: values.kubeconfig && resolve(values.kubeconfig), accessToken });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        console.error(`labpath serve: port ${port} is already in use; pick another with --port, or --port 0 for a free one`);
        return 1;
      }
      throw error;
    }
    console.log(`lab ready: ${lab.url}/${accessToken ? `?token=${accessToken}` : ''} (${values.kubeconfig ? `on the cluster in ${values.kubeconfig}` : 'a sandbox cluster per learner'})`);
    await untilStopped();
    await lab.close();
    return 0;
  },
};

function parse(args: string[]) {
  try {
    return parseArgs({ args, strict: true, allowPositionals: false, options: { port: { type: 'string' }, host: { type: 'string' }, kubeconfig: { type: 'string' }, data: { type: 'string' }, token: { type: 'string' } } }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
