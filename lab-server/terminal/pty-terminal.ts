/**
 * A learner's terminal: bash on a pseudo-terminal (node-pty) in the learner's
 * environment, with a bounded scrollback so that a reloaded page reattaches to
 * the same shell and sees what it showed. Output goes to whoever is attached;
 * a slow reader pauses the shell (flow control) instead of growing memory.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, fstatSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { log } from '../log.ts';
import * as pty from 'node-pty';

/** What a shell that exits at once is quoted by: its last own output. */
const OWN_TAIL_BYTES = 1024;
/** Enough for a few screens of `oc describe`; older output is dropped first. */
const SCROLLBACK_BYTES = 256 * 1024;
const SAVE_DELAY_MS = 1000;

export interface TerminalSink {
  data(chunk: Buffer): void;
  exit(code: number): void;
}

/** What to start on the pty: a command line, its working directory and its whole environment. */
export interface ShellLaunch {
  command: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /**
   * A confined shell runs on a terminal of its sandbox's own, behind a relay
   * that is not in this terminal's session; it is told of each resize with
   * SIGWINCH, sent to the pty's child's child (the sandbox's init).
   */
  relayed?: boolean;
}

export class PtyTerminal {
  readonly id = randomUUID();
  private readonly process: pty.IPty;
  private scrollback: Buffer[] = [];
  private scrollbackSize = 0;
  private readonly sinks = new Set<TerminalSink>();
  private readonly pausedBy = new Set<object>();
  private exitCode: number | undefined;
  lastActivity = Date.now();

  private readonly scrollbackFile: string | undefined;
  private saveTimer: NodeJS.Timeout | undefined;

  private readonly relayed: boolean;
  private relayPid: number | undefined;
  readonly startedAt = Date.now();
  private ownTail = Buffer.alloc(0);

  /**
   * `scrollbackFile`: where the scrollback is kept, so that a new shell after a restart shows what the old one did.
   * `earlier`: what the page already showed, when this shell replaces one that exited in this run of the lab.
   */
  constructor(launch: ShellLaunch, options: { size?: { cols: number; rows: number }; scrollbackFile?: string; earlier?: Buffer } = {}) {
    this.scrollbackFile = options.scrollbackFile;
    this.relayed = launch.relayed ?? false;
    const earlier = options.earlier ?? readTail(options.scrollbackFile, SCROLLBACK_BYTES);
    if (earlier && earlier.length > 0) this.remember(options.earlier ? earlier : Buffer.concat([earlier, Buffer.from('\r\n\x1b[2m[the lab restarted: this is a new shell in the same folder]\x1b[0m\r\n')]));
    const size = options.size ?? { cols: 100, rows: 30 };
    const [command, ...args] = launch.command;
    this.process = pty.spawn(command!, args, { name: 'xterm-256color', cols: size.cols, rows: size.rows, cwd: launch.cwd, env: launch.env as Record<string, string>, encoding: null } as pty.IPtyForkOptions);
    // With encoding null node-pty hands over Buffers, so a UTF-8 sequence split across reads stays intact.
    (this.process.onData as unknown as pty.IEvent<Buffer>)((chunk) => this.output(chunk));
    this.process.onExit(({ exitCode }) => {
      this.exitCode = exitCode;
      for (const sink of this.sinks) sink.exit(exitCode);
    });
  }

  /** How many pages show this terminal now. */
  get attached(): number {
    return this.sinks.size;
  }

  get exited(): boolean {
    return this.exitCode !== undefined;
  }

  /** Attaches a reader: it first gets the scrollback (unless `replay` is false), then live output. */
  attach(sink: TerminalSink, replay = true): () => void {
    const shown = Buffer.concat(this.scrollback);
    if (replay && shown.length > 0) sink.data(shown);
    if (this.exitCode !== undefined) sink.exit(this.exitCode);
    this.sinks.add(sink);
    return () => {
      this.sinks.delete(sink);
      this.setPaused(sink, false);
    };
  }

  write(data: string | Buffer): void {
    if (this.exitCode !== undefined) return;
    this.lastActivity = Date.now();
    this.process.write(typeof data === 'string' ? data : data.toString('utf8'));
  }

  resize(cols: number, rows: number): void {
    if (this.exitCode !== undefined) return;
    this.process.resize(cols, rows);
    if (!this.relayed) return;
    this.relayPid ??= childOf(this.process.pid);
    if (this.relayPid === undefined) return;
    try {
      process.kill(this.relayPid, 'SIGWINCH');
    } catch {
      this.relayPid = undefined;
    }
  }

  /** What this terminal has shown, for a shell that takes its place. */
  get shown(): Buffer {
    return Buffer.concat(this.scrollback);
  }

  /** A reader that cannot keep up holds the shell until it has caught up; others keep reading what comes. */
  setPaused(reader: object, paused: boolean): void {
    const before = this.pausedBy.size > 0;
    if (paused) this.pausedBy.add(reader);
    else this.pausedBy.delete(reader);
    const after = this.pausedBy.size > 0;
    if (before === after || this.exitCode !== undefined) return;
    if (after) this.process.pause();
    else this.process.resume();
  }

  kill(): void {
    clearTimeout(this.saveTimer);
    if (this.scrollbackFile) {
      try {
        writeFileSync(this.scrollbackFile, Buffer.concat(this.scrollback));
      } catch (error) {
        log.warn('terminal scrollback not saved', { file: this.scrollbackFile, error: String(error) });
      }
    }
    if (this.exitCode !== undefined) return;
    try {
      // The whole process group: whatever the learner started goes with the shell.
      process.kill(-this.process.pid, 'SIGKILL');
    } catch {
      this.process.kill('SIGKILL');
    }
  }

  /** The last of what this shell itself wrote: why it exited, when it exits at once. */
  get lastWords(): string {
    // Escape sequences and control characters say nothing to a log or a page.
    return this.ownTail.toString('utf8').replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '').trim().split('\n').slice(-3).join(' ').slice(-300);
  }

  private output(chunk: Buffer): void {
    this.lastActivity = Date.now();
    // A copy of at most OWN_TAIL_BYTES: a flood's large reads are neither joined whole nor kept alive by a view into them.
    const joined = chunk.length >= OWN_TAIL_BYTES ? chunk : Buffer.concat([this.ownTail, chunk]);
    this.ownTail = Buffer.from(joined.subarray(-OWN_TAIL_BYTES));
    this.remember(chunk);
    for (const sink of this.sinks) sink.data(chunk);
    if (this.scrollbackFile && !this.saveTimer) this.saveTimer = setTimeout(() => this.save(), SAVE_DELAY_MS);
  }

  private remember(chunk: Buffer): void {
    this.scrollback.push(chunk);
    this.scrollbackSize += chunk.length;
    while (this.scrollbackSize > SCROLLBACK_BYTES && this.scrollback.length > 1) this.scrollbackSize -= this.scrollback.shift()!.length;
  }

  /** Written whole, at most once a second: the file stays as small as the scrollback. */
  private save(): void {
    this.saveTimer = undefined;
    if (!this.scrollbackFile) return;
    writeFile(this.scrollbackFile, Buffer.concat(this.scrollback)).catch((error) => log.warn('terminal scrollback not saved', { file: this.scrollbackFile, error: String(error) }));
  }
}

/** The last `bytes` of a file, or undefined when there is none. */
function readTail(file: string | undefined, bytes: number): Buffer | undefined {
  if (!file) return undefined;
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, bytes);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer;
  } finally {
    closeSync(fd);
  }
}

/** The one child of a process (Linux), e.g. bubblewrap's sandbox init. */
function childOf(pid: number): number | undefined {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return children.length > 0 ? Number(children[0]) : undefined;
  } catch {
    return undefined;
  }
}
