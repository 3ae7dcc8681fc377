/**
 * The lab on one origin: the built site, the lab API and the WebSocket. Each
 * learner is a session (an HttpOnly cookie) with, per lesson, a cluster of
 * their own (or the real cluster the lab was given), a folder and a shell
 * confined in its sandbox. Learners, progress and sandbox clusters live under
 * the data directory (private to the lab) and survive restarts.
 *
 * Every learner is taken for hostile: requests must name this lab (Host) and
 * come from its pages (Origin); a lesson page hands out a session but starts
 * nothing; a shell and a cluster start only when that page's WebSocket
 * connects, within caps per address and in all.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { detectConfinement, DEFAULT_LIMITS, giveTree, LEARNER_UID_BASE, logConfinement, type Launcher, type LearnerLimits } from '../confinement/confinement.ts';
import type { LoadedLesson } from '../lesson/load.ts';
import { log } from '../log.ts';
import { SandboxThread } from '../sandbox/sandbox-thread.ts';
import { AccessToken } from './access-token.ts';
import { cleanUp } from './catch-up.ts';
import { clientAddress, contentSecurityPolicy, HostAllowList, inlineScriptHashes, isLoopback, sameHostLocation, securityHeaders } from './http-guard.ts';
import { serveConnection } from './lab-connection.ts';
import { LessonRuntime, type ClusterSource } from './lesson-runtime.ts';
import { folderImage, learnerDirs, lessonPaths } from './data-layout.ts';
import { PendingSessions } from './pending-sessions.ts';
import { StartRefused } from './start-refused.ts';
import { cookie, cookies, escapeHtml, json, plainPage, text } from './http-replies.ts';
import { MAX_MESSAGE_BYTES } from './protocol.ts';
import { newSessionId, SessionStore, WARM_ADDRESS, type Learner } from './session-store.ts';
import { WarmPool } from './warm-pool.ts';
import { ConsoleFeed } from '../workshop/console-feed.ts';
import { EventsWebhook } from '../workshop/events-webhook.ts';
import { statementOf } from '../workshop/workshop-export.ts';
import { WorkshopRoom } from '../workshop/workshop-room.ts';
import { WorkshopRoutes } from '../workshop/workshop-routes.ts';
import { WorkshopStore } from '../workshop/workshop-store.ts';
import { Workshop, type WorkshopSettings } from '../workshop/workshop.ts';
import { serveStatic } from './static-site.ts';

export { isLoopback };
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
  /** A file holding the access token, read again when it changes: a new token revokes the old links and cookies. */
  tokenFile?: string | undefined;
  /** The address learners open (a reverse proxy's, or this machine's name): the Host and Origin the lab answers besides loopback. */
  publicUrl?: string | undefined;
  /** PEM certificate chain and key: the lab serves HTTPS and its cookies are Secure. */
  tls?: { cert: string; key: string } | undefined;
  /** A lesson no page has shown for this long has its shell ended (scrollback and history stay). Default 30 minutes. */
  idleTimeoutMs?: number;
  /** A session not seen for this long ends: its shells, clusters and files go. Default 14 days. */
  sessionTtlMs?: number;
  /** How often a page is pinged; one that misses two pings is disconnected. */
  heartbeatMs?: number;
  /** Per-learner memory, process and CPU limits for their shells. */
  limits?: LearnerLimits;
  /** Learners the lab takes in all, and from one address; shells and sandbox clusters it runs at once. */
  maxLearners?: number;
  maxLearnersPerAddress?: number;
  maxShells?: number;
  maxClusters?: number;
  /** How learner shells start; detected when not given. */
  launcher?: Launcher;
  /** Learner environments (cluster and shell) kept ready per lesson for the next new learners. Default 0. */
  warmShells?: number;
  /**
   * Runs a workshop of this lesson: learners join by name with its join code
   * (instead of an access token), the instructor has a console.
   */
  workshop?: (Omit<WorkshopSettings, 'lesson' | 'clusterSeats'> & { lessonId: string; eventsWebhook?: string | undefined; clusterSeats?: { name: string; file: string }[] | undefined }) | undefined;
}

/** Pages (tabs) one learner may have connected at once. */
const MAX_CONNECTIONS_PER_SESSION = 8;
/** Connections one address may hold open to the lab (pages, assets, WebSockets). */
const MAX_CONNECTIONS_PER_ADDRESS = 256;
const DEFAULT_MAX_LEARNERS = 200;

export interface LabServer {
  url: string;
  /** How learner shells run here: confined and how, or not and why. */
  launcher: Launcher;
  /** A workshop's two links (paths with their secrets; put the lab's address before them). */
  workshop?: { name: string; joinPath: string; consolePath: string; joinCode: string };
  close(): Promise<void>;
}

/** A refusal a learner's page can show: an HTTP status and a sentence that says what to do. */
class Refusal extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export async function startLabServer(options: LabServerOptions): Promise<LabServer> {
  const launcher = options.launcher ?? (await detectConfinement(options.limits ?? DEFAULT_LIMITS));
  if (!options.launcher) logConfinement(launcher);
  if (options.workshop && options.kubeconfig && !options.workshop.sharedCluster)
    throw new StartRefused('a workshop on one --kubeconfig would put every learner on the same cluster, and the lesson changes cluster-wide settings (NNCP, the Network operator): give each learner a cluster of their own with --kubeconfig-dir DIR, or accept the sharing with --shared-cluster');
  if (options.workshop && !launcher.confined) throw new StartRefused(`refusing to run a workshop: learner shells cannot be confined here (${launcher.reason}), and every learner would get a shell as the lab's own user. Install what is missing (bubblewrap), or use labpath serve without --workshop for yourself alone`);
  if (!isLoopback(options.host) && !launcher.confined)
    throw new StartRefused(`refusing to listen on ${options.host}: learner shells cannot be confined here (${launcher.reason}), and every learner would get a shell as the lab's own user. Install what is missing, or serve on 127.0.0.1 for yourself alone`);
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  chmodSync(options.dataDir, 0o700);
  const store = new SessionStore(join(options.dataDir, 'lab.sqlite'));
  const lessons = new Map(options.lessons.map((l) => [l.lesson.id, l]));
  const workshopLesson = options.workshop && lessons.get(options.workshop.lessonId);
  if (options.workshop && !workshopLesson) throw new StartRefused(`the workshop's lesson "${options.workshop.lessonId}" is not among this lab's: ${[...lessons.keys()].join(', ')}`);
  const workshopStore = options.workshop ? new WorkshopStore(join(options.dataDir, 'lab.sqlite')) : undefined;
  let workshop: Workshop | undefined;
  try {
    workshop = options.workshop && workshopStore ? new Workshop(workshopStore, store, { ...options.workshop, lesson: workshopLesson!, clusterSeats: options.workshop.clusterSeats?.map((s) => s.name) }) : undefined;
  } catch (error) {
    workshopStore?.close();
    store.close();
    throw error;
  }
  const seatFiles = options.workshop?.clusterSeats && new Map(options.workshop.clusterSeats.map((s) => [s.name, s.file]));
  const sandbox = options.kubeconfig || seatFiles ? undefined : await SandboxThread.start({ port: 0, host: '127.0.0.1', statePath: join(options.dataDir, 'sandbox.sqlite') });
  privateFiles(options.dataDir);
  moveFirstLayoutFolders(options.dataDir, store, launcher);

  const maxLearners = options.maxLearners ?? DEFAULT_MAX_LEARNERS;
  const maxLearnersPerAddress = options.maxLearnersPerAddress ?? maxLearners;
  const maxShells = options.maxShells ?? maxLearners * 2;
  const maxClusters = options.maxClusters ?? maxLearners * 2;
  const clusters: ClusterSource = sandbox ? sandboxClusters(sandbox, store, maxClusters) : seatFiles ? seatClusters(workshop!, seatFiles) : realCluster(options.kubeconfig!);
  const preloadLabClient = await labClientPreloads(options.siteDir);
  const runtimes = new Map<string, Promise<LessonRuntime>>();
  const pending = new PendingSessions(maxLearnersPerAddress);
  const token = new AccessToken({ token: options.accessToken, file: options.tokenFile });
  const publicUrl = options.publicUrl ? new URL(options.publicUrl) : undefined;
  const secure = options.tls !== undefined || publicUrl?.protocol === 'https:';

  const idleTimeoutMs = options.idleTimeoutMs ?? 30 * 60_000;
  const sessionTtlMs = options.sessionTtlMs ?? 14 * 24 * 3_600_000;
  /** Each learner's open pages, by folder. */
  const pages = new Map<string, Set<WebSocket>>();
  const pageCount = (folder: string) => pages.get(folder)?.size ?? 0;

  const folderCap = launcher.confined ? launcher.folderCap.cap : undefined;
  /** Each learner's folder is capped once, before anything of theirs runs; every lesson of theirs waits for it. */
  const cappedFolders = new Map<string, Promise<void>>();
  const learnerFolder = (folder: string) => learnerDirs(options.dataDir, folder).folder;
  const capFolder = (learner: Learner): Promise<void> => {
    if (!folderCap) return Promise.resolve();
    let capped = cappedFolders.get(learner.folder);
    if (!capped) {
      capped = folderCap.attach(learnerFolder(learner.folder), folderImage(options.dataDir, learner.folder)).then((warning) => {
        if (warning) log.warn('learner folder left without a size cap', { learner: learner.folder.slice(0, 8), reason: warning });
      });
      cappedFolders.set(learner.folder, capped);
      capped.catch(() => cappedFolders.delete(learner.folder));
    }
    return capped;
  };
  const uncapFolders = async (folders: string[]) => {
    for (const folder of folders) cappedFolders.delete(folder);
    await folderCap?.detach(folders.map(learnerFolder));
  };
  const uidOf = (learner: Learner) => (launcher.confined && launcher.perLearnerUid ? LEARNER_UID_BASE + learner.serial : undefined);

  /** A learner-to-be for the warm pool: folder, cluster and shell made, owned by no session (its id is thrown away). */
  const prepareWarm = async (lesson: LoadedLesson): Promise<Learner> => {
    if (store.learnerCount() + store.warmLearners().length >= maxLearners) throw new Refusal(503, 'the lab is full');
    const learner = store.createLearner(newSessionId(), WARM_ADDRESS);
    const runtime = await runtimeFor(learner, lesson);
    // Started now, and at its prompt by the time a learner takes it.
    void runtime.shell.terminal;
    return learner;
  };
  // A workshop's learners are made as they join, by name, each with the workshop's hooks in their runtime: none is taken from a pool.
  const pool = new WarmPool(workshop ? 0 : (options.warmShells ?? 0), prepareWarm);

  /** Ends a learner: their shells are killed, their sandbox clusters removed, their files deleted. */
  const endLearner = async (learner: Learner) => {
    for (const [key, runtime] of runtimes) {
      if (!key.startsWith(`${learner.folder}/`)) continue;
      runtimes.delete(key);
      (await runtime.catch(() => undefined))?.close();
    }
    if (sandbox) for (const clusterToken of store.clusterTokensOf(learner.serial)) await sandbox.removeCluster(clusterToken).catch((error: Error) => log.warn('a learner\'s sandbox cluster was not removed', { error: error.message }));
    store.deleteLearner(learner.serial);
    await uncapFolders([learner.folder]);
    for (const dir of Object.values(learnerDirs(options.dataDir, learner.folder))) await rm(dir, { recursive: true, force: true });
    if (launcher.confined) await launcher.removeLimitGroup(learner.folder);
    log.info('lab learner ended', { learner: learner.folder.slice(0, 8) });
  };
  const sweep = setInterval(() => {
    for (const [key, runtime] of runtimes) {
      if (pool.holds(key.slice(0, key.indexOf('/')))) continue;
      void runtime.then((r) => {
        if (!r.idle(idleTimeoutMs)) return;
        runtimes.delete(key);
        r.close();
      }, () => undefined);
    }
    // Seen last when their page connected: one still connected is here, however long ago that was.
    for (const learner of store.staleLearners(new Date(Date.now() - sessionTtlMs))) if (!pageCount(learner.folder)) void endLearner(learner);
  }, Math.min(60_000, Math.max(100, Math.min(idleTimeoutMs, sessionTtlMs) / 4)));
  sweep.unref();

  /** Set as the lab closes: nothing starts after, and what was starting is ended as it arrives. */
  let closing = false;
  const runtimeFor = (learner: Learner, lesson: LoadedLesson): Promise<LessonRuntime> => {
    const key = `${learner.folder}/${lesson.lesson.id}`;
    let runtime = runtimes.get(key);
    if (!runtime) {
      if (closing) return Promise.reject(new Refusal(503, 'the lab is closing'));
      if (runtimes.size >= maxShells) return Promise.reject(new Refusal(503, `the lab runs as many shells as it may (${maxShells}); try again when someone has left`));
      const inWorkshop = room && lesson === workshopLesson && workshop!.seat(learner.serial);
      runtime = capFolder(learner).then(() =>
        LessonRuntime.open({
          lesson, learner: learner.serial, store, clusters,
          ...(inWorkshop ? { observer: room.observer(learner.serial), unlocked: () => workshop!.unlockedFor(learner.serial) } : {}),
          workspace: { learnerId: learner.folder, uid: uidOf(learner), paths: lessonPaths(options.dataDir, learner.folder, lesson.lesson.id), launcher, limits: launcher.confined ? launcher.limitGroup(learner.folder) : undefined },
        }),
      ).then((opened) => {
        // Opened while the lab closed (its cluster comes from another thread now): its shell would outlive the lab.
        if (!closing) return opened;
        opened.close();
        throw new Refusal(503, 'the lab is closing');
      });
      runtimes.set(key, runtime);
      runtime.catch(() => runtimes.delete(key));
    }
    return runtime;
  };

  const sessionIdOf = (req: IncomingMessage): string | undefined => cookies(req)[SESSION_COOKIE];

  const room: WorkshopRoom | undefined = workshop && new WorkshopRoom(workshop, store, {
    open: (learner) => runtimeFor(learner, workshopLesson!),
    running: (learner) => runtimes.get(`${learner.folder}/${workshopLesson!.lesson.id}`),
    pages: (learner) => pageCount(learner.folder),
    closePages: (learner, reason) => {
      for (const ws of pages.get(learner.folder) ?? []) ws.close(4003, reason);
    },
  });
  const feed = room && new ConsoleFeed(room, store);
  /** The address learners open: links in exports and statements start with it. */
  let baseUrl = '';
  const webhook = workshop && options.workshop?.eventsWebhook ? new EventsWebhook(options.workshop.eventsWebhook, workshopStore!, (event) => statementOf(event, workshop, baseUrl)) : undefined;
  const stopWebhook = webhook && workshop!.subscribe(() => webhook.poke());
  const workshopRoutes = room && new WorkshopRoutes({
    room, feed: feed!, sessions: store, secure,
    hosts: () => hosts,
    sessionCookie: (sessionId) => cookie(SESSION_COOKIE, sessionId, { secure }),
    servePage: (req, res) => serveStatic(options.siteDir, req, res, (html, response) => announceLab(html, response, undefined)),
    baseUrl: () => baseUrl,
  });
  /** In a workshop, a learner is one who joined (has a seat). */
  const seated = (learner: Learner | undefined): learner is Learner => learner !== undefined && (!workshop || workshop.seat(learner.serial) !== undefined);

  /** The access token, where the lab has one; a workshop's learners are let in by their seat instead, where their session is read. */
  const allowed = (req: IncomingMessage): boolean => {
    if (!token.required) return true;
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    return token.cookieMatches(cookies(req)[ACCESS_COOKIE]) || token.matches(bearer);
  };

  /** Why a new learner cannot be taken in now, or undefined when they can. */
  const full = (address: string): string | undefined => {
    if (store.learnerCount() >= maxLearners) return `all ${maxLearners} places in this lab are taken`;
    if (store.learnerCount(address) >= maxLearnersPerAddress) return `your address already has ${maxLearnersPerAddress} learners in this lab`;
    return undefined;
  };

  let hosts = new HostAllowList({ port: options.port, listenHost: options.host, publicUrl });
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error) => {
      log.error('lab request failed', { url: req.url, error: error instanceof Error ? error.stack : String(error) });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('the lab server failed to answer this request; its log says why\n');
    });
  };
  const server: Server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler) : createHttpServer(handler);
  // Slow or idle clients do not hold sockets: headers within 10 s, a request within 30 s, idle keep-alive 5 s.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  server.maxConnections = 4096;
  const perAddress = new Map<string, number>();
  /** Every socket, upgraded ones too (closeAllConnections knows only HTTP's), so that close() leaves none behind. */
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const open = (perAddress.get(address) ?? 0) + 1;
    if (open > MAX_CONNECTIONS_PER_ADDRESS) return socket.destroy();
    perAddress.set(address, open);
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left > 0) perAddress.set(address, left);
      else perAddress.delete(address);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [name, value] of Object.entries(securityHeaders(secure))) res.setHeader(name, value);
    if (!hosts.allows(req.headers.host)) return text(res, 421, 'Misdirected request: this lab does not answer to that host name. Open it at its own address (labpath serve --public-url names it).');
    const url = new URL(req.url ?? '/', 'http://lab');
    if (url.pathname === '/lab/api/health') return json(res, 200, { ok: true });
    if (workshopRoutes && (await workshopRoutes.handle(req, res, url))) return;
    // The site's code and styles hold nothing of anyone's, and the console (whose user has no learner's session) needs them.
    if (workshop && url.pathname.startsWith('/_astro/')) return serveStatic(options.siteDir, req, res);
    const sessionId = sessionIdOf(req);
    // Read once (it marks the learner as seen), and only once a request may go on.
    let learner: Learner | undefined;
    if (workshop) {
      // A workshop's learners come in by its join code: their seat is their access.
      learner = sessionId ? store.learner(sessionId) : undefined;
      if (!seated(learner)) {
        if (req.method === 'GET' && !url.pathname.startsWith('/lab/')) {
          res.writeHead(303, { location: '/join' }).end();
          return;
        }
        return text(res, 401, 'This workshop is for those who joined it: open the join link the instructor shared.');
      }
    } else if (token.required && url.searchParams.has('token')) {
      // The token from the instructor's link becomes a cookie, and leaves the address bar.
      if (!token.matches(url.searchParams.get('token')!)) return text(res, 401, 'This link\'s access token is not (or no longer) this lab\'s: ask the lab\'s host for the current link.');
      url.searchParams.delete('token');
      res.writeHead(303, { location: sameHostLocation(`${url.pathname}${url.search}`), 'set-cookie': cookie(ACCESS_COOKIE, token.cookieValue()!, { secure }) }).end();
      return;
    } else if (!allowed(req)) return text(res, 401, 'This lab needs its access token: open the link with ?token=… that the lab\'s host gave you.');
    // Hashed assets need no session: sparing them a database look-up each keeps page loads quick.
    if (url.pathname.startsWith('/_astro/')) return serveStatic(options.siteDir, req, res);
    learner ??= sessionId ? store.learner(sessionId) : undefined;
    const api = /^\/lab\/api\/lessons\/([a-z0-9-]+)$/.exec(url.pathname);
    if (api) {
      const lesson = lessons.get(api[1]!);
      if (!lesson) return json(res, 404, { error: `no lesson "${api[1]}"; lessons here: ${[...lessons.keys()].join(', ')}` });
      return json(res, 200, { lesson: lesson.lesson.id, gating: lesson.lesson.gating, progress: learner ? store.progress(learner.serial, lesson.lesson.id) : {} });
    }
    // A lesson step page hands out a session (pending until its WebSocket connects) to a browser that has none.
    const stepLesson = /^\/lessons\/([a-z0-9-]+)\/[a-z0-9-]+\/$/.exec(url.pathname)?.[1];
    const lessonPage = stepLesson !== undefined && lessons.has(stepLesson) ? stepLesson : undefined;
    if (lessonPage && !workshop && !learner && !(sessionId && pending.has(sessionId))) {
      const refusal = full(clientAddress(req));
      if (refusal) return fullPage(res, refusal);
      res.setHeader('set-cookie', cookie(SESSION_COOKIE, pending.create(clientAddress(req)), { secure }));
    }
    return serveStatic(options.siteDir, req, res, (html, response) => announceLab(html, response, lessonPage));
  }

  /**
   * Tells the page a lab is here, lets the browser fetch the terminal code
   * while it reads the page (other pages fetch it ahead for the steps they
   * lead to), opens the lab's WebSocket from the head (the shell starts when
   * it connects, so it starts while the page loads), and allows the page's
   * own inline scripts.
   */
  function announceLab(html: string, res: ServerResponse, lessonId: string | undefined): string {
    let page = html;
    if (html.includes('data-lab-panel')) {
      const socket = lessonId ? `<script>(()=>{const socket=new WebSocket((location.protocol==='https:'?'wss://':'ws://')+location.host+'/lab/ws/${lessonId}');socket.binaryType='arraybuffer';const early=[];socket.onmessage=(e)=>early.push(e);window.labpathSocket={socket,early};})()</script>` : '';
      // First in the head: a script after a stylesheet would wait for it.
      page = html
        .replace('<meta charset="utf-8">', `<meta charset="utf-8">${socket}`)
        .replace('</head>', `<meta name="labpath-lab" content="1">${preloadLabClient}</head>`)
        // Laid out with the panel from the first paint: shown later by script, the whole page would move and be laid out again.
        .replace(/<body(?=[\s>])/, '<body data-lab="on"')
        .replace(/(<aside [^>]*data-lab-panel[^>]*?) hidden(?=[\s>])/, '$1');
    } else {
      // The pages a learner comes through on the way to a step fetch and compile the terminal's code ahead.
      page = html.replace('</head>', `${preloadLabClient}</head>`);
    }
    res.setHeader('content-security-policy', contentSecurityPolicy(inlineScriptHashes(page)));
    return page;
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: false });
  const revoke = token.onRevoked(() => {
    for (const client of wss.clients) client.close(4001, 'the lab\'s access token changed');
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Answered, then closed from this side too: a client that keeps its end open does not hold the socket.
    const refuse = (code: number, reason: string) => socket.end(`HTTP/1.1 ${code} ${reason}\r\ncontent-type: text/plain; charset=utf-8\r\nconnection: close\r\n\r\n${reason}\n`, () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://lab');
    if (!hosts.allows(req.headers.host)) return refuse(421, 'Misdirected Request: this lab does not answer to that host name');
    if (workshopRoutes?.upgrade(req, socket, head, url, refuse)) return;
    const match = /^\/lab\/ws\/([a-z0-9-]+)$/.exec(url.pathname);
    if (!match) return refuse(404, 'Not Found');
    // A page of another site must not drive a learner's shell with their cookie.
    if (!hosts.allowsOrigin(req.headers.origin)) return refuse(403, 'Forbidden: cross-origin WebSocket');
    if (!allowed(req)) return refuse(401, 'Unauthorized: this lab needs its access token');
    const lesson = lessons.get(match[1]!);
    if (!lesson || (workshop && lesson !== workshopLesson)) return refuse(404, 'Not Found: no such lesson');
    const sessionId = sessionIdOf(req);
    let learner = sessionId ? store.learner(sessionId) : undefined;
    if (workshop && !seated(learner)) return refuse(401, 'Unauthorized: join the workshop first, with the link the instructor shared');
    if (!learner) {
      if (!sessionId || !pending.has(sessionId)) return refuse(401, 'Unauthorized: open the lesson page first, it starts your session');
      const refusal = full(clientAddress(req));
      if (refusal) return refuse(503, `Service Unavailable: ${refusal}`);
      pending.take(sessionId);
      const warm = pool.take(lesson);
      learner = warm ? store.claimLearner(warm.serial, sessionId, clientAddress(req)) : store.createLearner(sessionId, clientAddress(req));
      log.info('lab learner joined', { learner: learner.folder.slice(0, 8), warm: Boolean(warm) });
    }
    const open = pageCount(learner.folder);
    if (open >= MAX_CONNECTIONS_PER_SESSION) return refuse(429, `Too Many Requests: ${open} lab pages are open for this learner; close one`);
    const joined = learner;
    const folder = learner.folder;
    runtimeFor(learner, lesson).then(
      (runtime) =>
        wss.handleUpgrade(req, socket, head, (ws) => {
          const open = pages.get(folder) ?? new Set();
          pages.set(folder, open.add(ws));
          ws.on('close', () => {
            open.delete(ws);
            if (open.size === 0) pages.delete(folder);
            room?.pagesChanged(joined);
          });
          serveConnection(ws, runtime, options.heartbeatMs, room && lesson === workshopLesson ? room.pageSeat(joined.serial) : undefined);
          room?.pagesChanged(joined);
        }),
      (error) => {
        if (error instanceof Refusal) return refuse(error.status, `${error.status === 503 ? 'Service Unavailable' : 'Refused'}: ${error.message}`);
        log.error('lab session could not start', { lesson: lesson.lesson.id, error: error instanceof Error ? error.stack : String(error) });
        refuse(500, 'Internal Server Error: the lesson environment could not start');
      },
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  // Warm learners of an earlier run are nobody's: they go, and the pool is made anew.
  for (const learner of store.warmLearners()) await endLearner(learner);
  await Promise.all(options.lessons.map((lesson) => pool.fill(lesson)));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  // With --port 0 the port is known only now: loopback names on it are this lab.
  if (options.port === 0) hosts = new HostAllowList({ port, listenHost: options.host, publicUrl });
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `${options.tls ? 'https' : 'http'}://${shownHost}:${port}`;
  baseUrl = publicUrl ? publicUrl.href.replace(/\/$/, '') : url;
  webhook?.poke();
  return {
    url,
    launcher,
    ...(workshop ? { workshop: { name: workshop.name, joinCode: workshop.joinCode, joinPath: `/join?code=${encodeURIComponent(workshop.joinCode)}`, consolePath: `/instructor?key=${encodeURIComponent(workshop.instructorSecret)}` } } : {}),
    async close() {
      closing = true;
      clearInterval(sweep);
      stopWebhook?.();
      webhook?.close();
      feed?.close();
      room?.close();
      workshopRoutes?.close();
      pool.close();
      revoke();
      token.close();
      for (const client of wss.clients) client.terminate();
      for (const runtime of runtimes.values()) (await runtime.catch(() => undefined))?.close();
      // Made again at the next start; left, every closed lab would leave a group per learner in the kernel.
      if (launcher.confined) await launcher.removeLimitGroups();
      await uncapFolders([...cappedFolders.keys()]).catch((error) => log.warn('learner folders did not all unmount', { error: String(error) }));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Browsers keep idle keep-alive connections open; they would hold close() for minutes.
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await closed;
      await sandbox?.close();
      workshopStore?.close();
      store.close();
    },
  };
}

/**
 * Preload links for the terminal's code: the lab client's chunk and the
 * chunks it imports (xterm.js, which the instructor's console shares and so
 * gets a chunk of its own), so that none waits for another to arrive.
 */
async function labClientPreloads(siteDir: string): Promise<string> {
  const assets = join(siteDir, '_astro');
  const chunk = (await readdir(assets).catch(() => [] as string[])).find((f) => /^lab-client\.[\w-]+\.js$/.test(f));
  if (!chunk) return '';
  const code = await readFile(join(assets, chunk), 'utf8');
  const imported = [...code.matchAll(/\bfrom\s*["']\.\/([\w.-]+\.js)["']/g)].map((m) => m[1]!);
  return [chunk, ...imported].map((file) => `<link rel="modulepreload" href="/_astro/${file}">`).join('');
}

/** The data directory's databases are the lab's alone: 0600, in a 0700 directory. */
function privateFiles(dataDir: string): void {
  for (const file of readdirSync(dataDir)) if (/\.sqlite(-wal|-shm)?$/.test(file)) chmodSync(join(dataDir, file), 0o600);
}

/**
 * Folders of the first layout (sessions/<session id>/<lesson>, with the
 * scrollback in the learner's home) move to this one's, as the store's own
 * migration said; nothing of a learner's is lost.
 */
function moveFirstLayoutFolders(dataDir: string, store: SessionStore, launcher: Launcher): void {
  for (const move of store.moves) {
    const from = join(dataDir, 'sessions', move.from);
    if (!existsSync(from)) continue;
    const to = learnerDirs(dataDir, move.to).folder;
    mkdirSync(dirname(to), { recursive: true, mode: 0o700 });
    renameSync(from, to);
    for (const lesson of readdirSync(to)) {
      const scrollback = join(to, lesson, 'home', '.labpath-scrollback');
      if (existsSync(scrollback)) {
        const privateDir = lessonPaths(dataDir, move.to, lesson).private;
        mkdirSync(privateDir, { recursive: true, mode: 0o700 });
        renameSync(scrollback, join(privateDir, 'scrollback'));
      }
    }
    // No shell of theirs runs yet: their folder can be walked and given to their uid safely.
    const learner = store.learnerByFolder(move.to);
    if (learner && launcher.confined && launcher.perLearnerUid) giveTree(to, LEARNER_UID_BASE + learner.serial);
  }
}

function sandboxClusters(host: SandboxThread, store: SessionStore, maxClusters: number): ClusterSource {
  const fresh = async (learner: number, lesson: LoadedLesson) => {
    if (host.clusterCount >= maxClusters) throw new Refusal(503, `the lab runs as many sandbox clusters as it may (${maxClusters}); try again when someone has left`);
    const handle = await host.addCluster(lesson.lesson.environment, lesson.lesson.id);
    store.setClusterToken(learner, lesson.lesson.id, handle.token);
    return handle.kubeconfig;
  };
  return {
    async kubeconfig(learner, lesson) {
      const clusterToken = store.clusterToken(learner, lesson.lesson.id);
      return (clusterToken && (await host.kubeconfig(clusterToken))) || fresh(learner, lesson);
    },
    resetFor: (lesson) => async (learner) => {
      const clusterToken = store.clusterToken(learner, lesson.lesson.id);
      if (clusterToken) await host.removeCluster(clusterToken);
      return fresh(learner, lesson);
    },
  };
}

function realCluster(kubeconfigFile: string): ClusterSource {
  return { kubeconfig: () => readFile(kubeconfigFile, 'utf8'), resetFor: () => 'this lab runs on a shared real cluster, which cannot be reset from here: it would undo everyone\'s work; use the lesson\'s cleanup commands' };
}

/** Each learner on the real cluster of their workshop seat, its kubeconfig read anew each time (a platform may rotate its credentials). */
function seatClusters(workshop: Workshop, files: Map<string, string>): ClusterSource {
  const fileOf = (learner: number) => {
    const seat = workshop.seat(learner)?.clusterSeat;
    const file = seat && files.get(seat);
    if (!file) throw new Error(`learner ${learner} holds no usable cluster seat${seat ? ` (theirs, "${seat}", failed its check at start)` : ''}`);
    return file;
  };
  return {
    kubeconfig: async (learner) => readFile(fileOf(learner), 'utf8'),
    // A seat's cluster cannot be made anew, but it is the learner's alone: the lesson's cleanup hands it back as the lesson found it.
    resetFor: (lesson) =>
      lesson.lesson.cleanup.length === 0
        ? `your cluster is a real one of your own, and lesson ${lesson.lesson.id} has no cleanup commands to hand it back as the lesson found it; delete what you made yourself, or ask the instructor`
        : async (learner, scratch) => {
            const cleaned = await cleanUp(lesson, fileOf(learner), scratch);
            if (!cleaned.ok) throw new Error(cleaned.error);
            return readFile(fileOf(learner), 'utf8');
          },
  };
}

/** What a learner sees when the lab cannot take them in: why, and what to do. */
function fullPage(res: ServerResponse, reason: string): void {
  plainPage(res, 503, 'This lab is full', `<p>${escapeHtml(reason)}, so it cannot give you a terminal and a cluster now.</p><p>Try again when someone has left, or ask the person running the lab to make room (<code>labpath serve --max-learners</code>).</p>`, { 'retry-after': '60' });
}
