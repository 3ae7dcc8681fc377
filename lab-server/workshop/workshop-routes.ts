/**
 * A workshop's addresses: /join (the learners' way in, by join code and
 * name), /instructor (the console, its API and its WebSockets; only with the
 * instructor secret, as a bearer token or the cookie its link sets). Nothing
 * here answers to a learner's cookie alone.
 */
import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { clientAddress, sameHostLocation, type HostAllowList } from '../lab/http-guard.ts';
import { heartbeat } from '../lab/heartbeat.ts';
import { cookie, cookies, escapeHtml, json, plainPage, readBody, text } from '../lab/http-replies.ts';
import { HEARTBEAT_MS } from '../lab/lab-connection.ts';
import type { SessionStore } from '../lab/session-store.ts';
import { AttemptLimiter } from './attempt-limiter.ts';
import type { ConsoleFeed } from './console-feed.ts';
import { isInstructorAction, runAction } from './instructor-actions.ts';
import { MAX_NAME_LENGTH, secretMatches } from './seat-codes.ts';
import { serveWatch } from './terminal-watch.ts';
import { exportJson, rowsCsv, statementOf, stepRows } from './workshop-export.ts';
import type { WorkshopRoom } from './workshop-room.ts';

const INSTRUCTOR_COOKIE = 'labpath_instructor';
const MAX_FORM_BYTES = 4096;
const MAX_ACTION_BYTES = 16 * 1024;

export interface WorkshopRoutesOptions {
  room: WorkshopRoom;
  feed: ConsoleFeed;
  sessions: SessionStore;
  secure: boolean;
  hosts: () => HostAllowList;
  /** The Set-Cookie value that makes a browser this session's. */
  sessionCookie: (sessionId: string) => string;
  /** Serves the built site's page for a path (the console's page). */
  servePage: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** The address learners open, for the links in exports and statements. */
  baseUrl: () => string;
}

export class WorkshopRoutes {
  private readonly options: WorkshopRoutesOptions;
  private readonly limiter = new AttemptLimiter();
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, perMessageDeflate: false });

  constructor(options: WorkshopRoutesOptions) {
    this.options = options;
  }

  /** Whether the request was one of the workshop's (and has been answered). */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (url.pathname === '/join' || url.pathname === '/join/') {
      await this.join(req, res, url);
      return true;
    }
    if (url.pathname !== '/instructor' && !url.pathname.startsWith('/instructor/')) return false;
    const { room } = this.options;
    const key = url.searchParams.get('key');
    if (key !== null) {
      if (!secretMatches(key, room.workshop.instructorSecret)) {
        this.limiter.fail(clientAddress(req));
        plainPage(res, 401, 'Not the instructor\'s link', '<p>This link\'s instructor key is not this workshop\'s. Use the console link <code>labpath serve --workshop</code> printed (or wrote to its links file).</p>');
        return true;
      }
      res.writeHead(303, { location: '/instructor/', 'set-cookie': cookie(INSTRUCTOR_COOKIE, this.cookieValue(), { secure: this.options.secure, path: '/instructor', sameSite: 'Strict' }) }).end();
      return true;
    }
    if (!this.isInstructor(req)) {
      if (url.pathname.startsWith('/instructor/api/')) json(res, 401, { error: 'the instructor console needs the instructor secret: send it as "Authorization: Bearer SECRET", or open the console link once' });
      else plainPage(res, 401, 'The instructor console', '<p>This page is the workshop\'s instructor console. Open it with the console link <code>labpath serve --workshop</code> printed; a learner\'s join link does not open it.</p>');
      return true;
    }
    const api = /^\/instructor\/api\/([a-z.-]+)$/.exec(url.pathname)?.[1];
    if (api === undefined) {
      await this.options.servePage(req, res);
      return true;
    }
    await this.api(req, res, api);
    return true;
  }

  /** Whether the upgrade was one of the workshop's (and has been answered or refused). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL, refuse: (code: number, reason: string) => void): boolean {
    if (url.pathname !== '/instructor/ws' && url.pathname !== '/instructor/ws/watch') return false;
    if (!this.options.hosts().allowsOrigin(req.headers.origin)) refuse(403, 'Forbidden: cross-origin WebSocket');
    else if (!this.isInstructor(req)) refuse(401, 'Unauthorized: the console needs the instructor secret');
    else if (url.pathname === '/instructor/ws') this.wss.handleUpgrade(req, socket, head, (ws) => this.serveFeed(ws));
    else this.watch(req, socket, head, url, refuse);
    return true;
  }

  close(): void {
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
  }

  private watch(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL, refuse: (code: number, reason: string) => void): void {
    const { room } = this.options;
    const seat = room.workshop.seatByName(url.searchParams.get('learner') ?? '');
    const learner = seat && room.learner(seat.learner);
    if (!seat || !learner) return refuse(404, 'Not Found: nobody has joined by that name');
    room.lab.open(learner).then(
      (runtime) =>
        this.wss.handleUpgrade(req, socket, head, (ws) => {
          heartbeat(ws, HEARTBEAT_MS);
          serveWatch(ws, runtime, seat.learner, room);
        }),
      (error: Error) => refuse(503, `Service Unavailable: the learner's shell cannot start now (${error.message})`),
    );
  }

  private serveFeed(ws: WebSocket): void {
    const { feed } = this.options;
    const send = (message: object) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    send(feed.snapshot());
    const unsubscribe = feed.subscribe(send);
    heartbeat(ws, HEARTBEAT_MS);
    ws.on('close', unsubscribe);
    ws.on('error', () => ws.terminate());
  }

  private async api(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
    const { room, sessions } = this.options;
    const { workshop } = room;
    if (req.method === 'GET') {
      if (name === 'state') return json(res, 200, this.options.feed.snapshot());
      if (name === 'export.csv') {
        const file = workshop.name.replace(/[^\w.-]+/g, '-');
        res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${file}.csv"`, 'cache-control': 'no-store' }).end(rowsCsv(stepRows(workshop, sessions)));
        return;
      }
      if (name === 'export.json') return json(res, 200, exportJson(workshop, sessions));
      if (name === 'statements.json') {
        const base = this.options.baseUrl();
        return json(res, 200, workshop.events().map((event) => statementOf(event, workshop, base)));
      }
      return json(res, 404, { error: `no ${name} here; the console reads state, export.csv, export.json and statements.json` });
    }
    if (req.method !== 'POST') return json(res, 405, { error: 'the console\'s actions are POSTed, its exports are GETs' });
    // A cross-site form cannot send JSON: with the type required, no other page can act with the console's cookie.
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return json(res, 415, { error: 'send the action\'s body as JSON (content-type: application/json)' });
    if (!this.ownPage(req)) return json(res, 403, { error: 'actions come from the console\'s own page' });
    if (!isInstructorAction(name)) return json(res, 404, { error: `no action "${name}"; actions: seats, extend, broadcast, unlock, answer, reset` });
    const body = await readBody(req, MAX_ACTION_BYTES);
    if (!body.ok) return json(res, 413, { error: body.error });
    let value: unknown;
    try {
      value = JSON.parse(body.body || '{}');
    } catch {
      return json(res, 400, { error: `the body of ${name} is not JSON` });
    }
    const reply = await runAction(room, name, value);
    json(res, reply.status, reply.body);
  }

  private async join(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const { room } = this.options;
    const { workshop } = room;
    if (req.method === 'GET' || req.method === 'HEAD') return this.joinForm(res, 200, { code: url.searchParams.get('code') ?? '' });
    if (req.method !== 'POST') return text(res, 405, 'the join page is GET, the form POSTs to it');
    if (!this.ownPage(req)) return text(res, 403, 'the join form is sent from the workshop\'s own page');
    const address = clientAddress(req);
    const wait = this.limiter.waitMs(address);
    if (wait > 0) return plainPage(res, 429, 'Too many wrong codes', `<p>This address has typed too many wrong codes. Try again in ${Math.ceil(wait / 60_000)} minutes, with the code the instructor shared.</p>`, { 'retry-after': String(Math.ceil(wait / 1000)) });
    const body = await readBody(req, MAX_FORM_BYTES);
    if (!body.ok) return text(res, 413, body.error);
    const form = new URLSearchParams(body.body);
    const input = { code: form.get('code') ?? undefined, name: form.get('name') ?? undefined, rejoinCode: form.get('rejoin') || undefined };
    const outcome = workshop.join(input, address);
    if (!outcome.ok) {
      if (outcome.wrongCode) this.limiter.fail(address);
      if (outcome.status === 503 || outcome.status === 410) return plainPage(res, outcome.status, outcome.status === 503 ? 'This workshop is full' : 'This workshop has ended', `<p>${escapeHtml(outcome.error)}</p>`, outcome.status === 503 ? { 'retry-after': '60' } : {});
      return this.joinForm(res, outcome.status, { code: input.code ?? '', name: input.name ?? '', error: outcome.error, rejoin: outcome.needsRejoinCode ?? false });
    }
    const learner = outcome.learner;
    if (outcome.rejoined) room.lab.closePages(learner, 'you joined this workshop from another browser; this page no longer has your seat');
    const step = workshop.ledger(learner.serial).currentStep ?? workshop.lesson.steps[0]!.step.id;
    res.writeHead(303, { location: sameHostLocation(`/lessons/${workshop.lesson.lesson.id}/${step}/`), 'set-cookie': this.options.sessionCookie(outcome.sessionId) }).end();
  }

  private joinForm(res: ServerResponse, status: number, values: { code: string; name?: string; error?: string; rejoin?: boolean }): void {
    const { workshop } = this.options.room;
    const field = (label: string, name: string, value: string, extra: string) =>
      `<p><label for="${name}" style="display:block;font-weight:600">${label}</label><input id="${name}" name="${name}" value="${escapeHtml(value)}" ${extra} style="font:inherit;padding:.4rem;width:100%;box-sizing:border-box"></p>`;
    const error = values.error ? `<p role="alert" data-join-error style="color:#a40e26;font-weight:600">${escapeHtml(values.error)}</p>` : '';
    const body = `<p>Workshop <strong>${escapeHtml(workshop.name)}</strong>: ${escapeHtml(workshop.lesson.lesson.title)}.</p>${error}
<form method="post" action="/join">
${field('Join code', 'code', values.code, 'required autocomplete="off" autocapitalize="characters" spellcheck="false"')}
${field('Your name, as the instructor will see it', 'name', values.name ?? '', `required maxlength="${MAX_NAME_LENGTH}" autocomplete="nickname"${values.code ? ' autofocus' : ''}`)}
${values.rejoin ? field('Your rejoin code (shown at the top of your lab page)', 'rejoin', '', 'required autocomplete="off" autocapitalize="characters" spellcheck="false" autofocus') : ''}
<p><button type="submit" style="font:inherit;padding:.4rem 1rem">Join</button></p>
</form>`;
    plainPage(res, status, `Join ${workshop.name}`, body);
  }

  /**
   * Whether a POST comes from the lab's own pages: no foreign Origin. The
   * lab's pages send none, or "null", since their referrer policy is
   * no-referrer; a cross-site form cannot send the console's JSON, nor
   * carry its SameSite=Strict cookie.
   */
  private ownPage(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    return origin === undefined || origin === 'null' || this.options.hosts().allowsOrigin(origin);
  }

  private cookieValue(): string {
    return createHmac('sha256', this.options.room.workshop.instructorSecret).update('labpath-instructor-cookie').digest('base64url');
  }

  private isInstructor(req: IncomingMessage): boolean {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    return secretMatches(bearer, this.options.room.workshop.instructorSecret) || secretMatches(cookies(req)[INSTRUCTOR_COOKIE], this.cookieValue());
  }
}
