/**
 * The instructor's console, as data: a view of each learner (step, status,
 * time on step, progress, hints, solves, attention, hand) and of the
 * workshop, sent whole when a console connects and then learner by learner
 * as they change. Views are compared before sending, so a console hears
 * only news; changes in one turn of the event loop go out together.
 */
import type { StepStatus } from '../lab/session-store.ts';
import type { SessionStore } from '../lab/session-store.ts';
import type { WorkshopRoom } from './workshop-room.ts';

export interface LearnerView {
  name: string;
  connected: boolean;
  /** The real cluster seat the learner holds (--kubeconfig-dir). */
  clusterSeat: string | undefined;
  stepId: string | undefined;
  stepNumber: number | undefined;
  status: StepStatus;
  /** The current failing check's message. */
  message: string | undefined;
  /** Time on the current step before `stepOpenSince`; the console adds the time since. */
  stepTimeMs: number;
  stepOpenSince: number | undefined;
  estimateMs: number | undefined;
  passed: number;
  hints: number;
  solves: number;
  /** Why the instructor should look, in words; empty when nothing stands out. */
  attention: string[];
  hand: { message: string; at: number } | undefined;
  endsAt: number | undefined;
  ended: boolean;
  takenOver: boolean;
}

export interface WorkshopView {
  name: string;
  lesson: { id: string; title: string };
  steps: { id: string; number: number; title: string; estimatedMinutes: number; hasChecks: boolean }[];
  seats: number;
  taken: number;
  endsAt: number | undefined;
  sharedCluster: boolean;
  /** Real clusters, one per learner: how many there are. */
  clusterSeats: number | undefined;
  attentionFactor: number;
  broadcast: { id: number; message: string; step: string | undefined; at: number } | undefined;
  joinCode: string;
}

export type ConsoleMessage =
  | { type: 'snapshot'; workshop: WorkshopView; learners: LearnerView[]; now: number }
  | { type: 'learner'; learner: LearnerView; now: number }
  | { type: 'workshop'; workshop: WorkshopView; now: number };

export class ConsoleFeed {
  private readonly room: WorkshopRoom;
  private readonly sessions: SessionStore;
  private readonly subscribers = new Set<(message: ConsoleMessage) => void>();
  private readonly sent = new Map<number, string>();
  private sentWorkshop = '';
  private readonly dirty = new Set<number>();
  private everyone = false;
  private flushing = false;
  private readonly stop: () => void;

  constructor(room: WorkshopRoom, sessions: SessionStore) {
    this.room = room;
    this.sessions = sessions;
    this.stop = room.onChange((serial) => this.mark(serial));
  }

  snapshot(now = Date.now()): Extract<ConsoleMessage, { type: 'snapshot' }> {
    return { type: 'snapshot', workshop: this.workshopView(), learners: this.room.workshop.seats().map((seat) => this.view(seat.learner, now)), now };
  }

  subscribe(send: (message: ConsoleMessage) => void): () => void {
    this.subscribers.add(send);
    return () => this.subscribers.delete(send);
  }

  workshopView(): WorkshopView {
    const { workshop } = this.room;
    const lesson = workshop.lesson;
    return {
      name: workshop.name,
      lesson: { id: lesson.lesson.id, title: lesson.lesson.title },
      steps: lesson.steps.map((s) => ({ id: s.step.id, number: s.number, title: s.step.title, estimatedMinutes: s.step.estimatedMinutes, hasChecks: s.step.checks.length > 0 })),
      seats: workshop.seatCount,
      taken: workshop.seats().length,
      endsAt: workshop.endsAt,
      sharedCluster: workshop.sharedCluster,
      clusterSeats: workshop.clusterSeats?.length,
      attentionFactor: workshop.attentionFactor,
      broadcast: workshop.broadcast,
      joinCode: workshop.joinCode,
    };
  }

  view(serial: number, now = Date.now()): LearnerView {
    const { workshop } = this.room;
    const seat = workshop.seat(serial)!;
    const ledger = workshop.ledger(serial);
    const learner = this.room.learner(serial);
    const progress = this.sessions.progress(serial, workshop.lesson.lesson.id);
    const stepId = ledger.currentStep;
    const step = workshop.lesson.steps.find((s) => s.step.id === stepId);
    const live = this.room.liveStatus(serial);
    const status: StepStatus = live && live.stepId === stepId ? live.status : stepId && progress[stepId] === 'passed' ? 'passed' : 'pending';
    const estimateMs = step ? step.step.estimatedMinutes * 60_000 : undefined;
    const attention: string[] = [];
    if (step && stepId && progress[stepId] !== 'passed') {
      const onStep = ledger.timeOnStep(stepId, now);
      if (estimateMs && onStep > estimateMs * workshop.attentionFactor) attention.push(`${Math.round(onStep / 60_000)} min on step ${step.number}, estimated ${step.step.estimatedMinutes} min`);
      const streak = ledger.failStreak;
      if (streak && streak.stepId === stepId && streak.count >= workshop.repeatedFailures) attention.push(`Check failed ${streak.count} times in a row on the same check: ${streak.message}`);
    }
    let hints = 0;
    let solves = 0;
    for (const tally of ledger.steps.values()) {
      hints += tally.hints;
      solves += tally.solves;
    }
    return {
      name: seat.name,
      connected: learner !== undefined && this.room.lab.pages(learner) > 0,
      clusterSeat: seat.clusterSeat,
      stepId,
      stepNumber: step?.number,
      status,
      message: status === 'failing' && live && live.stepId === stepId ? live.message : undefined,
      stepTimeMs: stepId ? (ledger.steps.get(stepId)?.timeMs ?? 0) : 0,
      stepOpenSince: ledger.openSince,
      estimateMs,
      passed: workshop.lesson.steps.filter((s) => progress[s.step.id] === 'passed').length,
      hints,
      solves,
      attention,
      hand: ledger.hand,
      endsAt: workshop.endsFor(serial),
      ended: workshop.ended(serial, now),
      takenOver: this.room.isTakenOver(serial),
    };
  }

  close(): void {
    this.stop();
    this.subscribers.clear();
  }

  private mark(serial: number | undefined): void {
    if (this.subscribers.size === 0) return;
    if (serial === undefined) this.everyone = true;
    else this.dirty.add(serial);
    if (this.flushing) return;
    this.flushing = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushing = false;
    const now = Date.now();
    const serials = this.everyone ? this.room.workshop.seats().map((s) => s.learner) : [...this.dirty];
    this.everyone = false;
    this.dirty.clear();
    // Cheap, and changed by a learner's events too (a join takes a seat).
    const workshop = this.workshopView();
    const text = JSON.stringify(workshop);
    if (text !== this.sentWorkshop) {
      this.sentWorkshop = text;
      this.send({ type: 'workshop', workshop, now });
    }
    for (const serial of serials) {
      if (!this.room.workshop.seat(serial)) continue;
      const learner = this.view(serial, now);
      const text = JSON.stringify(learner);
      if (this.sent.get(serial) === text) continue;
      this.sent.set(serial, text);
      this.send({ type: 'learner', learner, now });
    }
  }

  private send(message: ConsoleMessage): void {
    for (const subscriber of this.subscribers) subscriber(message);
  }
}
