/**
 * A learner's terminal in the console: read-only, at the learner's own size
 * (the console never resizes their shell), the current screen first and then
 * live output. Take-over, once confirmed, lets the instructor type.
 */
import { Terminal } from '@xterm/xterm';
import type { WatchMessage } from '../../lab-server/workshop/terminal-watch.ts';

export interface Watch {
  readonly learner: string;
  takeOver(active: boolean): void;
  close(): void;
}

export function watchTerminal(container: HTMLElement, learner: string, onTakeover: (active: boolean) => void, onNotice: (text: string) => void): Watch {
  container.replaceChildren();
  const term = new Terminal({ cols: 100, rows: 30, disableStdin: true, fontFamily: getComputedStyle(document.documentElement).getPropertyValue('--mono') || 'monospace', fontSize: 13, scrollback: 2000 });
  term.open(container);
  const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/instructor/ws/watch?learner=${encodeURIComponent(learner)}`);
  socket.binaryType = 'arraybuffer';
  const encoder = new TextEncoder();
  term.onData((data) => {
    if (!term.options.disableStdin && socket.readyState === WebSocket.OPEN) socket.send(encoder.encode(data));
  });
  socket.onmessage = (event) => {
    if (event.data instanceof ArrayBuffer) return term.write(new Uint8Array(event.data));
    const message = JSON.parse(event.data as string) as WatchMessage;
    if (message.type === 'size') term.resize(message.cols, message.rows);
    if (message.type === 'takeover') {
      term.options.disableStdin = !message.active;
      if (message.active) term.focus();
      onTakeover(message.active);
    }
    if (message.type === 'notice') onNotice(message.message);
  };
  socket.onclose = (event) => {
    if (event.code !== 1000 && event.code !== 1005) onNotice(`The watch on ${learner}'s terminal closed${event.reason ? `: ${event.reason}` : ''}.`);
  };
  return {
    learner,
    takeOver(active) {
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'takeover', active }));
    },
    close() {
      socket.close(1000);
      term.dispose();
    },
  };
}
