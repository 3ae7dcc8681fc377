/**
 * What a lab remembers, in SQLite under the data directory: learners, the
 * sandbox cluster each has per lesson, and step progress. Every write is
 * committed before the server answers, so a restart, even SIGKILL, loses
 * nothing a learner was told.
 *
 * A learner's session id is their cookie and nothing else: the store keeps
 * only its SHA-256, and their folders are named by an id of their own, so
 * that neither a file name nor a copy of the database lets anyone act as them.
 */
import { createHash, randomBytes } from 'node:crypto';
import { DatabaseSync, type Database } from '../sqlite.ts';

export type StepStatus = 'pending' | 'passed' | 'failing';

/** A learner as the lab knows them: a serial (their uid's offset), their folder's name, where they first came from. */
export interface Learner {
  serial: number;
  folder: string;
  address: string;
}

const SCHEMA_VERSION = 2;

/** The address of learners the lab prepares ahead (a warm shell and cluster): nobody's yet, and counted as nobody's. */
export const WARM_ADDRESS = 'warm';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS learners (
  serial INTEGER PRIMARY KEY AUTOINCREMENT,
  session_hash TEXT NOT NULL UNIQUE,
  folder TEXT NOT NULL UNIQUE,
  address TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_seen TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS lesson_clusters (
  learner INTEGER NOT NULL REFERENCES learners(serial) ON DELETE CASCADE,
  lesson_id TEXT NOT NULL,
  cluster_token TEXT NOT NULL,
  PRIMARY KEY (learner, lesson_id)
);
CREATE TABLE IF NOT EXISTS progress (
  learner INTEGER NOT NULL REFERENCES learners(serial) ON DELETE CASCADE,
  lesson_id TEXT NOT NULL,
  step_id TEXT NOT NULL,
  status TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (learner, lesson_id, step_id)
);
`;

/** A session folder of the first layout (named by the session id), and the folder it moves to. */
export interface FolderMove {
  from: string;
  to: string;
}

function sessionHash(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('hex');
}

export function newSessionId(): string {
  return randomBytes(24).toString('base64url');
}

/** A learner's folder id: random, and nothing to do with their session id. */
function newFolderId(): string {
  return randomBytes(16).toString('hex');
}

export class SessionStore {
  private readonly db: Database;
  /** Folders to rename after opening a store of the first schema, whose folders were named by session id. */
  readonly moves: FolderMove[];

  constructor(path: string) {
    this.db = new DatabaseSync(path);
    // WAL with NORMAL: a commit is in the log file before the call returns, so it survives the lab being killed
    // (SIGKILL); only a power cut can lose the last ones. FULL's fsync per write held the event loop for milliseconds.
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
    const version = (this.db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
    this.moves = version < SCHEMA_VERSION ? this.migrate() : [];
    this.db.exec(SCHEMA);
  }

  /** A new learner, for a session id that is not in the store yet. */
  createLearner(sessionId: string, address: string): Learner {
    const folder = newFolderId();
    const now = new Date().toISOString();
    const row = this.db.prepare('INSERT INTO learners (session_hash, folder, address, created_at, last_seen) VALUES (?, ?, ?, ?, ?) RETURNING serial').get(sessionHash(sessionId), folder, address, now, now) as { serial: number };
    return { serial: row.serial, folder, address };
  }

  /** The session's learner, marked as seen now; undefined for an id the store does not know. */
  learner(sessionId: string): Learner | undefined {
    const row = this.db.prepare('UPDATE learners SET last_seen = ? WHERE session_hash = ? RETURNING serial, folder, address').get(new Date().toISOString(), sessionHash(sessionId)) as Learner | undefined;
    return row && { serial: row.serial, folder: row.folder, address: row.address };
  }

  learnerByFolder(folder: string): Learner | undefined {
    return this.db.prepare('SELECT serial, folder, address FROM learners WHERE folder = ?').get(folder) as Learner | undefined;
  }

  /** Learners in all (but the warm ones), or from one address. */
  learnerCount(address?: string): number {
    const row = (address === undefined ? this.db.prepare('SELECT count(*) AS n FROM learners WHERE address != ?').get(WARM_ADDRESS) : this.db.prepare('SELECT count(*) AS n FROM learners WHERE address = ?').get(address)) as { n: number };
    return row.n;
  }

  /** Learners prepared ahead that nobody took. */
  warmLearners(): Learner[] {
    return this.db.prepare('SELECT serial, folder, address FROM learners WHERE address = ?').all(WARM_ADDRESS) as unknown as Learner[];
  }

  /** A warm learner becomes the session's: from now on only its cookie opens it. */
  claimLearner(serial: number, sessionId: string, address: string): Learner {
    const now = new Date().toISOString();
    const row = this.db.prepare('UPDATE learners SET session_hash = ?, address = ?, created_at = ?, last_seen = ? WHERE serial = ? AND address = ? RETURNING serial, folder, address').get(sessionHash(sessionId), address, now, now, serial, WARM_ADDRESS) as Learner | undefined;
    if (!row) throw new Error(`learner ${serial} is not a warm one`);
    return { serial: row.serial, folder: row.folder, address: row.address };
  }

  /** The learner is opened by this session id from now on; their earlier cookie opens nothing. */
  rebindSession(serial: number, sessionId: string): void {
    this.db.prepare('UPDATE learners SET session_hash = ?, last_seen = ? WHERE serial = ?').run(sessionHash(sessionId), new Date().toISOString(), serial);
  }

  learnerBySerial(serial: number): Learner | undefined {
    return this.db.prepare('SELECT serial, folder, address FROM learners WHERE serial = ?').get(serial) as Learner | undefined;
  }

  clusterToken(learner: number, lessonId: string): string | undefined {
    const row = this.db.prepare('SELECT cluster_token FROM lesson_clusters WHERE learner = ? AND lesson_id = ?').get(learner, lessonId) as { cluster_token: string } | undefined;
    return row?.cluster_token;
  }

  setClusterToken(learner: number, lessonId: string, token: string): void {
    this.db.prepare('INSERT INTO lesson_clusters (learner, lesson_id, cluster_token) VALUES (?, ?, ?) ON CONFLICT (learner, lesson_id) DO UPDATE SET cluster_token = excluded.cluster_token').run(learner, lessonId, token);
  }

  progress(learner: number, lessonId: string): Record<string, StepStatus> {
    const rows = this.db.prepare('SELECT step_id, status FROM progress WHERE learner = ? AND lesson_id = ?').all(learner, lessonId) as { step_id: string; status: StepStatus }[];
    return Object.fromEntries(rows.map((r) => [r.step_id, r.status]));
  }

  setStepStatus(learner: number, lessonId: string, stepId: string, status: StepStatus): void {
    this.db.prepare('INSERT INTO progress (learner, lesson_id, step_id, status, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (learner, lesson_id, step_id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at').run(learner, lessonId, stepId, status, new Date().toISOString());
  }

  /** A reset lesson starts over: its progress goes with its cluster. */
  clearProgress(learner: number, lessonId: string): void {
    this.db.prepare('DELETE FROM progress WHERE learner = ? AND lesson_id = ?').run(learner, lessonId);
  }

  /** Learners not seen since `before`. */
  staleLearners(before: Date): Learner[] {
    return this.db.prepare('SELECT serial, folder, address FROM learners WHERE last_seen < ? AND address != ?').all(before.toISOString(), WARM_ADDRESS) as unknown as Learner[];
  }

  clusterTokensOf(learner: number): string[] {
    return (this.db.prepare('SELECT cluster_token FROM lesson_clusters WHERE learner = ?').all(learner) as { cluster_token: string }[]).map((r) => r.cluster_token);
  }

  /** The learner and everything recorded for them. */
  deleteLearner(learner: number): void {
    this.db.prepare('DELETE FROM learners WHERE serial = ?').run(learner);
  }

  close(): void {
    this.db.close();
  }

  /**
   * From the first schema (sessions keyed by their id, folders named by it)
   * to this one, in one transaction: nobody's progress or cluster is lost.
   */
  private migrate(): FolderMove[] {
    const moves: FolderMove[] = [];
    this.db.exec('BEGIN');
    try {
      const first = this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'sessions'").get() !== undefined;
      // The first schema's tables make way for this one's, and are read back into it.
      if (first) this.db.exec('ALTER TABLE lesson_clusters RENAME TO lesson_clusters_v1; ALTER TABLE progress RENAME TO progress_v1;');
      this.db.exec(SCHEMA);
      if (first) {
        for (const session of this.db.prepare('SELECT id, created_at, last_seen FROM sessions').all() as { id: string; created_at: string; last_seen: string }[]) {
          const folder = newFolderId();
          const { serial } = this.db.prepare('INSERT INTO learners (session_hash, folder, address, created_at, last_seen) VALUES (?, ?, ?, ?, ?) RETURNING serial').get(sessionHash(session.id), folder, 'unknown', session.created_at, session.last_seen) as { serial: number };
          this.db.prepare('INSERT INTO lesson_clusters (learner, lesson_id, cluster_token) SELECT ?, lesson_id, cluster_token FROM lesson_clusters_v1 WHERE session_id = ?').run(serial, session.id);
          this.db.prepare('INSERT INTO progress (learner, lesson_id, step_id, status, updated_at) SELECT ?, lesson_id, step_id, status, updated_at FROM progress_v1 WHERE session_id = ?').run(serial, session.id);
          moves.push({ from: session.id, to: folder });
        }
        this.db.exec('DROP TABLE progress_v1; DROP TABLE lesson_clusters_v1; DROP TABLE sessions;');
      }
      this.db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
      this.db.exec('COMMIT');
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
    return moves;
  }
}
