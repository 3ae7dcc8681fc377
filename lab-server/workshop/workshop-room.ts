/**
 * The workshop, live: what each learner's runtime reports goes into the log;
 * what the instructor does reaches the learners' pages; the console hears of
 * every change. The lab server runs shells and clusters and tells the room
 * when pages come and go; it reaches them through `LabControl`.
 */
import type { CheckResult } from '../checks/check-result.ts';
import type { PageSeat } from '../lab/lab-connection.ts';
import type { LessonRuntime, RuntimeObserver } from '../lab/lesson-runtime.ts';
import type { LearnerWorkshopState } from '../lab/protocol.ts';
import type { Learner, SessionStore, StepStatus } from '../lab/session-store.ts';
import { log } from '../log.ts';
import type { Workshop } from './workshop.ts';
import type { WorkshopEvent } from './workshop-event.ts';

/** What the room asks of the lab server. */
export interface LabControl {
  /** The learner's runtime for the workshop's lesson, started if none runs. */
  open(learner: Learner): Promise<LessonRuntime>;
  /** Their runtime, if one runs. */
  running(learner: Learner): Promise<LessonRuntime> | undefined;
  /** Pages the learner has open now. */
  pages(learner: Learner): number;
  /** Closes the learner's pages (their seat was taken from another browser). */
  closePages(learner: Learner, reason: string): void;
}

/** The step status a console shows, as the learner's page last heard it. */
export interface LiveStatus {
  stepId: string;
  status: StepStatus;
  /** The first failing check's message. */
  message: string | undefined;
}

export class WorkshopRoom {
  readonly workshop: Workshop;
  readonly lab: LabControl;
  private readonly sessions: SessionStore;
  private readonly learners = new Map<number, Learner>();
  private readonly live = new Map<number, LiveStatus>();
  /** Learners whose terminal the instructor is typing in. */
  private readonly takenOver = new Set<number>();
  /** What their pages were last told, so that only a change is sent. */
  private readonly told = new Map<number, string>();
  private readonly changed = new Set<(serial: number | undefined) => void>();
  private readonly tick: NodeJS.Timeout;
  private readonly unsubscribe: () => void;

  constructor(workshop: Workshop, sessions: SessionStore, lab: LabControl) {
    this.workshop = workshop;
    this.sessions = sessions;
    this.lab = lab;
    this.unsubscribe = workshop.subscribe((event) => this.heard(event));
    // Time passes without events: a learner's time runs out, a step takes longer than its estimate.
    this.tick = setInterval(() => {
      for (const seat of workshop.seats()) this.tellPages(seat.learner);
      for (const listener of this.changed) listener(undefined);
    }, 1000);
    this.tick.unref();
  }

  /** Called with a learner's serial when something of theirs changed; undefined: a tick, or the workshop's own. */
  onChange(listener: (serial: number | undefined) => void): () => void {
    this.changed.add(listener);
    return () => this.changed.delete(listener);
  }

  learner(serial: number): Learner | undefined {
    let learner = this.learners.get(serial);
    if (!learner) {
      learner = this.sessions.learnerBySerial(serial);
      if (learner) this.learners.set(serial, learner);
    }
    return learner;
  }

  liveStatus(serial: number): LiveStatus | undefined {
    return this.live.get(serial);
  }

  isTakenOver(serial: number): boolean {
    return this.takenOver.has(serial);
  }

  setTakenOver(serial: number, active: boolean): void {
    if (active === this.takenOver.has(serial)) return;
    if (active) this.takenOver.add(serial);
    else this.takenOver.delete(serial);
    this.workshop.record(serial, active ? 'took-over' : 'released', { detail: { by: 'instructor' } });
  }

  /** Follows one learner's runtime into the log. */
  observer(serial: number): RuntimeObserver {
    const record = this.workshop.record.bind(this.workshop, serial);
    return {
      viewed: (stepId) => {
        const ledger = this.workshop.ledger(serial);
        // A second tab on the same step is not a new visit.
        if (ledger.currentStep !== stepId || ledger.openSince === undefined) record('viewed', { stepId });
      },
      status: (stepId, status, results, answered) => {
        this.live.set(serial, { stepId, status, message: firstFailure(results)?.message });
        if (answered && status !== 'pending') {
          const failure = firstFailure(results);
          if (status === 'passed') record('passed', { stepId });
          else if (failure) record('failed', { stepId, detail: { check: { index: results.indexOf(failure), message: failure.message, subject: failure.subject, expected: failure.expected, actual: failure.actual } } });
        }
        this.notify(serial);
      },
      attempted: (stepId) => record('attempted', { stepId }),
      // A pass the learner did not ask about (the watcher saw it) is recorded too; an answered one already was.
      passed: (stepId) => {
        if (this.workshop.ledger(serial).tally(stepId).firstPassAt === undefined) record('passed', { stepId });
      },
      hinted: (stepId, hint) => record('hinted', { stepId, detail: { hint } }),
      solved: (stepId) => record('solved', { stepId }),
      reset: (toStep, byInstructor) => {
        this.live.delete(serial);
        record('reset', { detail: { ...(toStep ? { toStep } : {}), ...(byInstructor ? { by: 'instructor' as const } : {}) } });
      },
    };
  }

  /** The learner's seat as their pages see it. */
  pageSeat(serial: number): PageSeat {
    return {
      state: () => this.pageState(serial),
      refusal: () => (this.workshop.ended(serial) ? 'The workshop has ended, so your terminal and the lab\'s buttons no longer act. Ask the instructor if you need more time.' : undefined),
      raiseHand: (message) => this.workshop.record(serial, 'raised-hand', { detail: { message } }),
      lowerHand: () => {
        if (this.workshop.ledger(serial).hand) this.workshop.record(serial, 'lowered-hand');
      },
    };
  }

  pageState(serial: number): LearnerWorkshopState {
    const seat = this.workshop.seat(serial);
    const ledger = this.workshop.ledger(serial);
    const broadcast = this.workshop.broadcast;
    return {
      workshop: this.workshop.name,
      name: seat?.name ?? '',
      rejoinCode: seat?.rejoinCode ?? '',
      endsAt: this.workshop.endsFor(serial),
      ended: this.workshop.ended(serial),
      hand: ledger.hand,
      answer: ledger.answer,
      takenOver: this.takenOver.has(serial),
      broadcast: broadcast && { id: broadcast.id, message: broadcast.message, step: broadcast.step },
    };
  }

  /** The learner's pages opened or closed. */
  pagesChanged(learner: Learner): void {
    if (this.lab.pages(learner) === 0 && this.workshop.ledger(learner.serial).openSince !== undefined) this.workshop.record(learner.serial, 'left');
    else this.notify(learner.serial);
  }

  /** Lifted gates and progress changed for these learners (all, when undefined): their pages hear of it. */
  async progressChanged(serials?: number[]): Promise<void> {
    for (const serial of serials ?? this.workshop.seats().map((s) => s.learner)) {
      const learner = this.learner(serial);
      const runtime = learner && (await this.lab.running(learner)?.catch(() => undefined));
      runtime?.progressChanged();
    }
  }

  close(): void {
    clearInterval(this.tick);
    this.unsubscribe();
  }

  private heard(event: WorkshopEvent): void {
    const serials = event.learner === undefined ? this.workshop.seats().map((s) => s.learner) : [event.learner];
    for (const serial of serials) this.tellPages(serial);
    this.notify(event.learner);
  }

  private notify(serial: number | undefined): void {
    for (const listener of this.changed) {
      try {
        listener(serial);
      } catch (error) {
        log.error('a workshop listener failed', { error: error instanceof Error ? error.stack : String(error) });
      }
    }
  }

  /** Sends the learner's pages their workshop state when it differs from what they were told. */
  private tellPages(serial: number): void {
    const learner = this.learner(serial);
    if (!learner || this.lab.pages(learner) === 0) return;
    const state = this.pageState(serial);
    const text = JSON.stringify(state);
    if (this.told.get(serial) === text) return;
    this.told.set(serial, text);
    void this.lab.running(learner)?.then((runtime) => runtime.notify({ type: 'workshop', workshop: state }), () => undefined);
  }
}

function firstFailure(results: CheckResult[]): CheckResult | undefined {
  return results.find((r) => r.status !== 'passed');
}
