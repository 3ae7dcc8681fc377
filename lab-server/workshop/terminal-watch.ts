/**
 * The instructor watching a learner's terminal: the current screen first (the
 * shell's scrollback, replayed at the learner's size), then live output, the
 * learner's resizes and nothing else. A watcher never pauses or resizes the
 * learner's shell; one too slow to follow is let go. After a take-over
 * (confirmed in the console) what the instructor types goes into the shell,
 * and the learner's page shows a banner until it ends.
 */
import type { WebSocket } from 'ws';
import type { LessonRuntime } from '../lab/lesson-runtime.ts';
import type { ShellSink } from '../terminal/shell-supervisor.ts';
import type { WorkshopRoom } from './workshop-room.ts';

/** A watcher this far behind is dropped rather than slowing the learner. */
const MAX_BEHIND_BYTES = 8 * 1024 * 1024;
const DEFAULT_SIZE = { cols: 100, rows: 30 };

export type WatchMessage =
  | { type: 'size'; cols: number; rows: number }
  | { type: 'takeover'; active: boolean }
  | { type: 'notice'; message: string };

export function serveWatch(ws: WebSocket, runtime: LessonRuntime, serial: number, room: WorkshopRoom): void {
  const send = (message: WatchMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  let typing = false;
  const size = runtime.shell.terminalSize ?? DEFAULT_SIZE;
  send({ type: 'size', ...size });
  send({ type: 'takeover', active: false });
  const sink: ShellSink = {
    data(chunk) {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > MAX_BEHIND_BYTES) return ws.close(1013, 'this connection is too slow to follow the terminal; open it again');
      ws.send(chunk, { binary: true });
    },
    exit(info) {
      send({ type: 'notice', message: info.reason ? `the learner's shell did not start: ${info.reason}` : 'the learner\'s shell exited; a new one starts' });
    },
    resize(cols, rows) {
      send({ type: 'size', cols, rows });
    },
  };
  // Watching a learner's terminal is the instructor's doing, and on the record like the rest.
  room.workshop.record(serial, 'watched', { detail: { by: 'instructor' } });
  const detach = runtime.shell.attach(sink);
  ws.on('message', (data: Buffer, isBinary) => {
    if (isBinary) {
      if (typing) runtime.shell.write(data);
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(data.toString('utf8'));
    } catch {
      return send({ type: 'notice', message: 'a watch control message is JSON: {"type":"takeover","active":true}' });
    }
    const active = (message as { type?: unknown; active?: unknown }).type === 'takeover' ? (message as { active?: unknown }).active : undefined;
    if (typeof active !== 'boolean') return send({ type: 'notice', message: 'the one control message here is {"type":"takeover","active":true|false}' });
    typing = active;
    room.setTakenOver(serial, active);
    send({ type: 'takeover', active });
  });
  ws.on('close', () => {
    detach();
    if (typing) room.setTakenOver(serial, false);
  });
  ws.on('error', () => ws.terminate());
}
