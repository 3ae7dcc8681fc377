/**
 * What a workshop hands over afterwards: every learner × step (first pass,
 * attempts, hints, solves, time on step) as CSV and JSON, and the whole
 * event log as xAPI statements, which a learning record store takes as they
 * are. All of it is read from the log and the store; nothing is kept apart.
 */
import { createHash } from 'node:crypto';
import type { SessionStore } from '../lab/session-store.ts';
import type { Workshop } from './workshop.ts';
import { VERBS, type WorkshopEvent } from './workshop-event.ts';

export interface StepRow {
  learner: string;
  stepNumber: number;
  step: string;
  title: string;
  passed: boolean;
  firstPassAt: string | undefined;
  secondsToFirstPass: number | undefined;
  attempts: number;
  hints: number;
  solves: number;
  secondsOnStep: number;
}

export function stepRows(workshop: Workshop, sessions: SessionStore, now = Date.now()): StepRow[] {
  const rows: StepRow[] = [];
  for (const seat of workshop.seats()) {
    const ledger = workshop.ledger(seat.learner);
    const progress = sessions.progress(seat.learner, workshop.lesson.lesson.id);
    for (const { number, step } of workshop.lesson.steps) {
      const tally = ledger.steps.get(step.id);
      rows.push({
        learner: seat.name,
        stepNumber: number,
        step: step.id,
        title: step.title,
        passed: progress[step.id] === 'passed',
        firstPassAt: tally?.firstPassAt === undefined ? undefined : new Date(tally.firstPassAt).toISOString(),
        secondsToFirstPass: tally?.timeToPassMs === undefined ? undefined : seconds(tally.timeToPassMs),
        attempts: tally?.attempts ?? 0,
        hints: tally?.hints ?? 0,
        solves: tally?.solves ?? 0,
        secondsOnStep: seconds(ledger.timeOnStep(step.id, now)),
      });
    }
  }
  return rows;
}

const COLUMNS: (keyof StepRow)[] = ['learner', 'stepNumber', 'step', 'title', 'passed', 'firstPassAt', 'secondsToFirstPass', 'attempts', 'hints', 'solves', 'secondsOnStep'];

/** RFC 4180: every field that needs it quoted; a leading = + - @ defused, so that a spreadsheet does not run a name as a formula. */
export function rowsCsv(rows: StepRow[]): string {
  const field = (value: unknown) => {
    let text = value === undefined ? '' : String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return `${[COLUMNS.join(','), ...rows.map((row) => COLUMNS.map((c) => field(row[c])).join(','))].join('\r\n')}\r\n`;
}

export function exportJson(workshop: Workshop, sessions: SessionStore, now = Date.now()): object {
  const rowsOf = Map.groupBy(stepRows(workshop, sessions, now), (row) => row.learner);
  return {
    workshop: workshop.name,
    lesson: { id: workshop.lesson.lesson.id, title: workshop.lesson.lesson.title },
    exportedAt: new Date(now).toISOString(),
    learners: workshop.seats().map((seat) => ({
      name: seat.name,
      joinedAt: new Date(seat.joinedAt).toISOString(),
      clusterSeat: seat.clusterSeat,
      steps: (rowsOf.get(seat.name) ?? []).map(({ learner: _learner, ...step }) => step),
    })),
  };
}

/** One event as an xAPI statement: the learner (or the instructor) as actor, the lesson, step or check as object. */
export function statementOf(event: WorkshopEvent, workshop: Workshop, baseUrl: string): object {
  const seat = event.learner === undefined ? undefined : workshop.seat(event.learner);
  const byInstructor = event.detail.by === 'instructor' || event.learner === undefined;
  const agent = (name: string, account: string) => ({ objectType: 'Agent', name, account: { homePage: baseUrl, name: account } });
  const actor = byInstructor ? agent('Instructor', 'instructor') : agent(seat?.name ?? `learner ${event.learner}`, seat?.name ?? String(event.learner));
  const lessonId = event.lessonId ?? workshop.lesson.lesson.id;
  const step = workshop.lesson.steps.find((s) => s.step.id === event.stepId)?.step;
  const lessonActivity = { objectType: 'Activity', id: `${baseUrl}/lessons/${lessonId}/`, definition: { name: { en: workshop.lesson.lesson.title }, type: 'http://adlnet.gov/expapi/activities/lesson' } };
  const stepActivity = step && { objectType: 'Activity', id: `${baseUrl}/lessons/${lessonId}/${step.id}/`, definition: { name: { en: step.title }, type: 'http://adlnet.gov/expapi/activities/interaction' } };
  const check = event.detail.check;
  const object =
    check && stepActivity ? { objectType: 'Activity', id: `${stepActivity.id}#check-${check.index + 1}`, definition: { name: { en: check.message }, type: 'http://adlnet.gov/expapi/activities/assessment' } } : (stepActivity ?? lessonActivity);
  const result = resultOf(event, workshop);
  const extensions: Record<string, unknown> = { 'https://labpath.dev/xapi/workshop': workshop.name };
  if (byInstructor && seat) extensions['https://labpath.dev/xapi/learner'] = seat.name;
  for (const key of ['toStep', 'minutes', 'endsAt', 'seats', 'hint'] as const) if (event.detail[key] !== undefined) extensions[`https://labpath.dev/xapi/${key}`] = event.detail[key];
  return {
    id: statementId(workshop, event),
    actor,
    verb: { id: VERBS[event.verb], display: { en: event.verb } },
    object,
    ...(result ? { result } : {}),
    context: { contextActivities: { parent: [lessonActivity] }, extensions },
    timestamp: new Date(event.at).toISOString(),
  };
}

/** What an event came to, in xAPI's words: a failed check's assertion, a pass's time, a message. */
function resultOf(event: WorkshopEvent, workshop: Workshop): object | undefined {
  const check = event.detail.check;
  if (event.verb === 'failed' && check) return { success: false, response: check.actual, extensions: { 'https://labpath.dev/xapi/assertion': { subject: check.subject, expected: check.expected, actual: check.actual, message: check.message } } };
  if (event.verb === 'passed') {
    const toPass = event.learner === undefined || !event.stepId ? undefined : workshop.ledger(event.learner).steps.get(event.stepId)?.timeToPassMs;
    return { success: true, ...(toPass !== undefined ? { duration: isoDuration(toPass) } : {}) };
  }
  return event.detail.message !== undefined ? { response: event.detail.message } : undefined;
}

/** The same statement always gets the same id: a record store drops a resent one. */
function statementId(workshop: Workshop, event: WorkshopEvent): string {
  const hex = createHash('sha256').update(`${workshop.name}\0${workshop.joinCode}\0${event.id}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}

function isoDuration(ms: number): string {
  return `PT${(Math.round(ms / 10) / 100).toString()}S`;
}
