/**
 * Posts the workshop's events, as xAPI statements, to a URL (a learning
 * record store, a chat bridge): in order, in small batches, one request at
 * a time, retried with a growing wait when the endpoint fails. It never
 * holds the lab: events wait in the store, marked once delivered, so that a
 * restart sends what had not gone out yet.
 */
import { log } from '../log.ts';
import type { WorkshopEvent } from './workshop-event.ts';
import type { WorkshopStore } from './workshop-store.ts';

const BATCH = 50;
const BACKOFF_MS = [1000, 2000, 5000, 10_000, 30_000, 60_000] as const;
const REQUEST_TIMEOUT_MS = 10_000;

export class EventsWebhook {
  private readonly url: string;
  private readonly store: WorkshopStore;
  private readonly statement: (event: WorkshopEvent) => object;
  private running = false;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(url: string, store: WorkshopStore, statement: (event: WorkshopEvent) => object) {
    this.url = url;
    this.store = store;
    this.statement = statement;
  }

  /** There is something new to send. */
  poke(): void {
    if (this.running || this.timer || this.closed) return;
    this.running = true;
    void this.drain().finally(() => (this.running = false));
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private async drain(): Promise<void> {
    while (!this.closed) {
      const events = this.store.events({ undeliveredOnly: true, limit: BATCH });
      if (events.length === 0) return;
      const problem = await this.post(events.map((e) => this.statement(e)));
      if (problem) {
        const wait = BACKOFF_MS[Math.min(this.failures++, BACKOFF_MS.length - 1)]!;
        log.warn('workshop events not delivered; trying again', { url: this.url, problem, retryInMs: wait, waiting: events.length });
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.poke();
        }, wait);
        this.timer.unref();
        return;
      }
      this.failures = 0;
      for (const event of events) this.store.markDelivered(event.id);
    }
  }

  /** What went wrong, or undefined when the endpoint took the batch. */
  private async post(statements: object[]): Promise<string | undefined> {
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-experience-api-version': '1.0.3' },
        body: JSON.stringify(statements),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        redirect: 'error',
      });
      await res.arrayBuffer().catch(() => undefined);
      return res.ok ? undefined : `HTTP ${res.status}`;
    } catch (error) {
      return (error as Error).message;
    }
  }
}
