/**
 * One learner's workshop so far, folded from their events: the step their
 * page shows and since when, time spent on each step, attempts, hints,
 * solves, first passes, the check they keep failing, a raised hand. Replaying
 * the log after a restart gives the same ledger, so nothing here is stored.
 */
import type { WorkshopEvent } from './workshop-event.ts';

export interface StepTally {
  firstViewedAt: number | undefined;
  /** Time a page showed this step, not counting the open interval. */
  timeMs: number;
  attempts: number;
  hints: number;
  solves: number;
  firstPassAt: number | undefined;
  /** Time on the step until it first passed. */
  timeToPassMs: number | undefined;
}

export interface FailStreak {
  stepId: string;
  check: number;
  message: string;
  count: number;
}

export class LearnerLedger {
  readonly serial: number;
  currentStep: string | undefined;
  /** When a page started showing the current step; undefined while no page shows it. */
  openSince: number | undefined;
  readonly steps = new Map<string, StepTally>();
  failStreak: FailStreak | undefined;
  hand: { message: string; at: number } | undefined;
  /** The instructor's last answer to a hand. */
  answer: string | undefined;
  /** Steps whose gate the instructor lifted for this learner. */
  readonly unlocked = new Set<string>();
  lastAt = 0;

  constructor(serial: number) {
    this.serial = serial;
  }

  tally(stepId: string): StepTally {
    let tally = this.steps.get(stepId);
    if (!tally) {
      tally = { firstViewedAt: undefined, timeMs: 0, attempts: 0, hints: 0, solves: 0, firstPassAt: undefined, timeToPassMs: undefined };
      this.steps.set(stepId, tally);
    }
    return tally;
  }

  /** Time a page has shown the step, up to `now`. */
  timeOnStep(stepId: string, now: number): number {
    const open = this.currentStep === stepId && this.openSince !== undefined ? Math.max(0, now - this.openSince) : 0;
    return (this.steps.get(stepId)?.timeMs ?? 0) + open;
  }

  /** `stepsBefore`: the lesson's steps before a given one, for an unlock that lifts the gates up to it. */
  apply(event: WorkshopEvent, stepsBefore: (stepId: string) => string[]): void {
    this.lastAt = Math.max(this.lastAt, event.at);
    const step = event.stepId;
    switch (event.verb) {
      case 'viewed':
        this.closeInterval(event.at);
        this.currentStep = step;
        this.openSince = event.at;
        if (step) this.tally(step).firstViewedAt ??= event.at;
        break;
      case 'left':
        this.closeInterval(event.at);
        break;
      case 'attempted':
        if (step) this.tally(step).attempts++;
        break;
      case 'passed':
        if (step) {
          const tally = this.tally(step);
          if (tally.firstPassAt === undefined) {
            tally.firstPassAt = event.at;
            tally.timeToPassMs = this.timeOnStep(step, event.at);
          }
          if (this.failStreak?.stepId === step) this.failStreak = undefined;
        }
        break;
      case 'failed': {
        const check = event.detail.check;
        if (!step || !check) break;
        const same = this.failStreak && this.failStreak.stepId === step && this.failStreak.check === check.index;
        this.failStreak = { stepId: step, check: check.index, message: check.message, count: same ? this.failStreak!.count + 1 : 1 };
        break;
      }
      case 'hinted':
        if (step) this.tally(step).hints++;
        break;
      case 'solved':
        if (step) this.tally(step).solves++;
        break;
      case 'reset':
        this.failStreak = undefined;
        break;
      case 'unlocked':
        if (step) for (const before of stepsBefore(step)) this.unlocked.add(before);
        break;
      case 'raised-hand':
        this.hand = { message: event.detail.message ?? '', at: event.at };
        this.answer = undefined;
        break;
      case 'answered-hand':
        this.hand = undefined;
        this.answer = event.detail.message ?? '';
        break;
      case 'lowered-hand':
        this.hand = undefined;
        break;
      default:
        break;
    }
  }

  private closeInterval(at: number): void {
    if (this.currentStep !== undefined && this.openSince !== undefined) this.tally(this.currentStep).timeMs += Math.max(0, at - this.openSince);
    this.openSince = undefined;
  }
}
