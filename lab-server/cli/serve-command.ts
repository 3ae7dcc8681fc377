import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_LIMITS, detectConfinement, logConfinement } from '../confinement/confinement.ts';
import { MIN_FOLDER_BYTES } from '../confinement/folder-cap.ts';
import { formatDiagnostic } from '../lesson/diagnostic.ts';
import { loadLesson, type LoadedLesson } from '../lesson/load.ts';
import { MIN_TOKEN_LENGTH } from '../lab/access-token.ts';
import { buildSite, siteIsStale } from '../lab/site-build.ts';
import { isLoopback, startLabServer, type LabServer } from '../lab/lab-server.ts';
import { StartRefused } from '../lab/start-refused.ts';
import { parseEndsAt, parseFactor, parseWebhook, workshopName } from './workshop-flags.ts';
import { checkSeats, seatTable } from '../workshop/cluster-seats.ts';
import { UsageError, type Command } from './command.ts';
import { allLessonDirs } from './lesson-arg.ts';
import { PROJECT_ROOT } from './paths.ts';
import { untilStopped } from './until-stopped.ts';

export const serveCommand: Command = {
  name: 'serve',
  usage: `Usage: labpath serve [--port 4321] [--host 127.0.0.1] [--kubeconfig FILE] [--data DIR] [--token TOKEN]
                    [--public-url URL] [--tls-cert FILE --tls-key FILE] [limits]
                    [--workshop NAME [--lesson ID] [--seats N] [--ends-at TIME] ...]

Serves the lessons, the lab API and the terminals on one origin. Each learner
(a browser session) gets a sandbox cluster per lesson, a confined shell and
saved progress; all of it survives a restart.

Options:
  --port N             port to listen on (default 4321; 0 picks a free one)
  --host ADDR          address to listen on (default 127.0.0.1)
  --kubeconfig FILE    every learner works on this real cluster instead of a sandbox
  --data DIR           where learners, progress and sandbox clusters are kept (default .labpath/lab)
  --token TOKEN        access token every request must carry (also LABPATH_TOKEN); required
                       when --host is not a loopback address
  --token-file FILE    the access token in a file, read again when it changes: writing a
                       new one revokes every earlier link and cookie
  --public-url URL     the address learners open (https://lab.example.org behind a reverse
                       proxy, or http://HOST:PORT); the lab answers only to it and loopback.
                       Required with --host 0.0.0.0 or ::
  --tls-cert FILE      serve HTTPS with this PEM certificate chain (with --tls-key)
  --tls-key FILE       the certificate's PEM private key
  --memory-limit MIB   memory per learner's shells, in MiB (default ${DEFAULT_LIMITS.memoryBytes / 1048576})
  --pids-limit N       processes per learner (default ${DEFAULT_LIMITS.pids})
  --cpu-weight N       CPU share per learner, 1-10000 (default ${DEFAULT_LIMITS.cpuWeight}: an equal share)
  --folder-limit MIB   size of each learner's folder, in MiB (default ${DEFAULT_LIMITS.folderBytes / 1048576}; needs root)
  --max-learners N     learners the lab takes in at most (default 200)
  --max-learners-per-address N   of those, from one address (default: all)
  --warm N             learner environments (cluster and shell) kept ready per lesson, so
                       that a new learner's terminal is there as their page opens (default 1;
                       none in a workshop, whose learners are made as they join)

Workshops (an instructor and a room of learners):
  --workshop NAME      run a workshop: learners join by name with its join code (the link
                       printed as "learners join"), the instructor follows everyone on the
                       console (the link printed as "instructor console"). Its join code
                       replaces --token; both links stay the same across restarts
  --lesson ID          the workshop's lesson (default: the only lesson, if there is one)
  --seats N            learners the workshop takes (default 50; the console can raise it)
  --ends-at TIME       when it ends: 2026-12-02T17:00, or a duration such as 90m or 2h;
                       learners see a countdown, the console can give more time
  --attention-factor X flag a learner whose time on a step exceeds its estimate X times (default 1.5)
  --events-webhook URL POST every event, as xAPI statements, to this URL (retried, never blocking)
  --kubeconfig-dir DIR each learner on a real cluster of their own: one kubeconfig file per seat
                       in DIR (the seat is named after the file); every seat is checked at start
  --shared-cluster     with --kubeconfig: every learner on that one cluster, knowingly (the lesson
                       changes cluster-wide settings, so learners see each other's work)
  -h, --help           show this help`,
  async run(args) {
    const values = parse(args);
    const port = values.port === undefined ? 4321 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535, not "${values.port}"`);
    const host = values.host ?? '127.0.0.1';
    const tokenFile = values['token-file'] && resolve(values['token-file']);
    const workshop = values.workshop === undefined ? undefined : workshopName(values.workshop);
    if (workshop && (values.token || values['token-file'])) throw new UsageError('a workshop\'s join code is its access token: drop --token and --token-file, and give learners the "learners join" link');
    for (const flag of ['lesson', 'seats', 'ends-at', 'attention-factor', 'events-webhook', 'kubeconfig-dir', 'shared-cluster'] as const) if (!workshop && values[flag] !== undefined) throw new UsageError(`--${flag} belongs to a workshop: add --workshop NAME`);
    if (values['kubeconfig-dir'] && values.kubeconfig) throw new UsageError('--kubeconfig-dir gives each learner a cluster of their own; --kubeconfig puts everyone on one: choose one of them');
    if (workshop && values.kubeconfig && !values['shared-cluster'])
      throw new UsageError('a workshop on one --kubeconfig would put every learner on the same cluster, and the lesson changes cluster-wide settings (NNCP, the Network operator): give each learner a cluster of their own with --kubeconfig-dir DIR (a kubeconfig per seat), or accept the sharing with --shared-cluster');
    if (values['shared-cluster'] && !values.kubeconfig) throw new UsageError('--shared-cluster goes with --kubeconfig FILE, the cluster everyone shares');
    const accessToken = tokenFile ? undefined : (values.token ?? process.env.LABPATH_TOKEN);
    if (tokenFile && !existsSync(tokenFile)) throw new UsageError(`no token file at ${tokenFile}; write the token into it first, e.g. openssl rand -hex 16 > ${values['token-file']}`);
    const tokenValue = tokenFile ? readFileSync(tokenFile, 'utf8').trim() : accessToken;
    if (!isLoopback(host) && !tokenValue && !workshop)
      throw new UsageError(`refusing to listen on ${host} without an access token: anyone who reaches that address would get a shell. Set one with --token TOKEN (or the LABPATH_TOKEN environment variable) and give learners the link with ?token=TOKEN`);
    if (tokenValue !== undefined && tokenValue.length < MIN_TOKEN_LENGTH) throw new UsageError(`the access token must be at least ${MIN_TOKEN_LENGTH} characters long, e.g. from \`openssl rand -hex 16\``);
    const publicUrl = values['public-url'] ? parseUrl(values['public-url']) : undefined;
    if ((host === '0.0.0.0' || host === '::') && !publicUrl)
      throw new UsageError(`--host ${host} needs --public-url, the address learners open (e.g. --public-url http://$(hostname -f):${port || 4321}): the lab answers only to its own names, so that no other site can reach it by DNS rebinding`);
    if (Boolean(values['tls-cert']) !== Boolean(values['tls-key'])) throw new UsageError('--tls-cert and --tls-key go together: the certificate chain and its private key, both PEM files');
    const tls = values['tls-cert'] ? { cert: readPem(values['tls-cert'], '--tls-cert'), key: readPem(values['tls-key']!, '--tls-key') } : undefined;
    if (values.kubeconfig && !existsSync(resolve(values.kubeconfig))) throw new UsageError(`no kubeconfig at ${resolve(values.kubeconfig)}`);
    const dataDir = resolve(values.data ?? join(PROJECT_ROOT, '.labpath', 'lab'));
    // Learner sandboxes bind the lab's code read-only; data kept inside it would be bound with it.
    for (const code of ['lab-server', 'node_modules'].map((d) => join(PROJECT_ROOT, d))) {
      const inside = relative(code, dataDir);
      if (!inside.startsWith('..') && !inside.startsWith('/')) throw new UsageError(`--data ${dataDir} is inside ${code}, which every learner's sandbox can read; keep the lab's data elsewhere (the default is .labpath/lab)`);
    }
    const limits = {
      memoryBytes: count(values['memory-limit'], '--memory-limit', DEFAULT_LIMITS.memoryBytes / 1048576, 64, 1 << 20) * 1048576,
      pids: count(values['pids-limit'], '--pids-limit', DEFAULT_LIMITS.pids, 32, 1 << 22),
      cpuWeight: count(values['cpu-weight'], '--cpu-weight', DEFAULT_LIMITS.cpuWeight, 1, 10_000),
      folderBytes: count(values['folder-limit'], '--folder-limit', DEFAULT_LIMITS.folderBytes / 1048576, MIN_FOLDER_BYTES / 1048576, 1 << 20) * 1048576,
    };
    const maxLearners = count(values['max-learners'], '--max-learners', 200, 1, 100_000);
    const maxLearnersPerAddress = count(values['max-learners-per-address'], '--max-learners-per-address', maxLearners, 1, 100_000);
    const warmShells = count(values.warm, '--warm', 1, 0, 100);
    const clusterSeats = values['kubeconfig-dir'] ? await usableSeats(resolve(values['kubeconfig-dir'])) : undefined;
    if (clusterSeats?.length === 0) return 1;
    const seats = count(values.seats, '--seats', clusterSeats?.length ?? 50, 1, 100_000);
    if (workshop && seats > maxLearners) throw new UsageError(`--seats ${seats} is more than the lab takes in (--max-learners ${maxLearners}); raise --max-learners too`);
    const endsAt = values['ends-at'] === undefined ? undefined : parseEndsAt(values['ends-at']);
    const attentionFactor = parseFactor(values['attention-factor'], '--attention-factor', 1.5);
    const eventsWebhook = parseWebhook(values['events-webhook']);

    const launcher = await detectConfinement(limits);
    logConfinement(launcher);
    if (workshop && !launcher.confined) {
      console.error(`labpath serve: refusing to run a workshop: learner shells cannot be confined on this machine, and every learner would get a shell as the lab's own user with its files and network.\n  why: ${launcher.reason}\n  fix: install bubblewrap (apt-get install bubblewrap) and allow unprivileged user namespaces`);
      return 1;
    }
    if (!isLoopback(host) && !launcher.confined) {
      console.error(`labpath serve: refusing to listen on ${host}: learner shells cannot be confined on this machine, and every learner would get a shell as the lab's own user with its files and network.\n  why: ${launcher.reason}\n  fix: install bubblewrap (apt-get install bubblewrap), allow unprivileged user namespaces, or serve on 127.0.0.1 for yourself alone`);
      return 1;
    }
    if (!launcher.confined) console.error(`labpath serve: learner shells are NOT confined on this machine (${launcher.reason}); fine for yourself on 127.0.0.1, never for a workshop`);

    const lessons: LoadedLesson[] = [];
    for (const dir of await allLessonDirs()) {
      const { lesson, diagnostics } = await loadLesson(dir);
      if (lesson) lessons.push(lesson);
      else {
        for (const d of diagnostics) console.error(formatDiagnostic(d));
        console.error(`labpath serve: skipping the lesson in ${dir}: it does not load (npx labpath lint shows why)`);
      }
    }
    const workshopLesson = workshop ? pickLesson(lessons, values.lesson) : undefined;
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
      lab = await startLabServer({
        port, host, dataDir, siteDir, lessons, kubeconfig: values.kubeconfig && resolve(values.kubeconfig), accessToken, tokenFile, publicUrl: publicUrl?.href, tls, limits, maxLearners, maxLearnersPerAddress, launcher, warmShells,
        workshop: workshop ? { name: workshop, lessonId: workshopLesson!, seats, endsAt, attentionFactor, eventsWebhook, clusterSeats, sharedCluster: values['shared-cluster'] ?? false } : undefined,
      });
    } catch (error) {
      if (error instanceof StartRefused) {
        console.error(`labpath serve: ${error.message}`);
        return 1;
      }
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        console.error(`labpath serve: port ${port} is already in use; pick another with --port, or --port 0 for a free one`);
        return 1;
      }
      throw error;
    }
    const base = publicUrl ? publicUrl.href.replace(/\/$/, '') : lab.url;
    // The token is a secret: it goes to a terminal, never into a log file that a pipe or a service manager keeps.
    const link = tokenValue ? (process.stdout.isTTY ? `?token=${tokenValue}` : '?token=… (the token is not printed where output is not a terminal)') : '';
    if (lab.workshop) await announceWorkshop(lab.workshop, base, dataDir);
    const shells = launcher.confined ? `confined shells: ${launcher.summary}` : 'shells NOT confined';
    console.log(`lab ready: ${lab.url}/${base === lab.url ? link : ''} (${values.kubeconfig ? `on the cluster in ${values.kubeconfig}` : 'a sandbox cluster per learner'}; ${shells})`);
    if (base !== lab.url && !lab.workshop) console.log(`learners open: ${base}/${link}`);
    await untilStopped();
    await lab.close();
    return 0;
  },
};

function parse(args: string[]) {
  const text = { type: 'string' } as const;
  try {
    return parseArgs({
      args, strict: true, allowPositionals: false,
      options: {
        port: text, host: text, kubeconfig: text, data: text, token: text, 'token-file': text, 'public-url': text, 'tls-cert': text, 'tls-key': text, 'memory-limit': text, 'pids-limit': text, 'cpu-weight': text, 'folder-limit': text, 'max-learners': text, 'max-learners-per-address': text, warm: text,
        workshop: text, lesson: text, seats: text, 'ends-at': text, 'attention-factor': text, 'events-webhook': text, 'kubeconfig-dir': text, 'shared-cluster': { type: 'boolean' },
      },
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The seats of --kubeconfig-dir that pass their check, after a table of them all; none is an error said here. */
async function usableSeats(dir: string): Promise<{ name: string; file: string }[]> {
  if (!existsSync(dir)) throw new UsageError(`--kubeconfig-dir ${dir} does not exist; put one kubeconfig per seat in it`);
  const seats = await checkSeats(dir);
  if (seats.length === 0) throw new UsageError(`--kubeconfig-dir ${dir} holds no kubeconfig; put one file per seat in it`);
  console.log(`cluster seats in ${dir}:\n${seatTable(seats)}`);
  const usable = seats.filter((s) => s.problems.length === 0);
  if (usable.length === 0) console.error(`labpath serve: none of the ${seats.length} cluster seats in ${dir} can be used; the table above says why`);
  else if (usable.length < seats.length) console.error(`labpath serve: ${seats.length - usable.length} of ${seats.length} cluster seats cannot be used (see the table); the workshop has ${usable.length}`);
  return usable.map((s) => ({ name: s.name, file: s.file }));
}

/** The workshop's lesson: the one named, or the only one there is. */
function pickLesson(lessons: LoadedLesson[], id: string | undefined): string {
  const ids = lessons.map((l) => l.lesson.id);
  if (id !== undefined) {
    if (!ids.includes(id)) throw new UsageError(`--lesson ${id}: no such lesson loads here; lessons: ${ids.join(', ') || 'none'}`);
    return id;
  }
  if (ids.length !== 1) throw new UsageError(`a workshop runs one lesson: name it with --lesson (lessons here: ${ids.join(', ') || 'none'})`);
  return ids[0]!;
}

/**
 * The workshop's two links. The join link is for the room (a projector, a
 * chat). The console link holds the instructor secret: it goes to a terminal
 * only, and elsewhere into a file of the lab's (0600) whose path is printed.
 */
async function announceWorkshop(workshop: NonNullable<LabServer['workshop']>, base: string, dataDir: string): Promise<void> {
  console.log(`workshop "${workshop.name}": join code ${workshop.joinCode}`);
  console.log(`learners join:      ${base}${workshop.joinPath}`);
  const links = join(dataDir, 'workshop-links.txt');
  await writeFile(links, `learners join:      ${base}${workshop.joinPath}\ninstructor console: ${base}${workshop.consolePath}\n`, { mode: 0o600 });
  if (process.stdout.isTTY) console.log(`instructor console: ${base}${workshop.consolePath}`);
  else console.log(`instructor console: the link is in ${links} (it holds the instructor secret, so it is not printed where output is not a terminal)`);
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--public-url must be an absolute URL such as https://lab.example.org, not "${text}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--public-url must be http:// or https://, not ${url.protocol}`);
  return url;
}

function readPem(file: string, flag: string): string {
  let pem: string;
  try {
    pem = readFileSync(resolve(file), 'utf8');
  } catch (error) {
    throw new UsageError(`${flag}: cannot read ${resolve(file)} (${(error as NodeJS.ErrnoException).code})`);
  }
  if (!pem.includes('-----BEGIN ')) throw new UsageError(`${flag}: ${resolve(file)} is not a PEM file (no -----BEGIN line)`);
  return pem;
}

function count(value: string | undefined, flag: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, not "${value}"`);
  return n;
}
