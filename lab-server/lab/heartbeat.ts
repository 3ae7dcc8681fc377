/** Pings a WebSocket; one that answers no ping (nor sends anything) for two intervals is gone, and is dropped. */
import type { WebSocket } from 'ws';

/** Returns what marks the socket alive between pongs (any message from it counts). */
export function heartbeat(ws: WebSocket, intervalMs: number): { seen(): void } {
  let alive = true;
  ws.on('pong', () => (alive = true));
  const timer = setInterval(() => {
    if (!alive) return ws.terminate();
    alive = false;
    ws.ping();
  }, intervalMs);
  ws.once('close', () => clearInterval(timer));
  return { seen: () => (alive = true) };
}
