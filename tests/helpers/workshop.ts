/** A workshop lab in this process, learners who join it as a browser's form would, and the instructor's API and live feed. */
import WebSocket from 'ws';
import type { ConsoleMessage, LearnerView } from '../../lab-server/workshop/console-feed.ts';
import { LabSocket } from './lab.ts';
import { startLab, type TestLab } from './lab.ts';
import { LESSON_ID } from './paths.ts';
import type { LabServerOptions } from '../../lab-server/lab/lab-server.ts';

export interface TestWorkshop extends TestLab {
  joinPath: string;
  consolePath: string;
  secret: string;
  code: string;
  join(name: string, rejoin?: string): Promise<JoinReply>;
  api(path: string, init?: RequestInit): Promise<Response>;
  action(name: string, body: object): Promise<{ status: number; body: Record<string, unknown> }>;
  feed(): Promise<ConsoleFeedSocket>;
}

export interface JoinReply {
  status: number;
  location: string | undefined;
  cookie: string | undefined;
  html: string;
  connect(): Promise<LabSocket>;
}

type WorkshopOptions = NonNullable<LabServerOptions['workshop']>;

export async function startWorkshop(options: Partial<Omit<LabServerOptions, 'workshop'>> & { workshop?: Partial<WorkshopOptions> } = {}): Promise<TestWorkshop> {
  const { workshop, ...rest } = options;
  const lab = await startLab({ ...rest, workshop: { name: 'Networking 101', lessonId: LESSON_ID, seats: 10, ...workshop } });
  const url = lab.server.url;
  const links = lab.server.workshop!;
  const secret = decodeURIComponent(/key=([^&]+)/.exec(links.consolePath)![1]!);
  const auth = { authorization: `Bearer ${secret}` };
  return {
    ...lab,
    joinPath: links.joinPath,
    consolePath: links.consolePath,
    secret,
    code: links.joinCode,
    async join(name, rejoin) {
      const form = new URLSearchParams({ code: links.joinCode, name, ...(rejoin ? { rejoin } : {}) });
      const res = await fetch(`${url}/join`, { method: 'POST', body: form, redirect: 'manual', headers: { origin: url } });
      const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] || undefined;
      return { status: res.status, location: res.headers.get('location') ?? undefined, cookie, html: await res.text(), connect: () => LabSocket.open(url, cookie!, LESSON_ID) };
    },
    api: (path, init = {}) => fetch(`${url}${path}`, { ...init, headers: { ...auth, ...(init.headers as Record<string, string> | undefined) } }),
    async action(name, body) {
      const res = await fetch(`${url}/instructor/api/${name}`, { method: 'POST', body: JSON.stringify(body), headers: { ...auth, 'content-type': 'application/json', origin: url } });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    feed: () => ConsoleFeedSocket.open(url, secret),
  };
}

/** The console's live feed, as the console page hears it. */
export class ConsoleFeedSocket {
  readonly messages: ConsoleMessage[] = [];
  readonly learners = new Map<string, LearnerView>();
  private readonly ws: WebSocket;
  private waiters: (() => void)[] = [];
  private readonly listeners: ((view: LearnerView) => void)[] = [];

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as ConsoleMessage;
      this.messages.push(message);
      if (message.type === 'snapshot') for (const learner of message.learners) this.learners.set(learner.name, learner);
      if (message.type === 'learner') this.learners.set(message.learner.name, message.learner);
      for (const view of message.type === 'snapshot' ? message.learners : message.type === 'learner' ? [message.learner] : []) for (const listener of this.listeners) listener(view);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static open(url: string, secret: string): Promise<ConsoleFeedSocket> {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/instructor/ws`, { headers: { authorization: `Bearer ${secret}`, origin: url } });
    const feed = new ConsoleFeedSocket(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(feed));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  /** Called with every learner view as it arrives. */
  onLearner(listener: (view: LearnerView) => void): void {
    this.listeners.push(listener);
  }

  /** Waits until the learner's view satisfies `done`; returns it. */
  until(name: string, done: (view: LearnerView) => boolean, what: string, ms = 15_000): Promise<LearnerView> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`waited ${ms} ms for ${name}: ${what}; last view ${JSON.stringify(this.learners.get(name))}`)), ms);
      const check = () => {
        const view = this.learners.get(name);
        if (view && done(view)) {
          clearTimeout(timer);
          resolve(view);
        } else this.waiters.push(check);
      };
      check();
    });
  }

  close(): void {
    this.ws.close();
  }
}
