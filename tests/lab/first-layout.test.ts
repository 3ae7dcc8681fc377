/**
 * A lab whose data directory is of the first layout (sessions keyed and
 * folders named by session id) comes back with every learner's progress,
 * cluster and files, under this layout's names.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseSync } from '../../lab-server/sqlite.ts';
import { SessionStore } from '../../lab-server/lab/session-store.ts';
import { LESSON_ID } from '../helpers/paths.ts';
import { newLearner, withLab } from '../helpers/lab.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const FIRST_SCHEMA = `
CREATE TABLE sessions (id TEXT PRIMARY KEY, created_at TEXT NOT NULL, last_seen TEXT NOT NULL);
CREATE TABLE lesson_clusters (session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE, lesson_id TEXT NOT NULL, cluster_token TEXT NOT NULL, PRIMARY KEY (session_id, lesson_id));
CREATE TABLE progress (session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE, lesson_id TEXT NOT NULL, step_id TEXT NOT NULL, status TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (session_id, lesson_id, step_id));
`;

async function firstLayout(sessionId: string): Promise<string> {
  const dataDir = tempDir('first');
  const db = new DatabaseSync(join(dataDir, 'lab.sqlite'));
  db.exec(FIRST_SCHEMA);
  const now = new Date().toISOString();
  db.prepare('INSERT INTO sessions VALUES (?, ?, ?)').run(sessionId, now, now);
  db.prepare('INSERT INTO lesson_clusters VALUES (?, ?, ?)').run(sessionId, LESSON_ID, 'no-such-cluster-token');
  db.prepare('INSERT INTO progress VALUES (?, ?, ?, ?, ?)').run(sessionId, LESSON_ID, 'bridge-mapping', 'passed', now);
  db.close();
  const lesson = join(dataDir, 'sessions', sessionId, LESSON_ID);
  await mkdir(join(lesson, 'home'), { recursive: true });
  await mkdir(join(lesson, 'lesson'), { recursive: true });
  await writeFile(join(lesson, 'lesson', 'notes.txt'), 'kept from before\n');
  await writeFile(join(lesson, 'home', '.labpath-scrollback'), 'echo from-the-first-layout\r\n');
  return dataDir;
}

describe('the first layout', () => {
  it('the store moves sessions to learners in one transaction, keeping progress and clusters', async () => {
    const dataDir = await firstLayout('first-session-id-000000000000000');
    const store = new SessionStore(join(dataDir, 'lab.sqlite'));
    assert.equal(store.moves.length, 1);
    const learner = store.learner('first-session-id-000000000000000')!;
    assert.equal(learner.folder, store.moves[0]!.to);
    assert.deepEqual(store.progress(learner.serial, LESSON_ID), { 'bridge-mapping': 'passed' });
    assert.equal(store.clusterToken(learner.serial, LESSON_ID), 'no-such-cluster-token');
    store.close();
    assert.equal(new SessionStore(join(dataDir, 'lab.sqlite')).moves.length, 0, 'migrated once');
  });

  it('a lab on it gives the learner their progress, files and scrollback back', async () => {
    const sessionId = 'first-session-id-111111111111111';
    const dataDir = await firstLayout(sessionId);
    await withLab({ dataDir }, async (lab) => {
      assert.ok(!existsSync(join(dataDir, 'sessions', sessionId)), 'the folder named by the session id is gone');
      const [folder] = readdirSync(join(dataDir, 'learners'));
      assert.match(readFileSync(join(dataDir, 'private', folder!, LESSON_ID, 'scrollback'), 'utf8'), /from-the-first-layout/);
      const page = await (await newLearner(lab.server.url, `labpath_session=${sessionId}`)).connect();
      const ready = await page.waitForMessage((m): m is Extract<typeof m, { type: 'ready' }> => m.type === 'ready', 'ready');
      assert.deepEqual(ready.progress, { 'bridge-mapping': 'passed' });
      await page.waitForOutput(/from-the-first-layout/);
      page.type('cat notes.txt\r');
      await page.waitForOutput(/kept from before\r\n/);
      page.close();
    });
  });
});
