/**
 * Learner environments the lab prepares ahead, as hot-start pools do: per
 * lesson a few learners-to-be with their cluster made and their confined
 * shell already at its prompt, so that a new learner's terminal is ready as
 * their page connects instead of after a sandbox starts. The pool has a fixed
 * size and is topped up only when a learner takes from it, so no number of
 * page loads makes it grow; its learners belong to nobody (no session id
 * opens them) until taken.
 */
import { log } from '../log.ts';
import type { LoadedLesson } from '../lesson/load.ts';
import type { Learner } from './session-store.ts';

export class WarmPool {
  private readonly ready = new Map<string, Learner[]>();
  private readonly filling = new Map<string, number>();
  private readonly size: number;
  private readonly prepare: (lesson: LoadedLesson) => Promise<Learner>;
  private closed = false;

  /** `prepare` makes one warm learner for a lesson: their folder, cluster and running shell. */
  constructor(size: number, prepare: (lesson: LoadedLesson) => Promise<Learner>) {
    this.size = size;
    this.prepare = prepare;
  }

  /** Whether `folder` is a warm learner's (not to be put to sleep while it waits). */
  holds(folder: string): boolean {
    for (const learners of this.ready.values()) if (learners.some((l) => l.folder === folder)) return true;
    return false;
  }

  /** A warm learner for the lesson, if one is ready; the pool starts making its replacement. */
  take(lesson: LoadedLesson): Learner | undefined {
    const learner = this.ready.get(lesson.lesson.id)?.shift();
    void this.fill(lesson);
    return learner;
  }

  /** Tops the lesson's pool up to its size; resolves when it is full (or cannot be filled now). */
  async fill(lesson: LoadedLesson): Promise<void> {
    const id = lesson.lesson.id;
    const have = (this.ready.get(id)?.length ?? 0) + (this.filling.get(id) ?? 0);
    const missing = this.size - have;
    if (missing <= 0 || this.closed) return;
    this.filling.set(id, (this.filling.get(id) ?? 0) + missing);
    await Promise.all(
      Array.from({ length: missing }, async () => {
        try {
          const learner = await this.prepare(lesson);
          if (!this.closed) this.ready.set(id, [...(this.ready.get(id) ?? []), learner]);
        } catch (error) {
          // The lab is full or a cluster cannot be made now: learners then start cold, as without a pool.
          log.warn('a warm learner could not be prepared', { lesson: id, error: (error as Error).message });
        } finally {
          this.filling.set(id, (this.filling.get(id) ?? 1) - 1);
        }
      }),
    );
  }

  close(): void {
    this.closed = true;
  }
}
