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
type Ready = { ready: true; url: string; count: number };

/** How long a closing sandbox may take to end its thread. */
const CLOSE_TIMEOUT_MS = 5_000;
/**
 * A thread that stops is started again: at once the first time, then after
 * a wait that doubles up to the second figure, while it keeps stopping soon
 * after each start. Its clusters and objects are in its SQLite file, and it
 * listens on the port it had, so the lab's and the learners' kubeconfigs stay
 * good and their watches reconnect.
 */
const RESTART_WAIT_MS = [1_000, 30_000] as const;
/** Having run this long, a thread that stops is restarted as if for the first time. */
const HEALTHY_MS = 60_000;
/** Starts in a row after which a thread that keeps stopping is given up on. */
const MAX_RESTARTS = 6;

export class SandboxThread {
  readonly url: string;
  private readonly options: SandboxHostOptions;
  private worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private next = 1;
  private count: number;
  private startedAt = performance.now();
  /** Restarts since the thread last ran healthily. */
  private restarts = 0;
  /** Settles when a restart has its thread running (or has given up). */
  private restarting: Promise<void> | undefined;
  private closing = false;
  /** Why the thread is not restarted any more; every request is refused with it. */
  private failure: Error | undefined;

  private constructor(options: SandboxHostOptions, worker: Worker, ready: Ready) {
    this.options = options;
    this.url = ready.url;
    this.worker = worker;
    this.count = ready.count;
    this.adopt(worker);
  }

  static async start(options: SandboxHostOptions): Promise<SandboxThread> {
    const { worker, ready } = await launch(options);
    // Restarted, it listens where it did: port 0 would move it, and every kubeconfig with it.
    return new SandboxThread({ ...options, port: Number(new URL(ready.url).port) }, worker, ready);
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
    this.closing = true;
    await this.restarting;
    if (this.failure) return;
    const worker = this.worker;
    const id = this.next++;
    const closed = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ id, method: 'close' });
    const late = setTimeout(() => {
      log.warn('the sandbox thread did not end when closed; stopping it');
      void worker.terminate();
    }, CLOSE_TIMEOUT_MS);
    await closed;
    clearTimeout(late);
  }

  private async ask(request: SandboxCall): Promise<unknown> {
    // A request made while the thread starts again waits for it, rather than failing for a moment's gap.
    await this.restarting;
    if (this.failure) throw this.failure;
    if (this.closing) throw new Error('the sandbox is closing');
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id });
    });
  }

  private adopt(worker: Worker): void {
    worker.on('message', (reply: SandboxReply) => {
      this.count = reply.count;
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.ok) waiting?.resolve(reply.value);
      else waiting?.reject(new Error(`the sandbox thread failed: ${reply.error}`));
    });
    // An error is followed by an exit: only the first of them, and only for the thread that runs now, counts.
    let stopped = false;
    const stop = (error: Error) => {
      if (stopped || worker !== this.worker) return;
      stopped = true;
      this.stopped(error);
    };
    worker.on('error', stop);
    worker.on('exit', (code) => stop(new Error(`the sandbox thread exited (code ${code})`)));
  }

  private stopped(error: Error): void {
    // Requests in flight are lost with the thread: their callers hear so now, not never.
    for (const waiting of this.pending.values()) waiting.reject(new Error(`the sandbox thread stopped while answering: ${error.message}`));
    this.pending.clear();
    if (this.closing) return;
    if (performance.now() - this.startedAt > HEALTHY_MS) this.restarts = 0;
    this.restarting = this.restart(error).finally(() => (this.restarting = undefined));
  }

  private async restart(error: Error): Promise<void> {
    for (let last = error; ; ) {
      this.restarts++;
      if (this.restarts > MAX_RESTARTS) {
        this.failure = new Error(`the sandbox thread stopped ${MAX_RESTARTS} times soon after starting, and is not started again; the last time: ${last.message}`);
        log.error('the sandbox thread is given up on', { error: this.failure.message });
        return;
      }
      const wait = this.restarts === 1 ? 0 : Math.min(RESTART_WAIT_MS[0] * 2 ** (this.restarts - 2), RESTART_WAIT_MS[1]);
      log.error('the sandbox thread stopped; starting it again', { error: last.stack ?? last.message, restart: this.restarts, waitMs: wait });
      await new Promise((resolve) => setTimeout(resolve, wait));
      if (this.closing) return;
      try {
        const { worker, ready } = await launch(this.options);
        this.worker = worker;
        this.count = ready.count;
        this.startedAt = performance.now();
        this.adopt(worker);
        log.info('the sandbox thread runs again', { url: ready.url, clusters: ready.count });
        return;
      } catch (failed) {
        last = failed as Error;
      }
    }
  }
}

function launch(options: SandboxHostOptions): Promise<{ worker: Worker; ready: Ready }> {
  const worker = new Worker(new URL('./sandbox-thread-main.ts', import.meta.url), { workerData: options });
  return new Promise((resolve, reject) => {
    const failed = (error: Error) => reject(new Error(`the sandbox thread did not start: ${error.message}`));
    worker.once('error', failed);
    worker.once('exit', (code) => failed(new Error(`it exited (code ${code})`)));
    worker.once('message', (ready: Ready) => {
      worker.removeAllListeners('error').removeAllListeners('exit');
      resolve({ worker, ready });
    });
  });
}
