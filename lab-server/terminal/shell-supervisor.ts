/**
 * Keeps a learner's shell running: a shell the learner exits is replaced at
 * once; a shell that fails to start (it exits within seconds) is retried
 * with a growing delay, and every page is told why, instead of respawning in
 * a loop. Pages attach here once and follow the shell across restarts.
 */
import { log } from '../log.ts';
import type { PtyTerminal, TerminalSink } from './pty-terminal.ts';

/** A shell that lives shorter than this did not start: its restart waits. */
const FAILED_START_MS = 3000;
const BACKOFF_MS = [1000, 2000, 5000, 10_000, 30_000, 60_000] as const;

export interface ShellExit {
  code: number;
  /** When the next shell starts. */
  restartInMs: number;
  /** What the shell said as it failed to start; absent when the learner ended it. */
  reason?: string;
}

export interface ShellSink {
  data(chunk: Buffer): void;
  exit(info: ShellExit): void;
  /** The learner's page resized the terminal (a watcher shows it at the same size). */
  resize?(cols: number, rows: number): void;
}

export class ShellSupervisor {
  private current: PtyTerminal | undefined;
  private detachCurrent: (() => void) | undefined;
  private readonly sinks = new Set<ShellSink>();
  private failures = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private lastExit: ShellExit | undefined;
  private stopped = false;
  private size: { cols: number; rows: number } | undefined;

  private readonly start: (options: { earlier?: Buffer; size?: { cols: number; rows: number } }) => PtyTerminal;
  private readonly label: Record<string, string>;

  /** `start` makes a new shell; `earlier` is what the page already shows when it replaces one. `label` goes into its logs. */
  constructor(start: (options: { earlier?: Buffer; size?: { cols: number; rows: number } }) => PtyTerminal, label: Record<string, string> = {}) {
    this.start = start;
    this.label = label;
  }

  /** The running shell, started if there is none and none is waiting to be retried. */
  get terminal(): PtyTerminal | undefined {
    if (!this.current && !this.restartTimer && !this.stopped) this.launch(undefined);
    return this.current;
  }

  get attached(): number {
    return this.sinks.size;
  }

  /** When the shell last did anything (input or output). */
  get lastActivity(): number {
    return this.current?.lastActivity ?? 0;
  }

  /** Whether no shell runs now (it exited, or waits for its retry). */
  get down(): boolean {
    return !this.current || this.current.exited;
  }

  attach(sink: ShellSink): () => void {
    this.sinks.add(sink);
    const terminal = this.terminal;
    const shown = terminal?.shown;
    if (shown && shown.length > 0) sink.data(shown);
    if (!terminal && this.lastExit) sink.exit(this.lastExit);
    return () => {
      this.sinks.delete(sink);
      this.current?.setPaused(sink, false);
    };
  }

  write(data: string | Buffer): void {
    this.terminal?.write(data);
  }

  resize(cols: number, rows: number): void {
    this.size = { cols, rows };
    this.current?.resize(cols, rows);
    for (const sink of this.sinks) sink.resize?.(cols, rows);
  }

  /** The terminal's size as the learner's page last set it. */
  get terminalSize(): { cols: number; rows: number } | undefined {
    return this.size;
  }

  /** A page that cannot keep up holds the shell until it has caught up. */
  setPaused(sink: ShellSink, paused: boolean): void {
    this.current?.setPaused(sink, paused);
  }

  /** Ends the shell and starts no other until asked again. */
  kill(): void {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.detachCurrent?.();
    this.current?.kill();
    this.current = undefined;
  }

  private launch(earlier: Buffer | undefined): void {
    let terminal: PtyTerminal;
    try {
      terminal = this.start({ ...(earlier ? { earlier } : {}), ...(this.size ? { size: this.size } : {}) });
    } catch (error) {
      // node-pty could not even fork: treated as a start that failed at once.
      this.failed(1, `the shell could not be started: ${(error as Error).message}`, undefined);
      return;
    }
    this.current = terminal;
    const fanOut: TerminalSink = {
      data: (chunk) => {
        for (const sink of this.sinks) sink.data(chunk);
      },
      exit: (code) => this.exited(terminal, code),
    };
    this.detachCurrent = terminal.attach(fanOut, false);
  }

  private exited(terminal: PtyTerminal, code: number): void {
    if (terminal !== this.current) return;
    this.detachCurrent?.();
    this.current = undefined;
    if (this.stopped) return;
    if (Date.now() - terminal.startedAt >= FAILED_START_MS) {
      this.failures = 0;
      this.lastExit = { code, restartInMs: 0 };
      for (const sink of this.sinks) sink.exit(this.lastExit);
      if (this.sinks.size > 0) this.launch(terminal.shown);
      return;
    }
    this.failed(code, terminal.lastWords || `the shell exited with code ${code} as it started`, terminal.shown);
  }

  private failed(code: number, reason: string, shown: Buffer | undefined): void {
    const restartInMs = BACKOFF_MS[Math.min(this.failures, BACKOFF_MS.length - 1)]!;
    this.failures++;
    this.lastExit = { code, restartInMs, reason };
    log.warn('learner shell failed to start', { ...this.label, code, reason, attempt: this.failures, retryInMs: restartInMs });
    for (const sink of this.sinks) sink.exit(this.lastExit);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.stopped && this.sinks.size > 0) this.launch(shown);
    }, restartInMs);
    this.restartTimer.unref();
  }
}
