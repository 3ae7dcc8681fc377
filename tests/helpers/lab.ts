/** A lab server in this process, and learners that talk to it as a browser would: a cookie, a page fetch, a WebSocket. */
import WebSocket from 'ws';
import { loadLesson } from '../../lab-server/lesson/load.ts';
import { startLabServer, type LabServer, type LabServerOptions } from '../../lab-server/lab/lab-server.ts';
import type { ServerMessage } from '../../lab-server/lab/protocol.ts';
import { DIST, LESSON_DIR, LESSON_ID } from './paths.ts';
import { tempDir } from './temp-dir.ts';

export interface TestLab {
  server: LabServer;
  dataDir: string;
  learner(): Promise<Learner>;
}

/** The shipped lesson on a lab of its own: a fresh data directory, a free port on loopback, anything else as given. */
export async function startLab(options: Partial<LabServerOptions> = {}): Promise<TestLab> {
  const { lesson } = await loadLesson(LESSON_DIR);
  if (!lesson) throw new Error('the shipped lesson does not load');
  const dataDir = options.dataDir ?? (tempDir('lab'));
  const server = await startLabServer({ port: 0, host: '127.0.0.1', siteDir: DIST, lessons: [lesson], ...options, dataDir });
  return { server, dataDir, learner: () => newLearner(server.url, undefined, options.accessToken) };
}

/** A lab of its own for one test, closed afterwards whatever happened. */
export async function withLab(options: Parameters<typeof startLab>[0], use: (lab: TestLab) => Promise<void>): Promise<void> {
  const lab = await startLab(options);
  try {
    await use(lab);
  } finally {
    await lab.server.close();
  }
}

export interface Learner {
  cookie: string;
  connect(lesson?: string): Promise<LabSocket>;
}

/** A learner whose first page visit started their session; with a token, they came through the lab's link. */
export async function newLearner(url: string, cookie?: string, token?: string): Promise<Learner> {
  let jar = cookie;
  if (!jar) {
    let access = '';
    if (token) {
      const link = await fetch(`${url}/?token=${token}`, { redirect: 'manual' });
      access = (link.headers.get('set-cookie') ?? '').split(';')[0]!;
    }
    const res = await fetch(`${url}/lessons/${LESSON_ID}/overview/`, { headers: access ? { cookie: access } : {} });
    await res.arrayBuffer();
    const session = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    if (!session) throw new Error('the first visit set no session cookie');
    jar = access ? `${session}; ${access}` : session;
  }
  return { cookie: jar, connect: (lesson = LESSON_ID) => LabSocket.open(url, jar!, lesson) };
}

/** What waitForOutput looks at: enough for any screen; a flood of output is not rescanned per chunk. */
const TAIL_CHARS = 65_536;

export class LabSocket {
  readonly ws: WebSocket;
  private chunks: string[] = [];
  private tail = '';
  /** Bytes of terminal output so far. */
  received = 0;
  readonly messages: ServerMessage[] = [];
  private waiters: (() => void)[] = [];

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) {
        const text = data.toString('utf8');
        this.chunks.push(text);
        this.received += data.length;
        this.tail = (this.tail + text).slice(-TAIL_CHARS);
      }
      else this.messages.push(JSON.parse(data.toString('utf8')) as ServerMessage);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** `autoPong: false` plays a browser that has gone away without closing its socket. */
  static open(url: string, cookie: string, lesson: string, headers: Record<string, string> = {}, options: { autoPong?: boolean } = {}): Promise<LabSocket> {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/lab/ws/${lesson}`, { headers: { cookie, origin: url, ...headers }, autoPong: options.autoPong ?? true });
    const socket = new LabSocket(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(socket));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode} ${res.statusMessage}`)));
      ws.once('error', reject);
    });
  }

  send(message: object): void {
    this.ws.send(JSON.stringify(message));
  }

  /** Keystrokes, as xterm.js sends them: raw bytes in a binary frame. */
  type(text: string): void {
    this.ws.send(Buffer.from(text), { binary: true });
  }

  /** All terminal output so far. */
  get output(): string {
    if (this.chunks.length > 1) this.chunks = [this.chunks.join('')];
    return this.chunks[0] ?? '';
  }

  async waitForOutput(pattern: RegExp, ms = 15_000): Promise<string> {
    await this.until(() => pattern.test(this.tail), `terminal output matching ${pattern}`, ms);
    return this.output;
  }

  async waitForMessage<T extends ServerMessage>(match: (m: ServerMessage) => m is T, what: string, ms = 15_000): Promise<T> {
    await this.until(() => this.messages.some(match), what, ms);
    return this.messages.find(match)!;
  }

  /** The latest status of a step, once it is `status`. */
  async waitForStep(step: string, status: 'pending' | 'passed' | 'failing', ms = 30_000): Promise<Extract<ServerMessage, { type: 'step' }>> {
    const latest = () => this.messages.filter((m): m is Extract<ServerMessage, { type: 'step' }> => m.type === 'step' && m.step === step).at(-1);
    await this.until(() => latest()?.status === status, `step ${step} ${status} (last: ${JSON.stringify(latest())?.slice(0, 400)})`, ms);
    return latest()!;
  }

  close(): void {
    this.ws.close();
  }

  private until(done: () => boolean, what: string, ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`waited ${ms} ms for ${what}; terminal ends with ${JSON.stringify(this.tail.slice(-300))}`)), ms);
      const check = () => {
        if (done()) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      check();
    });
  }
}
