/**
 * Wrong join and rejoin codes, counted per address: past a few in a window
 * the address waits, so that a short code cannot be guessed by trying.
 */
const WINDOW_MS = 10 * 60_000;
const MAX_FAILURES = 20;

export class AttemptLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly max: number;
  private readonly windowMs: number;

  constructor(max = MAX_FAILURES, windowMs = WINDOW_MS) {
    this.max = max;
    this.windowMs = windowMs;
  }

  /** Milliseconds the address must wait before trying again; 0 when it may try now. */
  waitMs(address: string, now = Date.now()): number {
    const recent = this.recent(address, now);
    return recent.length < this.max ? 0 : recent[0]! + this.windowMs - now;
  }

  fail(address: string, now = Date.now()): void {
    this.failures.set(address, [...this.recent(address, now), now]);
    // Bounded: addresses whose failures have aged out are dropped as others come.
    if (this.failures.size > 10_000) for (const [key] of this.failures) if (this.recent(key, now).length === 0) this.failures.delete(key);
  }

  private recent(address: string, now: number): number[] {
    return (this.failures.get(address) ?? []).filter((at) => now - at < this.windowMs);
  }
}
