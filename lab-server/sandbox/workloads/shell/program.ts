/** What a program running in a simulated container gets, and what it returns. */
import type { ClusterView } from '../../store/cluster-view.ts';
import type { Endpoint } from '../../network/reachability.ts';

/** The machine a program runs on: a pod's container or a VM's guest. */
export interface Machine {
  cluster: ClusterView;
  /** How the network model names this workload. */
  endpoint: Endpoint;
  hostname: string;
  osRelease: string;
  /** Programs installed here besides the shell's builtins. */
  installed: Set<string>;
  /** The shell's name in messages: sh or bash. */
  shellName: string;
}

export interface ProgramContext {
  argv: string[];
  env: Record<string, string>;
  machine: Machine;
  out(data: string): void;
  err(data: string): void;
  /** The next line of standard input, or undefined at its end. */
  readLine(options?: { echo?: boolean }): Promise<string | undefined>;
  /** Waits, unless the user interrupts (Ctrl-C); resolves false when interrupted. */
  sleep(ms: number): Promise<boolean>;
  signal: AbortSignal;
}

export type Program = (context: ProgramContext) => Promise<number>;
