/**
 * A workshop: one lesson, a room of learners who joined by name with its join
 * code, seats, an end time, and the log of everything that happened. It owns
 * the rules (who may join, whose time is up, which gates are lifted) and the
 * log; the lab server runs the learners' shells and clusters, the console
 * reads from here.
 */
import type { LoadedLesson } from '../lesson/load.ts';
import type { Learner, SessionStore } from '../lab/session-store.ts';
import { newSessionId } from '../lab/session-store.ts';
import { StartRefused } from '../lab/start-refused.ts';
import { LearnerLedger } from './learner-ledger.ts';
import { codeMatches, displayName, newInstructorSecret, newJoinCode, newRejoinCode, normalName } from './seat-codes.ts';
import type { EventDetail, WorkshopEvent, WorkshopVerb } from './workshop-event.ts';
import type { SeatRecord, WorkshopRecord, WorkshopStore } from './workshop-store.ts';

export interface WorkshopSettings {
  name: string;
  lesson: LoadedLesson;
  seats: number;
  /** The end, when this start sets one (milliseconds since the epoch). */
  endsAt?: number | undefined;
  /** A learner is flagged when their time on a step exceeds its estimate by this factor. */
  attentionFactor?: number;
  /** A learner is flagged when their Check fails this often in a row on the same check. */
  repeatedFailures?: number;
  /** Learners share one real cluster (--shared-cluster): the console says so. */
  sharedCluster?: boolean;
  /** Real clusters, one per learner (--kubeconfig-dir): the names of the usable seats. */
  clusterSeats?: string[] | undefined;
}

export type JoinOutcome =
  | { ok: true; sessionId: string; learner: Learner; name: string; rejoined: boolean }
  /** `status` for the page; `needsRejoinCode`: the name is taken, and its owner may prove it is theirs. */
  | { ok: false; status: number; error: string; needsRejoinCode?: boolean; wrongCode?: boolean };

export interface BroadcastMessage {
  id: number;
  message: string;
  step: string | undefined;
  at: number;
}

export class Workshop {
  readonly lesson: LoadedLesson;
  readonly attentionFactor: number;
  readonly repeatedFailures: number;
  readonly sharedCluster: boolean;
  readonly clusterSeats: readonly string[] | undefined;
  private info: WorkshopRecord;
  private readonly store: WorkshopStore;
  private readonly sessions: SessionStore;
  private readonly ledgers = new Map<number, LearnerLedger>();
  private readonly seatsBySerial = new Map<number, SeatRecord>();
  /** Gates lifted for everyone. */
  private readonly unlockedForAll = new Set<string>();
  private latestBroadcast: BroadcastMessage | undefined;
  private readonly listeners = new Set<(event: WorkshopEvent) => void>();

  constructor(store: WorkshopStore, sessions: SessionStore, settings: WorkshopSettings) {
    this.store = store;
    this.sessions = sessions;
    this.lesson = settings.lesson;
    this.attentionFactor = settings.attentionFactor ?? 1.5;
    this.repeatedFailures = settings.repeatedFailures ?? 3;
    this.sharedCluster = settings.sharedCluster ?? false;
    this.clusterSeats = settings.clusterSeats;
    const existing = store.workshop();
    if (existing && existing.name !== settings.name)
      throw new StartRefused(`the lab's data directory holds the workshop "${existing.name}", not "${settings.name}": give this workshop a data directory of its own (--data DIR), or run "${existing.name}" again`);
    if (!existing) store.createWorkshop({ name: settings.name, joinCode: newJoinCode(), instructorSecret: newInstructorSecret(), seats: settings.seats, endsAt: settings.endsAt, createdAt: Date.now() });
    else if (settings.endsAt !== undefined && settings.endsAt !== existing.endsAt) store.setEndsAt(settings.endsAt);
    this.info = store.workshop()!;
    for (const seat of store.seats()) this.seatsBySerial.set(seat.learner, seat);
    for (const event of store.events()) this.fold(event);
    // A lab stopped hard (SIGKILL) recorded no "left": each open interval ends at its learner's last event.
    for (const ledger of this.ledgers.values()) if (ledger.openSince !== undefined) this.record(ledger.serial, 'left', { at: ledger.lastAt });
  }

  get name(): string {
    return this.info.name;
  }

  get joinCode(): string {
    return this.info.joinCode;
  }

  get instructorSecret(): string {
    return this.info.instructorSecret;
  }

  get seatCount(): number {
    return this.info.seats;
  }

  get endsAt(): number | undefined {
    return this.info.endsAt;
  }

  get broadcast(): BroadcastMessage | undefined {
    return this.latestBroadcast;
  }

  seats(): SeatRecord[] {
    return [...this.seatsBySerial.values()];
  }

  seat(serial: number): SeatRecord | undefined {
    return this.seatsBySerial.get(serial);
  }

  seatByName(name: string): SeatRecord | undefined {
    return this.store.seatByName(normalName(name));
  }

  ledger(serial: number): LearnerLedger {
    let ledger = this.ledgers.get(serial);
    if (!ledger) {
      ledger = new LearnerLedger(serial);
      this.ledgers.set(serial, ledger);
    }
    return ledger;
  }

  /**
   * Takes a learner in by name. A name already seated is given back only to
   * its owner, who shows their rejoin code; the browser that rejoins gets a
   * new session, and the earlier one's cookie stops working.
   */
  join(input: { code: string | undefined; name: string | undefined; rejoinCode?: string | undefined }, address: string, now = Date.now()): JoinOutcome {
    if (!codeMatches(input.code, this.info.joinCode)) return { ok: false, status: 403, error: 'That join code is not this workshop\'s. Check it against the one the instructor shared (letters and digits, e.g. ABCDE-FGH23).', wrongCode: true };
    const typed = displayName(input.name ?? '');
    if (!typed.ok) return { ok: false, status: 400, error: typed.error };
    const seated = this.store.seatByName(typed.name);
    if (seated) {
      if (!input.rejoinCode) return { ok: false, status: 409, error: `Someone has already joined as "${seated.name}". If that was you (in another browser), type the rejoin code shown on your lab page; otherwise choose another name.`, needsRejoinCode: true };
      if (!codeMatches(input.rejoinCode, seated.rejoinCode)) return { ok: false, status: 403, error: `That rejoin code is not "${seated.name}"'s. It is shown at the top of their lab page, e.g. ABCD-EF23.`, needsRejoinCode: true, wrongCode: true };
      const sessionId = newSessionId();
      this.sessions.rebindSession(seated.learner, sessionId);
      const learner = this.sessions.learnerBySerial(seated.learner)!;
      this.record(seated.learner, 'rejoined', { at: now });
      return { ok: true, sessionId, learner, name: seated.name, rejoined: true };
    }
    if (this.ended(undefined, now)) return { ok: false, status: 410, error: 'This workshop has ended; ask the instructor for more time.' };
    if (this.seatsBySerial.size >= this.info.seats) return { ok: false, status: 503, error: `This workshop is full: all ${this.info.seats} seats are taken. Ask the instructor to add seats, then try again.` };
    const clusterSeat = this.freeClusterSeat();
    if (clusterSeat === null) return { ok: false, status: 503, error: `This workshop is full: each learner works on a cluster of their own, and all ${this.clusterSeats!.length} clusters are taken. Ask the instructor for another.` };
    const sessionId = newSessionId();
    const learner = this.sessions.createLearner(sessionId, address);
    const seat: SeatRecord = { learner: learner.serial, name: typed.name, rejoinCode: newRejoinCode(), joinedAt: now, endsAt: undefined, clusterSeat };
    this.store.addSeat(seat);
    this.seatsBySerial.set(learner.serial, seat);
    this.record(learner.serial, 'joined', { at: now });
    return { ok: true, sessionId, learner, name: typed.name, rejoined: false };
  }

  /** Appends to the log, folds it into the learner's ledger and tells whoever follows. */
  record(learner: number | undefined, verb: WorkshopVerb, options: { stepId?: string | undefined; detail?: EventDetail; at?: number } = {}): WorkshopEvent {
    const event = this.store.record({ at: options.at ?? Date.now(), learner, verb, lessonId: this.lesson.lesson.id, stepId: options.stepId, detail: options.detail ?? {} });
    this.fold(event);
    for (const listener of this.listeners) listener(event);
    return event;
  }

  /** The whole log, in order. */
  events(): WorkshopEvent[] {
    return this.store.events();
  }

  /** Called with every new event. */
  subscribe(listener: (event: WorkshopEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The learner's end: their own, when they were given more time, or the workshop's. */
  endsFor(serial: number | undefined): number | undefined {
    const own = serial === undefined ? undefined : this.seatsBySerial.get(serial)?.endsAt;
    if (own !== undefined && this.info.endsAt !== undefined) return Math.max(own, this.info.endsAt);
    return this.info.endsAt;
  }

  ended(serial: number | undefined, now = Date.now()): boolean {
    const end = this.endsFor(serial);
    return end !== undefined && now >= end;
  }

  /** Steps whose gate is lifted for the learner (by the instructor, for them or for everyone). */
  unlockedFor(serial: number): Set<string> {
    return new Set([...this.unlockedForAll, ...this.ledger(serial).unlocked]);
  }

  setSeats(seats: number): void {
    this.store.setSeats(seats);
    this.info = { ...this.info, seats };
    this.record(undefined, 'changed-seats', { detail: { by: 'instructor', seats } });
  }

  /** More time for one learner, or (no learner) for everyone; an open-ended workshop gets an end from now. */
  extend(minutes: number, serial?: number, now = Date.now()): number {
    const from = Math.max(this.endsFor(serial) ?? now, now);
    const endsAt = from + minutes * 60_000;
    if (serial === undefined) {
      this.store.setEndsAt(endsAt);
      this.info = { ...this.info, endsAt };
    } else {
      this.store.setLearnerEndsAt(serial, endsAt);
      this.seatsBySerial.set(serial, { ...this.seatsBySerial.get(serial)!, endsAt });
    }
    this.record(serial, 'extended', { detail: { by: 'instructor', minutes, endsAt } });
    return endsAt;
  }

  /** A usable cluster seat nobody holds; undefined without cluster seats, null when all are held. */
  private freeClusterSeat(): string | undefined | null {
    if (!this.clusterSeats) return undefined;
    const held = new Set([...this.seatsBySerial.values()].map((s) => s.clusterSeat));
    return this.clusterSeats.find((name) => !held.has(name)) ?? null;
  }

  /** The lesson's steps before `stepId`. */
  stepsBefore(stepId: string): string[] {
    const index = this.lesson.steps.findIndex((s) => s.step.id === stepId);
    return index < 0 ? [] : this.lesson.steps.slice(0, index).map((s) => s.step.id);
  }

  private fold(event: WorkshopEvent): void {
    if (event.learner !== undefined) {
      this.ledger(event.learner).apply(event, (step) => this.stepsBefore(step));
      return;
    }
    if (event.verb === 'unlocked' && event.stepId) for (const step of this.stepsBefore(event.stepId)) this.unlockedForAll.add(step);
    if (event.verb === 'broadcast') {
      this.latestBroadcast = { id: event.id, message: event.detail.message ?? '', step: event.detail.toStep, at: event.at };
      if (event.detail.toStep) for (const step of this.stepsBefore(event.detail.toStep)) this.unlockedForAll.add(step);
    }
  }
}
