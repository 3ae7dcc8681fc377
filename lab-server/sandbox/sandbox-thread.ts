/**
 * A SandboxHost in a worker thread: the lab's sandbox clusters answer their
 * API on the machine's other core, so that a room of learners' kubectl,
 * checks and controllers do not queue behind the lab's own pages and
 * terminals on one event loop. The lab talks to it by message; clients reach
 * its clusters over HTTPS, as before.
 */
import { Worker } from 'node:worker_threads';
import type { Environment } from '../lesson/schema.ts';
import { log } from '../log.ts';
import type { SandboxHostOptions } from './sandbox-host.ts';

export type SandboxCall =
  | { method: 'addCluster'; environment: Environment; name: string }
  | { method: 'kubeconfig'; token: string }
  | { method: 'removeCluster'; token: string };

export type SandboxRequest = SandboxCall & { id: number };

export type SandboxAnswer = { token: string; kubeconfig: string } | string | undefined;

export type SandboxReply = { id: number; count: number } & ({ ok: true; value?: SandboxAnswer } | { ok: false; error: string });

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

/** How long a closing sandbox may take to end its thread. */
const CLOSE_TIMEOUT_MS = 5_000;

export class SandboxThread {
  readonly url: string;
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private next = 1;
  private count: number;
  private failure: Error | undefined;

  private constructor(worker: Worker, url: string, count: number) {
    this.worker = worker;
    this.url = url;
    this.count = count;
    worker.on('message', (reply: SandboxReply) => {
      this.count = reply.count;
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.ok) waiting?.resolve(reply.value);
      else waiting?.reject(new Error(`the sandbox thread failed: ${reply.error}`));
    });
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => this.fail(new Error(`the sandbox thread exited (code ${code})`)));
  }

  static start(options: SandboxHostOptions): Promise<SandboxThread> {
    const worker = new Worker(new URL('./sandbox-thread-main.ts', import.meta.url), { workerData: options });
    return new Promise((resolve, reject) => {
      const failed = (error: Error) => reject(new Error(`the sandbox thread did not start: ${error.message}`));
      worker.once('error', failed);
      worker.once('message', (ready: { ready: true; url: string; count: number }) => {
        worker.off('error', failed);
        resolve(new SandboxThread(worker, ready.url, ready.count));
      });
    });
  }

  /** Clusters the sandbox holds (as of its last answer). */
  get clusterCount(): number {
    return this.count;
  }

  addCluster(environment: Environment, name: string): Promise<{ token: string; kubeconfig: string }> {
    return this.ask({ method: 'addCluster', environment, name }) as Promise<{ token: string; kubeconfig: string }>;
  }

  /** The kubeconfig of the cluster a token opens; undefined when the sandbox has no such cluster. */
  kubeconfig(token: string): Promise<string | undefined> {
    return this.ask({ method: 'kubeconfig', token }) as Promise<string | undefined>;
  }

  async removeCluster(token: string): Promise<void> {
    await this.ask({ method: 'removeCluster', token });
  }

  /** Closes the sandbox and ends its thread; a thread that does not end within a few seconds is stopped. */
  async close(): Promise<void> {
    if (this.failure) return;
    const id = this.next++;
    const closed = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage({ id, method: 'close' });
    const late = setTimeout(() => {
      log.warn('the sandbox thread did not end when closed; stopping it');
      void this.worker.terminate();
    }, CLOSE_TIMEOUT_MS);
    await closed;
    clearTimeout(late);
  }

  private ask(request: SandboxCall): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id });
    });
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    if (this.pending.size > 0 || !/code 0\)/.test(error.message)) log.error('the sandbox thread stopped', { error: error.stack ?? error.message });
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}
