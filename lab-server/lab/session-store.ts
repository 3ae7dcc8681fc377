/**
 * What a lab remembers, in SQLite under the data directory: learner sessions,
 * the sandbox cluster each learner has per lesson, and step progress. Every
 * write is committed before the server answers, so a restart, even SIGKILL,
 * loses nothing a learner was told.
 */
import { randomBytes } from 'node:crypto';
import { DatabaseSync, type Database } from '../sqlite.ts';

export type StepStatus = 'pending' | 'passed' | 'failing';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY,
  created_at TEXT NOT NULL,
  last_seen TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS lesson_clusters (
  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  lesson_id TEXT NOT NULL,
  cluster_token TEXT NOT NULL,
  PRIMARY KEY (session_id, lesson_id)
);
CREATE TABLE IF NOT EXISTS progress (
  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  lesson_id TEXT NOT NULL,
  step_id TEXT NOT NULL,
  status TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (session_id, lesson_id, step_id)
);
`;

export class SessionStore {
  private readonly db: Database;

  constructor(path: string) {
    this.db = new DatabaseSync(path);
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;');
    this.db.exec(SCHEMA);
  }

  createSession(): string {
    const id = randomBytes(24).toString('base64url');
    const now = new Date().toISOString();
    this.db.prepare('INSERT INTO sessions (id, created_at, last_seen) VALUES (?, ?, ?)').run(id, now, now);
    return id;
  }

  /** True when the session exists; marks it as seen now. */
  touch(id: string): boolean {
    return this.db.prepare('UPDATE sessions SET last_seen = ? WHERE id = ?').run(new Date().toISOString(), id).changes > 0;
  }

  clusterToken(sessionId: string, lessonId: string): string | undefined {
    const row = this.db.prepare('SELECT cluster_token FROM lesson_clusters WHERE session_id = ? AND lesson_id = ?').get(sessionId, lessonId) as { cluster_token: string } | undefined;
    return row?.cluster_token;
  }

  setClusterToken(sessionId: string, lessonId: string, token: string): void {
    this.db.prepare('INSERT INTO lesson_clusters (session_id, lesson_id, cluster_token) VALUES (?, ?, ?) ON CONFLICT (session_id, lesson_id) DO UPDATE SET cluster_token = excluded.cluster_token').run(sessionId, lessonId, token);
  }

  progress(sessionId: string, lessonId: string): Record<string, StepStatus> {
    const rows = this.db.prepare('SELECT step_id, status FROM progress WHERE session_id = ? AND lesson_id = ?').all(sessionId, lessonId) as { step_id: string; status: StepStatus }[];
    return Object.fromEntries(rows.map((r) => [r.step_id, r.status]));
  }

  setStepStatus(sessionId: string, lessonId: string, stepId: string, status: StepStatus): void {
    this.db.prepare('INSERT INTO progress (session_id, lesson_id, step_id, status, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (session_id, lesson_id, step_id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at').run(sessionId, lessonId, stepId, status, new Date().toISOString());
  }

  /** A reset lesson starts over: its progress goes with its cluster. */
  clearProgress(sessionId: string, lessonId: string): void {
    this.db.prepare('DELETE FROM progress WHERE session_id = ? AND lesson_id = ?').run(sessionId, lessonId);
  }

  /** Sessions not seen since `before`. */
  staleSessions(before: Date): string[] {
    return (this.db.prepare('SELECT id FROM sessions WHERE last_seen < ?').all(before.toISOString()) as { id: string }[]).map((r) => r.id);
  }

  clusterTokensOf(sessionId: string): string[] {
    return (this.db.prepare('SELECT cluster_token FROM lesson_clusters WHERE session_id = ?').all(sessionId) as { cluster_token: string }[]).map((r) => r.cluster_token);
  }

  /** The session and everything recorded for it. */
  deleteSession(sessionId: string): void {
    this.db.prepare('DELETE FROM sessions WHERE id = ?').run(sessionId);
  }

  close(): void {
    this.db.close();
  }
}
