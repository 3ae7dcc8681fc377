/**
 * exec and attach over SPDY/3.1, as kubectl ≤ 1.29 speaks them (and later
 * ones when WebSocket is refused): after the upgrade the client opens one
 * stream per role (error, stdin, stdout, stderr, resize; the streamtype
 * header says which), the server answers each, and once every stream the
 * request asked for is there the command runs. Its status goes on the error
 * stream as JSON (v4.channel.k8s.io).
 */
import type { ExecContext, ProcessFactory } from '../../workloads/process.ts';
import { parseResize, startExec } from './exec-session.ts';
import type { SpdySession, SpdyStream } from './spdy-session.ts';

export const EXEC_SPDY_PROTOCOLS = ['v4.channel.k8s.io'];
/** How long the kubelet waits for the client's streams before giving up (its streamCreationTimeout). */
const STREAM_WAIT_MS = 30_000;

export interface ExecStreams {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** The streams a request with these flags opens, as the kubelet counts them. */
function expectedStreams(flags: ExecStreams): string[] {
  return ['error', ...(flags.stdin ? ['stdin'] : []), ...(flags.stdout ? ['stdout'] : []), ...(flags.stderr && !flags.tty ? ['stderr'] : []), ...(flags.tty ? ['resize'] : [])];
}

export function spdyExec(session: SpdySession, context: ExecContext, flags: ExecStreams, factory: ProcessFactory): void {
  const expected = expectedStreams(flags);
  const streams = new Map<string, SpdyStream>();
  const timer = setTimeout(() => session.close(), STREAM_WAIT_MS);
  timer.unref();
  session.onStream((stream) => {
    stream.reply();
    const type = stream.header('streamtype') ?? '';
    if (!expected.includes(type) || streams.has(type)) return;
    streams.set(type, stream);
    if (streams.size === expected.length) {
      clearTimeout(timer);
      run();
    }
  });

  const run = () => {
    const exec = startExec(context, factory, {
      stdout: (data) => streams.get('stdout')?.write(data),
      stderr: (data) => streams.get('stderr')?.write(data),
      finish: (status) => {
        const error = streams.get('error')!;
        if (status.status !== 'Success') error.write(JSON.stringify(status));
        for (const stream of streams.values()) stream.end();
        session.close();
      },
    });
    streams.get('stdin')?.onData((data) => exec.stdin(data));
    streams.get('stdin')?.onEnd(() => exec.endStdin());
    let pendingResize: Buffer = Buffer.alloc(0);
    streams.get('resize')?.onData((data) => {
      // Resize messages are JSON objects one after another, not framed.
      pendingResize = Buffer.concat([pendingResize, data]);
      for (let end = pendingResize.indexOf('}'); end >= 0; end = pendingResize.indexOf('}')) {
        const size = parseResize(pendingResize.subarray(0, end + 1));
        pendingResize = pendingResize.subarray(end + 1);
        if (size) exec.resize(size.columns, size.rows);
      }
    });
    session.onClose(() => exec.hangUp());
  };
}
