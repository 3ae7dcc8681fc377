/**
 * The sandbox in its worker thread, when that thread stops unasked: it is
 * started again on the same port from its SQLite file, so a kubeconfig from
 * before still reaches the same cluster and its objects.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLesson } from '../../lab-server/lesson/load.ts';
import { SandboxThread } from '../../lab-server/sandbox/sandbox-thread.ts';
import { LESSON_DIR } from '../helpers/paths.ts';
import { run } from '../helpers/run.ts';
import { tempDir } from '../helpers/temp-dir.ts';

describe('sandbox thread', () => {
  it('stopped unasked, it starts again where it listened, with its clusters and their objects', async () => {
    const { lesson } = await loadLesson(LESSON_DIR);
    const dir = tempDir('sandbox-thread');
    const thread = await SandboxThread.start({ port: 0, host: '127.0.0.1', statePath: join(dir, 'sandbox.sqlite') });
    try {
      const { token, kubeconfig } = await thread.addCluster(lesson!.lesson.environment, 'crash-test');
      const file = join(dir, 'kubeconfig');
      writeFileSync(file, kubeconfig);
      const kubectl = (...args: string[]) => run('kubectl', ['--kubeconfig', file, ...args]);
      assert.equal((await kubectl('create', 'namespace', 'before-the-crash')).code, 0);
      // As a crash would: the thread ends without being asked to close.
      await thread['worker'].terminate();
      // A request during the restart waits for it instead of failing.
      assert.equal(await thread.kubeconfig(token), kubeconfig, 'the same cluster, at the same address, with the same credentials');
      assert.equal(thread.clusterCount, 1);
      const got = await kubectl('get', 'namespace', 'before-the-crash', '-o', 'name');
      assert.equal(got.stdout.trim(), 'namespace/before-the-crash', got.stderr);
    } finally {
      await thread.close();
    }
  });
});
