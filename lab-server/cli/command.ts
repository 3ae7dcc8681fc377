/** A `labpath` subcommand: its name, usage text and entry point (the dispatcher holds the one-line summaries). */
export interface Command {
  name: string;
  usage: string;
  /** `--help` after a verb belongs to the wrapped tool (`oc get --help` is kubectl's help). */
  forwardsHelp?: boolean;
  /** Resolves to the process exit code. */
  run(args: string[]): Promise<number>;
}

/** Thrown for bad flags or arguments; the dispatcher prints usage and exits 2. */
export class UsageError extends Error {}

export const EXIT_USAGE = 2;
