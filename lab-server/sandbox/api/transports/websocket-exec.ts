/**
 * exec over WebSocket, as kubectl ≥ 1.30 (v5.channel.k8s.io) and client-node
 * (v4 and older) speak it: binary frames whose first byte is the channel
 * (0 stdin, 1 stdout, 2 stderr, 3 status, 4 resize; v5 adds [255, n] to close
 * stream n), ending with a metav1.Status on channel 3.
 */
import type { WebSocket } from 'ws';
import type { ExecContext, ProcessFactory } from '../../workloads/process.ts';
import { parseResize, startExec } from './exec-session.ts';

export const EXEC_WEBSOCKET_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const CHANNEL = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

export function websocketExec(ws: WebSocket, context: ExecContext, factory: ProcessFactory): void {
  const v5 = ws.protocol === 'v5.channel.k8s.io';
  const frame = (channel: number, data: string | Buffer, sent?: () => void) => {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(Buffer.concat([Buffer.from([channel]), Buffer.isBuffer(data) ? data : Buffer.from(data)]), sent);
  };
  // Some clients expect an empty frame on each stream first; under a TTY there is no stderr stream.
  frame(CHANNEL.stdout, '');
  if (!context.tty) frame(CHANNEL.stderr, '');
  const exec = startExec(context, factory, {
    stdout: (data) => frame(CHANNEL.stdout, data),
    stderr: (data) => frame(CHANNEL.stderr, data),
    finish: (status) => {
      // The close frame only once the status is on the wire: in the same TLS record, python's client never sees the close.
      frame(CHANNEL.error, JSON.stringify(status), () => setImmediate(() => ws.close(1000)));
    },
  });
  ws.on('message', (data: Buffer, isBinary) => {
    if (!isBinary || data.length === 0) return;
    const channel = data[0];
    const payload = data.subarray(1);
    if (channel === CHANNEL.stdin) exec.stdin(payload);
    else if (channel === CHANNEL.resize) {
      const size = parseResize(payload);
      if (size) exec.resize(size.columns, size.rows);
    } else if (v5 && channel === CHANNEL.close && payload[0] === CHANNEL.stdin) exec.endStdin();
  });
  ws.on('close', () => exec.hangUp());
}
