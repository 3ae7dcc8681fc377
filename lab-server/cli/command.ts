/** A `labpath` subcommand: its name, one-line summary, usage text and entry point. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Resolves to the process exit code. */
  run(args: string[]): Promise<number>;
}

/** Thrown for bad flags or arguments; the dispatcher prints usage and exits 2. */
export class UsageError extends Error {}

export const EXIT_USAGE = 2;
