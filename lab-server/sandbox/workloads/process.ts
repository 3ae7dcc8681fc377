/**
 * What exec talks to: a process in a container. The API layer moves bytes
 * between it and the client; what runs (a minimal shell now, simulated
 * workloads later) is chosen by a ProcessFactory.
 */
import type { KubeObject } from '../../k8s/object.ts';
import type { ClusterView } from '../store/cluster-view.ts';

export type OutputStream = 'stdout' | 'stderr';

export interface ContainerProcess {
  write(data: Buffer): void;
  /** Standard input reached end of file. */
  endInput(): void;
  resize(columns: number, rows: number): void;
  /** Ends the process at once, e.g. when the client goes away. */
  kill(): void;
}

export interface ProcessIO {
  output(stream: OutputStream, data: string | Buffer): void;
  exit(code: number): void;
}

/** What exec gives a container process: it may also fail to start at all. */
export interface ExecIO extends ProcessIO {
  /** The runtime could not start the command (no such executable): no exit code, an error. */
  cannotStart(message: string): void;
}

export interface ExecContext {
  /** The cluster the pod lives in: programs answer through its network model. */
  cluster: ClusterView;
  pod: KubeObject;
  container: string;
  command: string[];
  tty: boolean;
  env: Record<string, string>;
}

export type ProcessFactory = (context: ExecContext, io: ExecIO) => ContainerProcess;
