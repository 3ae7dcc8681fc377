/**
 * The workshop's event log, one kind of entry: who did what, to which step,
 * when. Progress summaries, the console's tiles, the exports and the xAPI
 * statements are all read from it; the verbs and what xAPI calls them are
 * data, here.
 */

export interface WorkshopEvent {
  id: number;
  /** Milliseconds since the epoch. */
  at: number;
  /** The learner's serial; undefined for what concerns the whole workshop. */
  learner: number | undefined;
  verb: WorkshopVerb;
  lessonId: string | undefined;
  stepId: string | undefined;
  detail: EventDetail;
}

export interface EventDetail {
  /** Who did it, when it was not the learner. */
  by?: 'instructor';
  /** The failing assertion of a failed attempt. */
  check?: { index: number; message: string; subject: string; expected: string; actual: string };
  /** A hand's message, an answer, a broadcast. */
  message?: string;
  /** Where a reset or a broadcast's "follow me" takes learners. */
  toStep?: string;
  minutes?: number;
  endsAt?: number;
  seats?: number;
  hint?: number;
}

/** Each verb, and the xAPI verb it is stated as (ADL's where there is one). */
export const VERBS = {
  joined: 'http://adlnet.gov/expapi/verbs/registered',
  rejoined: 'http://adlnet.gov/expapi/verbs/resumed',
  viewed: 'http://id.tincanapi.com/verb/viewed',
  left: 'http://adlnet.gov/expapi/verbs/suspended',
  attempted: 'http://adlnet.gov/expapi/verbs/attempted',
  passed: 'http://adlnet.gov/expapi/verbs/passed',
  failed: 'http://adlnet.gov/expapi/verbs/failed',
  hinted: 'https://labpath.dev/xapi/verbs/hinted',
  solved: 'https://labpath.dev/xapi/verbs/solved',
  reset: 'https://labpath.dev/xapi/verbs/reset',
  unlocked: 'https://labpath.dev/xapi/verbs/unlocked',
  'raised-hand': 'http://adlnet.gov/expapi/verbs/asked',
  'answered-hand': 'http://adlnet.gov/expapi/verbs/responded',
  'lowered-hand': 'https://labpath.dev/xapi/verbs/lowered-hand',
  broadcast: 'http://adlnet.gov/expapi/verbs/shared',
  watched: 'https://labpath.dev/xapi/verbs/watched',
  'took-over': 'https://labpath.dev/xapi/verbs/took-over',
  released: 'https://labpath.dev/xapi/verbs/released',
  extended: 'https://labpath.dev/xapi/verbs/extended',
  'changed-seats': 'https://labpath.dev/xapi/verbs/changed-seats',
} as const;

export type WorkshopVerb = keyof typeof VERBS;
