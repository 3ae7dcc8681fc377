/**
 * One page's WebSocket: terminal bytes as binary frames both ways, control
 * messages as JSON text frames. A slow browser pauses its own shell instead of
 * growing the server's memory; heartbeats find dead connections; a bad
 * message gets an error message back.
 */
import type { WebSocket } from 'ws';
import { log } from '../log.ts';
import type { ShellSink } from '../terminal/shell-supervisor.ts';
import type { LessonRuntime } from './lesson-runtime.ts';
import { heartbeat } from './heartbeat.ts';
import { parseClientMessage, type LearnerWorkshopState, type ServerMessage } from './protocol.ts';

/** The learner's seat in a workshop, as their page sees it. */
export interface PageSeat {
  state(): LearnerWorkshopState;
  /** Why the learner may not type or act now (their time is up), or undefined. */
  refusal(): string | undefined;
  raiseHand(message: string): void;
  lowerHand(): void;
}

/** Above this much unsent output the shell is paused; below the low mark it runs again. */
const HIGH_WATER_BYTES = 1024 * 1024;
const LOW_WATER_BYTES = 256 * 1024;
/** A browser that answers no ping for two of these is gone; its connection is dropped. */
export const HEARTBEAT_MS = 15_000;

export function serveConnection(ws: WebSocket, runtime: LessonRuntime, heartbeatMs = HEARTBEAT_MS, seat?: PageSeat): void {
  const send = (message: ServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  // Bytes handed to the socket and not yet written out: counted up on send, down when each write completes.
  let unsent = 0;
  /** Whether this page holds its shell paused. */
  let paused = false;
  /**
   * Output read from the pty in this turn of the event loop, sent as one
   * frame: a flood comes in many small reads, and a frame (and a write) for
   * each halved throughput. A keystroke's echo waits for nothing but the turn.
   */
  let batch: Buffer[] = [];
  const flush = () => {
    const frame = batch.length === 1 ? batch[0]! : Buffer.concat(batch);
    batch = [];
    if (ws.readyState !== ws.OPEN) return;
    ws.send(frame, { binary: true }, () => {
      unsent -= frame.length;
      if (paused && unsent < LOW_WATER_BYTES) {
        runtime.shell.setPaused(sink, false);
        paused = false;
      }
    });
  };
  const sink: ShellSink = {
    data(chunk) {
      if (ws.readyState !== ws.OPEN) return;
      unsent += chunk.length;
      if (batch.push(chunk) === 1) setImmediate(flush);
      if (unsent > HIGH_WATER_BYTES && !paused) {
        paused = true;
        runtime.shell.setPaused(sink, true);
      }
    },
    exit(info) {
      paused = false;
      send({ type: 'terminal-exit', ...info });
    },
  };
  send({ type: 'ready', lesson: runtime.lesson.lesson.id, gating: runtime.lesson.lesson.gating, progress: runtime.progress(), unlocked: runtime.unlocked(), ...(seat ? { workshop: seat.state() } : {}) });
  const detach = runtime.shell.attach(sink);
  const unsubscribe = runtime.subscribe(send);

  const pings = heartbeat(ws, heartbeatMs);

  ws.on('message', (data: Buffer, isBinary) => {
    pings.seen();
    const refused = seat?.refusal();
    if (isBinary) return refused ? undefined : runtime.shell.write(data);
    const parsed = parseClientMessage(data.toString('utf8'));
    if (!parsed.ok) return send({ type: 'error', message: parsed.error });
    const message = parsed.message;
    // The page still follows its step; nothing else is done for a learner whose time is up.
    if (refused && message.type !== 'resize' && message.type !== 'watch') return send({ type: 'error', message: refused });
    let problem: string | undefined;
    try {
      switch (message.type) {
        case 'resize':
          runtime.shell.resize(message.cols, message.rows);
          break;
        case 'run':
          runtime.run(message.command);
          break;
        case 'watch':
          problem = runtime.watch(message.step);
          break;
        case 'check':
          problem = runtime.check(message.step);
          break;
        case 'solve':
          problem = runtime.solve(message.step);
          break;
        case 'reset':
          problem = runtime.reset();
          break;
        case 'hint':
          problem = runtime.hint(message.step, message.hint);
          break;
        case 'raise-hand':
          if (seat) seat.raiseHand(message.message);
          else problem = 'hands are raised in a workshop; this lab is not running one';
          break;
        case 'lower-hand':
          seat?.lowerHand();
          break;
      }
    } catch (error) {
      log.error('lab control message failed', { type: message.type, error: error instanceof Error ? error.stack : String(error) });
      problem = `the server could not carry out "${message.type}": ${(error as Error).message}`;
    }
    if (problem) send({ type: 'error', message: problem });
  });
  ws.on('close', () => {
    detach();
    unsubscribe();
  });
  ws.on('error', () => ws.terminate());
}
