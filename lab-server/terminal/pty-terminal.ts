/**
 * A learner's terminal: bash on a pseudo-terminal (node-pty) in the learner's
 * environment, with a bounded scrollback so that a reloaded page reattaches to
 * the same shell and sees what it showed. Output goes to whoever is attached;
 * a slow reader pauses the shell (flow control) instead of growing memory.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { log } from '../log.ts';
import { join } from 'node:path';
import * as pty from 'node-pty';
import type { LearnerEnvironment } from './learner-environment.ts';
import { isolated } from './shell-isolation.ts';

/** Enough for a few screens of `oc describe`; older output is dropped first. */
const SCROLLBACK_BYTES = 256 * 1024;
const SAVE_DELAY_MS = 1000;

export interface TerminalSink {
  data(chunk: Buffer): void;
  exit(code: number): void;
}

export class PtyTerminal {
  readonly id = randomUUID();
  private readonly process: pty.IPty;
  private scrollback: Buffer[] = [];
  private scrollbackSize = 0;
  private readonly sinks = new Set<TerminalSink>();
  private readonly pausedBy = new Set<TerminalSink>();
  private exitCode: number | undefined;
  lastActivity = Date.now();

  private readonly scrollbackFile: string | undefined;
  private saveTimer: NodeJS.Timeout | undefined;

  /**
   * `isolation`: the lab's data directory, hidden from the shell except for this learner's own folder.
   * `scrollbackFile`: where the scrollback is kept, so that a new shell after a restart shows what the old one did.
   */
  constructor(environment: LearnerEnvironment, options: { size?: { cols: number; rows: number }; isolation?: { hide: string; keep: string }; scrollbackFile?: string } = {}) {
    this.scrollbackFile = options.scrollbackFile;
    const earlier = options.scrollbackFile && existsSync(options.scrollbackFile) ? readFileSync(options.scrollbackFile) : undefined;
    if (earlier && earlier.length > 0) this.remember(Buffer.concat([earlier, Buffer.from('\r\n\x1b[2m[the lab restarted: this is a new shell in the same folder]\x1b[0m\r\n')]));
    const size = options.size ?? { cols: 100, rows: 30 };
    const rcfile = join(environment.env.HOME ?? environment.cwd, '.bashrc');
    const shell = ['bash', '--rcfile', rcfile, '-i'];
    const [command, ...args] = options.isolation ? isolated(shell, options.isolation.hide, options.isolation.keep) : shell;
    this.process = pty.spawn(command!, args, { name: 'xterm-256color', cols: size.cols, rows: size.rows, cwd: environment.cwd, env: { ...environment.env, TERM: 'xterm-256color' } as Record<string, string>, encoding: null } as pty.IPtyForkOptions);
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

  /** Attaches a reader: it first gets the scrollback, then live output. */
  attach(sink: TerminalSink): () => void {
    const replay = Buffer.concat(this.scrollback);
    if (replay.length > 0) sink.data(replay);
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
    if (this.exitCode === undefined) this.process.resize(cols, rows);
  }

  /** A sink that cannot keep up holds the shell until it has caught up; others keep reading what comes. */
  setPaused(sink: TerminalSink, paused: boolean): void {
    const before = this.pausedBy.size > 0;
    if (paused) this.pausedBy.add(sink);
    else this.pausedBy.delete(sink);
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

  private output(chunk: Buffer): void {
    this.lastActivity = Date.now();
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
