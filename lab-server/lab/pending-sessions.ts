/**
 * Sessions that a lesson page handed out and whose page has not connected
 * yet. They live only here, in memory, bounded in number per address and in
 * all: a foreign page that loads lesson pages in a loop (ten <img> tags)
 * gets cookies and nothing else — no folder, shell or cluster, nothing kept
 * across a restart. A pending session becomes a learner when its page opens
 * the lab's WebSocket.
 */
import { newSessionId } from './session-store.ts';

const PENDING_TTL_MS = 10 * 60_000;
const MAX_PENDING = 4096;

export class PendingSessions {
  /** Insertion-ordered: the oldest first, so that eviction is cheap. */
  private readonly sessions = new Map<string, { address: string; at: number }>();
  private readonly maxPerAddress: number;

  /**
   * `learnersPerAddress`: how many learners one address may bring; twice as
   * many may be joining at once (a workshop behind one NAT opens its pages together).
   */
  constructor(learnersPerAddress: number) {
    this.maxPerAddress = Math.min(MAX_PENDING, Math.max(32, learnersPerAddress * 2));
  }

  /** A new pending session for a page served to `address`; the oldest give way when there are too many. */
  create(address: string, now = Date.now()): string {
    this.expire(now);
    const ofAddress = [...this.sessions].filter(([, s]) => s.address === address);
    if (ofAddress.length >= this.maxPerAddress) this.sessions.delete(ofAddress[0]![0]);
    if (this.sessions.size >= MAX_PENDING) this.sessions.delete(this.sessions.keys().next().value!);
    const id = newSessionId();
    this.sessions.set(id, { address, at: now });
    return id;
  }

  has(id: string, now = Date.now()): boolean {
    const session = this.sessions.get(id);
    return session !== undefined && now - session.at < PENDING_TTL_MS;
  }

  /** Takes a pending session out, as its page connects. */
  take(id: string): void {
    this.sessions.delete(id);
  }

  private expire(now: number): void {
    for (const [id, session] of this.sessions) {
      if (now - session.at < PENDING_TTL_MS) break;
      this.sessions.delete(id);
    }
  }
}
