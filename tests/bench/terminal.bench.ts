/**
 * The terminal bridge against WeTTY, on the same machine and in the same run:
 * keystroke echo latency and the throughput of a 50 MB stream reaching a
 * WebSocket client, with raw node-pty as the ceiling. WeTTY runs as its own
 * process on loopback, driven through socket.io as its page drives it.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import * as pty from 'node-pty';
import { io, type Socket } from 'socket.io-client';
import { LabSocket, newLearner } from '../helpers/lab.ts';
import { ROOT } from '../helpers/paths.ts';
import { startServe } from './serve-process.ts';
import { median, type BenchResult } from './measure.ts';

const KEYSTROKES = 200;
const FLOOD_BYTES = 50_000_000;
const FLOOD = `head -c ${FLOOD_BYTES} /dev/zero | tr '\\0' x; echo; echo flood-$((20+3))`;
const FLOOD_END = /flood-23/;
/** Throughput is noisy on a shared machine: each figure is the median of this many floods. */
const FLOODS = 5;

/** A way to type into a shell and read what it prints, whatever carries it. */
interface TerminalClient {
  type(text: string): void;
  /** Resolves when the output (since the last call) matches. */
  next(pattern: RegExp): Promise<void>;
  received(): number;
  close(): void;
}

async function echoLatencies(client: TerminalClient): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < KEYSTROKES; i++) {
    if (i % 50 === 0 && i > 0) {
      client.type('\u0015');
      await client.next(/\u001b\[K$/);
    }
    const key = String.fromCharCode(97 + (i % 26));
    const started = performance.now();
    client.type(key);
    await client.next(new RegExp(`${key}$`));
    times.push(performance.now() - started);
  }
  client.type('\u0015');
  await client.next(/\u001b\[K$/);
  return times;
}

async function floodThroughput(client: TerminalClient): Promise<number> {
  const rates: number[] = [];
  for (let i = 0; i < FLOODS; i++) {
    const before = client.received();
    const started = performance.now();
    client.type(`${FLOOD}\r`);
    await client.next(FLOOD_END);
    rates.push((client.received() - before) / 1e6 / ((performance.now() - started) / 1000));
  }
  return median(rates);
}

/** Output kept as a bounded tail, so matching stays cheap during a flood. */
function tailMatcher(): { push(text: string): void; next(pattern: RegExp): Promise<void>; received(): number } {
  let tail = '';
  let count = 0;
  let waiting: { pattern: RegExp; resolve: () => void } | undefined;
  return {
    push(text) {
      count += Buffer.byteLength(text);
      tail = (tail + text).slice(-4096);
      if (waiting?.pattern.test(tail)) {
        const { resolve } = waiting;
        waiting = undefined;
        tail = '';
        resolve();
      }
    },
    next(pattern) {
      return new Promise((resolve) => {
        if (pattern.test(tail)) {
          tail = '';
          return resolve();
        }
        waiting = { pattern, resolve };
      });
    },
    received: () => count,
  };
}

async function labpathClient(url: string, cookie: string): Promise<TerminalClient> {
  const socket = await LabSocket.open(url, cookie, 'localnet-microsegmentation');
  const matcher = tailMatcher();
  socket.ws.on('message', (data: Buffer, isBinary) => isBinary && matcher.push(data.toString('utf8')));
  await matcher.next(/[#$] $/);
  return { type: (text) => socket.type(text), next: matcher.next, received: matcher.received, close: () => socket.close() };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** WeTTY's page acknowledges what it has written, 256 KiB at a time; the server pauses the pty without it. */
const WETTY_ACK_BYTES = 262_144;

async function wettyClient(port: number): Promise<TerminalClient> {
  const socket: Socket = io(`http://127.0.0.1:${port}`, { path: '/wetty/socket.io', transports: ['websocket'] });
  const matcher = tailMatcher();
  let unacknowledged = 0;
  socket.on('data', (data: string) => {
    matcher.push(data);
    unacknowledged += data.length;
    while (unacknowledged >= WETTY_ACK_BYTES) {
      socket.emit('commit', WETTY_ACK_BYTES);
      unacknowledged -= WETTY_ACK_BYTES;
    }
  });
  socket.emit('resize', { cols: 100, rows: 30 });
  await matcher.next(/[#$] $/);
  return { type: (text) => socket.emit('input', text), next: matcher.next, received: matcher.received, close: () => socket.disconnect() };
}

async function startWetty(): Promise<{ port: number; stop(): void } | { error: string }> {
  if (process.getuid?.() !== 0) return { error: 'WeTTY runs a local shell without ssh only as root' };
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'wetty', 'build', 'main.js'), '--port', String(port), '--host', '127.0.0.1', '--base', '/wetty/', '--command', 'bash'], { stdio: 'ignore', env: { ...process.env, PS1: 'wetty $ ' } });
  for (let i = 0; i < 100; i++) {
    const up = await fetch(`http://127.0.0.1:${port}/wetty/socket.io/?EIO=4&transport=polling`).then((r) => r.ok, () => false);
    if (up) return { port, stop: () => child.kill('SIGTERM') };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  return { error: 'WeTTY did not start within 10 s' };
}

/** node-pty alone: a shell on a pty read in this process, the ceiling any bridge can reach. */
async function rawPtyClient(): Promise<TerminalClient> {
  const term = pty.spawn('bash', ['--norc', '-i'], { name: 'xterm-256color', cols: 100, rows: 30, encoding: null, env: { ...process.env, PS1: 'raw $ ' } } as pty.IPtyForkOptions);
  const matcher = tailMatcher();
  (term.onData as unknown as pty.IEvent<Buffer>)((chunk) => matcher.push(chunk.toString('utf8')));
  await matcher.next(/[#$] $/);
  return { type: (text) => term.write(text), next: matcher.next, received: matcher.received, close: () => term.kill() };
}

function p99(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.99)]!;
}

export async function benchTerminal(): Promise<BenchResult[]> {
  const round = (n: number, digits = 2) => Number(n.toFixed(digits));
  const lab = await startServe();
  let ours: { echo: number[]; mbps: number };
  try {
    const learner = await newLearner(lab.url);
    const client = await labpathClient(lab.url, learner.cookie);
    ours = { echo: await echoLatencies(client), mbps: await floodThroughput(client) };
    client.close();
  } finally {
    lab.stop();
  }
  const rawClient = await rawPtyClient();
  const raw = await floodThroughput(rawClient);
  rawClient.close();
  const wetty = await startWetty();
  let theirs: { echo: number[]; mbps: number } | undefined;
  if ('port' in wetty) {
    try {
      const client = await wettyClient(wetty.port);
      theirs = { echo: await echoLatencies(client), mbps: await floodThroughput(client) };
      client.close();
    } finally {
      wetty.stop();
    }
  }
  const results: BenchResult[] = [
    { name: 'terminal: raw node-pty throughput (the ceiling)', value: round(raw, 1), unit: 'MB/s', goal: 'reported', met: true },
    { name: 'terminal: labpath keystroke echo on loopback, p50', value: round(median(ours.echo)), unit: 'ms', goal: `< 5${theirs ? `, ≤ ${round(median(theirs.echo))} (WeTTY)` : ''}`, met: median(ours.echo) < 5 && (theirs ? median(ours.echo) <= median(theirs.echo) : false) },
    { name: 'terminal: labpath keystroke echo, p99', value: round(p99(ours.echo)), unit: 'ms', goal: 'reported', met: true },
    { name: 'terminal: labpath throughput, 50 MB to a WebSocket client', value: round(ours.mbps, 1), unit: 'MB/s', goal: `≥ 2× WeTTY, ≥ ${round(raw / 2, 1)} (50% of raw)`, met: ours.mbps >= raw / 2 && (theirs ? ours.mbps >= 2 * theirs.mbps : false) },
  ];
  if (theirs) {
    results.push(
      { name: 'terminal: WeTTY keystroke echo, p50 (peer)', value: round(median(theirs.echo)), unit: 'ms', goal: 'peer', met: true },
      { name: 'terminal: WeTTY keystroke echo, p99 (peer)', value: round(p99(theirs.echo)), unit: 'ms', goal: 'peer', met: true },
      { name: 'terminal: WeTTY throughput, 50 MB to a socket.io client (peer)', value: round(theirs.mbps, 1), unit: 'MB/s', goal: 'peer', met: true },
    );
  } else {
    results.push({ name: `terminal: WeTTY not measured: ${'error' in wetty ? wetty.error : ''}`, value: 0, unit: '-', goal: 'peer', met: false });
  }
  return results;
}
