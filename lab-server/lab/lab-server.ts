/**
 * The lab on one origin: the built site, the lab API and the WebSocket. Each
 * learner is a session (an HttpOnly cookie) with, per lesson, a cluster of
 * their own (or the real cluster the lab was given), a working directory and
 * a shell. Sessions, progress and sandbox clusters live under the data
 * directory and survive restarts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import type { LoadedLesson } from '../lesson/load.ts';
import { log } from '../log.ts';
import { SandboxHost } from '../sandbox/sandbox-host.ts';
import { serveConnection } from './lab-connection.ts';
import { LessonRuntime, type ClusterSource } from './lesson-runtime.ts';
import { MAX_MESSAGE_BYTES } from './protocol.ts';
import { SessionStore } from './session-store.ts';
import { serveStatic } from './static-site.ts';

export const SESSION_COOKIE = 'labpath_session';
const ACCESS_COOKIE = 'labpath_access';

export interface LabServerOptions {
  port: number;
  host: string;
  dataDir: string;
  siteDir: string;
  lessons: LoadedLesson[];
  /** A real cluster every learner works on; without it each learner gets a sandbox. */
  kubeconfig?: string | undefined;
  /** Required on every request when set (the lab is reachable beyond this machine). */
  accessToken?: string | undefined;
  /** A lesson no page has shown for this long has its shell ended (scrollback and history stay). Default 30 minutes. */
  idleTimeoutMs?: number;
  /** A session not seen for this long ends: its shells, clusters and files go. Default 14 days. */
  sessionTtlMs?: number;
  /** How often a page is pinged; one that misses two pings is disconnected. */
  heartbeatMs?: number;
}

/** Pages (tabs) one learner may have connected at once. */
const MAX_CONNECTIONS_PER_SESSION = 8;

export interface LabServer {
  url: string;
  close(): Promise<void>;
}


export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export async function startLabServer(options: LabServerOptions): Promise<LabServer> {
  await mkdir(options.dataDir, { recursive: true });
  const store = new SessionStore(join(options.dataDir, 'lab.sqlite'));
  const sandbox = options.kubeconfig ? undefined : await SandboxHost.start({ port: 0, host: '127.0.0.1', statePath: join(options.dataDir, 'sandbox.sqlite') });
  const clusters: ClusterSource = sandbox ? sandboxClusters(sandbox, store) : realCluster(options.kubeconfig!);
  const lessons = new Map(options.lessons.map((l) => [l.lesson.id, l]));
  const labClientChunk = (await readdir(join(options.siteDir, '_astro')).catch(() => [] as string[])).find((f) => /^lab-client\.[\w-]+\.js$/.test(f));
  const runtimes = new Map<string, Promise<LessonRuntime>>();

  const idleTimeoutMs = options.idleTimeoutMs ?? 30 * 60_000;
  const sessionTtlMs = options.sessionTtlMs ?? 14 * 24 * 3_600_000;
  const connections = new Map<string, number>();

  /** Ends a session: its shells are killed, its sandbox clusters removed, its files deleted. */
  const endSession = async (sessionId: string) => {
    for (const [key, runtime] of runtimes) {
      if (!key.startsWith(`${sessionId}/`)) continue;
      runtimes.delete(key);
      (await runtime.catch(() => undefined))?.close();
    }
    if (sandbox) for (const token of store.clusterTokensOf(sessionId)) sandbox.removeCluster(token);
    store.deleteSession(sessionId);
    await rm(join(options.dataDir, 'sessions', sessionId), { recursive: true, force: true });
    log.info('lab session ended', { session: sessionId.slice(0, 6) });
  };
  const sweep = setInterval(() => {
    for (const [key, runtime] of runtimes) {
      void runtime.then((r) => {
        if (!r.idle(idleTimeoutMs)) return;
        runtimes.delete(key);
        r.close();
      }, () => undefined);
    }
    for (const id of store.staleSessions(new Date(Date.now() - sessionTtlMs))) void endSession(id);
  }, Math.min(60_000, Math.max(100, Math.min(idleTimeoutMs, sessionTtlMs) / 4)));
  sweep.unref();

  const runtimeFor = (sessionId: string, lesson: LoadedLesson): Promise<LessonRuntime> => {
    const key = `${sessionId}/${lesson.lesson.id}`;
    let runtime = runtimes.get(key);
    if (!runtime) {
      const sessionDir = join(options.dataDir, 'sessions', sessionId);
      runtime = LessonRuntime.open({ lesson, sessionId, store, clusters, root: join(sessionDir, lesson.lesson.id), isolation: { hide: options.dataDir, keep: sessionDir } });
      runtimes.set(key, runtime);
      runtime.catch(() => runtimes.delete(key));
    }
    return runtime;
  };

  /** The request's session: the cookie's, if the store knows it. */
  const sessionOf = (req: IncomingMessage): string | undefined => {
    const id = cookies(req)[SESSION_COOKIE];
    return id && store.touch(id) ? id : undefined;
  };

  const allowed = (req: IncomingMessage): boolean => {
    if (!options.accessToken) return true;
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    return cookies(req)[ACCESS_COOKIE] === options.accessToken || bearer === options.accessToken;
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      log.error('lab request failed', { url: req.url, error: error instanceof Error ? error.stack : String(error) });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('the lab server failed to answer this request; its log says why\n');
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://lab');
    if (options.accessToken && url.searchParams.get('token') === options.accessToken) {
      // The token from the instructor's link becomes a cookie, and leaves the address bar.
      url.searchParams.delete('token');
      res.writeHead(303, { location: `${url.pathname}${url.search}`, 'set-cookie': cookie(ACCESS_COOKIE, options.accessToken) }).end();
      return;
    }
    if (!allowed(req)) {
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' }).end('This lab needs its access token: open the link with ?token=… that the lab\'s host gave you.\n');
      return;
    }
    // Hashed assets need no session: sparing them a database write each keeps page loads quick.
    if (url.pathname.startsWith('/_astro/')) return serveStatic(options.siteDir, req, res);
    let sessionId = sessionOf(req);
    const headers: Record<string, string> = {};
    if (!sessionId) {
      sessionId = store.createSession();
      headers['set-cookie'] = cookie(SESSION_COOKIE, sessionId);
    }
    const api = /^\/lab\/api\/lessons\/([a-z0-9-]+)$/.exec(url.pathname);
    if (api) {
      const lesson = lessons.get(api[1]!);
      if (!lesson) return json(res, 404, { error: `no lesson "${api[1]}"; lessons here: ${[...lessons.keys()].join(', ')}` }, headers);
      return json(res, 200, { lesson: lesson.lesson.id, gating: lesson.lesson.gating, progress: store.progress(sessionId, lesson.lesson.id) }, headers);
    }
    if (url.pathname === '/lab/api/health') return json(res, 200, { ok: true }, headers);
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    // Opening a step page starts the learner's shell, so it is ready by the time the terminal connects.
    const step = /^\/lessons\/([a-z0-9-]+)\/[a-z0-9-]+\/$/.exec(url.pathname);
    const lesson = step && lessons.get(step[1]!);
    if (lesson) void runtimeFor(sessionId, lesson).then((runtime) => runtime.terminal).catch(() => undefined);
    return serveStatic(options.siteDir, req, res, announceLab);
  }

  /** Tells the page a lab is here, and lets the browser fetch the terminal code while it reads the page. */
  function announceLab(html: string): string {
    if (!html.includes('data-lab-panel')) return html;
    const preload = labClientChunk ? `<link rel="modulepreload" href="/_astro/${labClientChunk}">` : '';
    return html.replace('</head>', `<meta name="labpath-lab" content="1">${preload}</head>`);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: false });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refuse = (code: number, text: string) => socket.end(`HTTP/1.1 ${code} ${text}\r\ncontent-type: text/plain; charset=utf-8\r\nconnection: close\r\n\r\n${text}\n`);
    const url = new URL(req.url ?? '/', 'http://lab');
    const match = /^\/lab\/ws\/([a-z0-9-]+)$/.exec(url.pathname);
    if (!match) return refuse(404, 'Not Found');
    // A page of another site must not drive a learner's shell with their cookie.
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${req.headers.host}`) return refuse(403, 'Forbidden: cross-origin WebSocket');
    if (!allowed(req)) return refuse(401, 'Unauthorized: this lab needs its access token');
    const sessionId = sessionOf(req);
    if (!sessionId) return refuse(401, 'Unauthorized: open the lesson page first, it starts your session');
    const lesson = lessons.get(match[1]!);
    if (!lesson) return refuse(404, 'Not Found: no such lesson');
    const open = connections.get(sessionId) ?? 0;
    if (open >= MAX_CONNECTIONS_PER_SESSION) return refuse(429, `Too Many Requests: ${open} lab pages are open for this learner; close one`);
    runtimeFor(sessionId, lesson).then(
      (runtime) =>
        wss.handleUpgrade(req, socket, head, (ws) => {
          connections.set(sessionId, (connections.get(sessionId) ?? 0) + 1);
          ws.on('close', () => connections.set(sessionId, (connections.get(sessionId) ?? 1) - 1));
          serveConnection(ws, runtime, options.heartbeatMs);
        }),
      (error) => {
        log.error('lab session could not start', { lesson: lesson.lesson.id, error: error instanceof Error ? error.stack : String(error) });
        refuse(500, 'Internal Server Error: the lesson environment could not start');
      },
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${shownHost}:${port}`,
    async close() {
      clearInterval(sweep);
      for (const client of wss.clients) client.terminate();
      for (const runtime of runtimes.values()) (await runtime.catch(() => undefined))?.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Browsers keep idle keep-alive connections open; they would hold close() for minutes.
      server.closeAllConnections();
      await closed;
      await sandbox?.close();
      store.close();
    },
  };
}

function sandboxClusters(host: SandboxHost, store: SessionStore): ClusterSource {
  const fresh = (sessionId: string, lesson: LoadedLesson) => {
    const handle = host.addCluster(lesson.lesson.environment, lesson.lesson.id);
    store.setClusterToken(sessionId, lesson.lesson.id, handle.token);
    return handle.kubeconfig;
  };
  return {
    kubeconfig(sessionId, lesson) {
      const token = store.clusterToken(sessionId, lesson.lesson.id);
      return (token && host.clusterHandle(token)?.kubeconfig) ?? fresh(sessionId, lesson);
    },
    reset(sessionId, lesson) {
      const token = store.clusterToken(sessionId, lesson.lesson.id);
      if (token) host.removeCluster(token);
      return fresh(sessionId, lesson);
    },
  };
}

function realCluster(kubeconfigFile: string): ClusterSource {
  return { kubeconfig: () => readFileSync(kubeconfigFile, 'utf8'), reset: () => undefined };
}

function cookies(req: IncomingMessage): Record<string, string> {
  const pairs = (req.headers.cookie ?? '').split(';').flatMap((part) => {
    const at = part.indexOf('=');
    if (at < 0) return [];
    try {
      return [[part.slice(0, at).trim(), decodeURIComponent(part.slice(at + 1).trim())] as const];
    } catch {
      return [];
    }
  });
  return Object.fromEntries(pairs);
}

function cookie(name: string, value: string): string {
  return `${name}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000`;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers }).end(`${JSON.stringify(body)}\n`);
}
