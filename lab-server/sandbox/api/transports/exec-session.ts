/**
 * One exec (or attach) into a container, whatever carries it: the process
 * starts, its output goes to the transport's stdout and stderr, and when it
 * ends the transport is handed the metav1.Status the kubelet reports — a
 * success, a non-zero exit code, or a command that could not start.
 */
import type { ExecContext, ProcessFactory } from '../../workloads/process.ts';

export type ExecStatus = Record<string, unknown>;

export interface ExecSinks {
  stdout(data: Buffer | string): void;
  stderr(data: Buffer | string): void;
  /** The command is over; after this nothing more is written. */
  finish(status: ExecStatus): void;
}

export interface ExecControls {
  stdin(data: Buffer): void;
  endStdin(): void;
  resize(columns: number, rows: number): void;
  /** The client went away: the process is killed. */
  hangUp(): void;
}

export function startExec(context: ExecContext, factory: ProcessFactory, sinks: ExecSinks): ExecControls {
  let done = false;
  const finish = (status: ExecStatus) => {
    if (done) return;
    done = true;
    sinks.finish(status);
  };
  const process = factory(context, {
    // Under a TTY there is one stream: the terminal; stderr is merged into it, as the kubelet does.
    output: (stream, data) => (context.tty || stream === 'stdout' ? sinks.stdout(data) : sinks.stderr(data)),
    exit: (code) => finish(exitStatus(context.command, code)),
    cannotStart: (message) => {
      // What the kubelet relays when CRI-O cannot exec: a 500, which kubectl prints as "error: Internal error occurred: …".
      const cause = `error executing command in container: failed to exec in container: ${message}`;
      finish({ metadata: {}, status: 'Failure', message: `Internal error occurred: ${cause}`, reason: 'InternalError', details: { causes: [{ message: cause }] }, code: 500 });
    },
  });
  return {
    stdin: (data) => process.write(data),
    endStdin: () => process.endInput(),
    resize: (columns, rows) => process.resize(columns, rows),
    hangUp: () => {
      if (done) return;
      done = true;
      process.kill();
    },
  };
}

function exitStatus(command: string[], code: number): ExecStatus {
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

/** A resize message ({"Width":…,"Height":…}, any case); undefined when malformed, which the kubelet ignores. */
export function parseResize(payload: Buffer): { columns: number; rows: number } | undefined {
  try {
    const size = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
    const get = (name: string) => Number(Object.entries(size).find(([k]) => k.toLowerCase() === name)?.[1] ?? 0);
    return { columns: get('width'), rows: get('height') };
  } catch {
    return undefined;
  }
}
