/**
 * What a workshop remembers, in the lab's own database (the same file as
 * learners and progress): the workshop and its secrets, each seat (a learner's
 * display name and rejoin code), and the event log — every learner's action
 * and every instructor's. Writes are committed before anyone is answered, so
 * a restart, even SIGKILL, loses none of it.
 */
import { DatabaseSync, type Database } from '../sqlite.ts';
import type { WorkshopEvent, WorkshopVerb } from './workshop-event.ts';

export interface WorkshopRecord {
  name: string;
  joinCode: string;
  instructorSecret: string;
  seats: number;
  /** Milliseconds since the epoch; undefined: open-ended. */
  endsAt: number | undefined;
  createdAt: number;
}

export interface SeatRecord {
  learner: number;
  name: string;
  rejoinCode: string;
  joinedAt: number;
  /** This learner's own end, when the instructor gave them more time than everyone. */
  endsAt: number | undefined;
  /** The real cluster seat (a kubeconfig of --kubeconfig-dir) this learner holds. */
  clusterSeat: string | undefined;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS workshop (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  name TEXT NOT NULL,
  join_code TEXT NOT NULL,
  instructor_secret TEXT NOT NULL,
  seats INTEGER NOT NULL,
  ends_at INTEGER,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS seats (
  learner INTEGER PRIMARY KEY REFERENCES learners(serial) ON DELETE CASCADE,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  rejoin_code TEXT NOT NULL,
  joined_at INTEGER NOT NULL,
  ends_at INTEGER,
  cluster_seat TEXT UNIQUE
);
CREATE TABLE IF NOT EXISTS workshop_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  learner INTEGER,
  verb TEXT NOT NULL,
  lesson_id TEXT,
  step_id TEXT,
  detail TEXT NOT NULL DEFAULT '{}',
  delivered INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS workshop_events_learner ON workshop_events (learner, id);
CREATE INDEX IF NOT EXISTS workshop_events_undelivered ON workshop_events (delivered, id);
`;

interface EventRow {
  id: number;
  at: number;
  learner: number | null;
  verb: WorkshopVerb;
  lesson_id: string | null;
  step_id: string | null;
  detail: string;
}

interface SeatRow {
  learner: number;
  name: string;
  rejoin_code: string;
  joined_at: number;
  ends_at: number | null;
  cluster_seat: string | null;
}

export class WorkshopStore {
  private readonly db: Database;

  /** `path`: the lab's database, whose learners table the seats belong to. */
  constructor(path: string) {
    this.db = new DatabaseSync(path);
    // WAL with NORMAL: a commit is in the log file before the call returns, so it survives the lab being killed
    // (SIGKILL); only a power cut can lose the last ones. FULL's fsync per write held the event loop for milliseconds.
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
    this.db.exec(SCHEMA);
  }

  workshop(): WorkshopRecord | undefined {
    const row = this.db.prepare('SELECT name, join_code, instructor_secret, seats, ends_at, created_at FROM workshop WHERE id = 1').get() as
      | { name: string; join_code: string; instructor_secret: string; seats: number; ends_at: number | null; created_at: number }
      | undefined;
    return row && { name: row.name, joinCode: row.join_code, instructorSecret: row.instructor_secret, seats: row.seats, endsAt: row.ends_at ?? undefined, createdAt: row.created_at };
  }

  createWorkshop(record: WorkshopRecord): void {
    this.db.prepare('INSERT INTO workshop (id, name, join_code, instructor_secret, seats, ends_at, created_at) VALUES (1, ?, ?, ?, ?, ?, ?)').run(record.name, record.joinCode, record.instructorSecret, record.seats, record.endsAt ?? null, record.createdAt);
  }

  setSeats(seats: number): void {
    this.db.prepare('UPDATE workshop SET seats = ? WHERE id = 1').run(seats);
  }

  setEndsAt(endsAt: number | undefined): void {
    this.db.prepare('UPDATE workshop SET ends_at = ? WHERE id = 1').run(endsAt ?? null);
  }

  seats(): SeatRecord[] {
    return (this.db.prepare('SELECT learner, name, rejoin_code, joined_at, ends_at, cluster_seat FROM seats ORDER BY joined_at, learner').all() as unknown as SeatRow[]).map(seatOf);
  }

  seatByName(name: string): SeatRecord | undefined {
    const row = this.db.prepare('SELECT learner, name, rejoin_code, joined_at, ends_at, cluster_seat FROM seats WHERE name = ?').get(name) as SeatRow | undefined;
    return row && seatOf(row);
  }

  addSeat(seat: SeatRecord): void {
    this.db.prepare('INSERT INTO seats (learner, name, rejoin_code, joined_at, ends_at, cluster_seat) VALUES (?, ?, ?, ?, ?, ?)').run(seat.learner, seat.name, seat.rejoinCode, seat.joinedAt, seat.endsAt ?? null, seat.clusterSeat ?? null);
  }

  setLearnerEndsAt(learner: number, endsAt: number | undefined): void {
    this.db.prepare('UPDATE seats SET ends_at = ? WHERE learner = ?').run(endsAt ?? null, learner);
  }

  /** Appends an event; returns it with its id. */
  record(event: Omit<WorkshopEvent, 'id'>): WorkshopEvent {
    const row = this.db
      .prepare('INSERT INTO workshop_events (at, learner, verb, lesson_id, step_id, detail) VALUES (?, ?, ?, ?, ?, ?) RETURNING id')
      .get(event.at, event.learner ?? null, event.verb, event.lessonId ?? null, event.stepId ?? null, JSON.stringify(event.detail ?? {})) as { id: number };
    return { ...event, id: row.id };
  }

  /** Every event in order; `undeliveredOnly`: those the webhook has not delivered yet. */
  events(options: { undeliveredOnly?: boolean; limit?: number } = {}): WorkshopEvent[] {
    const rows = this.db
      .prepare(`SELECT id, at, learner, verb, lesson_id, step_id, detail FROM workshop_events${options.undeliveredOnly ? ' WHERE delivered = 0' : ''} ORDER BY id LIMIT ?`)
      .all(options.limit ?? -1) as unknown as EventRow[];
    return rows.map(eventOf);
  }

  markDelivered(id: number): void {
    this.db.prepare('UPDATE workshop_events SET delivered = 1 WHERE id = ?').run(id);
  }

  close(): void {
    this.db.close();
  }
}

function seatOf(row: SeatRow): SeatRecord {
  return { learner: row.learner, name: row.name, rejoinCode: row.rejoin_code, joinedAt: row.joined_at, endsAt: row.ends_at ?? undefined, clusterSeat: row.cluster_seat ?? undefined };
}

function eventOf(row: EventRow): WorkshopEvent {
  return {
    id: row.id,
    at: row.at,
    learner: row.learner ?? undefined,
    verb: row.verb,
    lessonId: row.lesson_id ?? undefined,
    stepId: row.step_id ?? undefined,
    detail: JSON.parse(row.detail) as WorkshopEvent['detail'],
  };
}
