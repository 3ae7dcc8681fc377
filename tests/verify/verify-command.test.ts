import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { labpath } from '../helpers/run.ts';
import { startSandboxCommand } from '../helpers/sandbox-process.ts';
import { LESSON_ID } from '../helpers/paths.ts';
import { lessonCopy } from '../helpers/lesson-copy.ts';
import { tempDir } from '../helpers/temp-dir.ts';

describe('labpath verify', () => {
  it('proves every step of every lesson on a fresh sandbox and writes JUnit', async () => {
    const junit = join(tempDir('junit'), 'verify.xml');
    const r = await labpath(['verify', '--junit', junit]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /step\s+pre-check\s+solve\s+post-check\s+seconds/);
    assert.match(r.stdout, /^4 network-attachment\s+failed\s+ok\s+passed\s+\d+\.\d$/m);
    const xml = await readFile(junit, 'utf8');
    assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>/);
    assert.match(xml, /<testsuite name="localnet-microsegmentation" tests="9" failures="0" errors="0"/);
    assert.equal(xml.match(/<testcase /g)?.length, 9);
  });

  it('rejects bad options with exit 2 and says what to give', async () => {
    const repeat = await labpath(['verify', '--repeat', '0']);
    assert.equal(repeat.code, 2);
    assert.match(repeat.stderr, /--repeat must be a whole number from 1 to 100, not "0"/);
    const from = await labpath(['verify', '--lesson', LESSON_ID, '--from', 'no-such-step']);
    assert.equal(from.code, 2);
    assert.match(from.stderr, /has no step "no-such-step"; its steps: overview, bridge-mapping/);
    const noCleanup = await lessonCopy([{ file: 'lesson.yaml', from: /^cleanup:\n(  - .*\n)+/m, to: '' }]);
    const repeat2 = await labpath(['verify', '--lesson', noCleanup, '--kubeconfig', '/nonexistent/kubeconfig', '--repeat', '2']);
    assert.equal(repeat2.code, 2);
    assert.match(repeat2.stderr, /has no cleanup commands, so --repeat cannot run it again on the cluster --kubeconfig names; add "cleanup:" to its lesson\.yaml/);
    const lesson = await labpath(['verify', '--lesson', 'no-such-lesson']);
    assert.equal(lesson.code, 2);
    assert.match(lesson.stderr, /no lesson "no-such-lesson"/);
  });
});

describe('labpath verify --kubeconfig', () => {
  it('on a sandbox started separately gives the same result as the embedded one', async () => {
    const sandbox = await startSandboxCommand(['--kubeconfig', join(tempDir('separate'), 'kubeconfig')]);
    try {
      // Two rounds on one cluster: the lesson's cleanup must hand it back as the lesson found it.
      const r = await labpath(['verify', '--lesson', LESSON_ID, '--kubeconfig', sandbox.kubeconfig, '--repeat', '2']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`\\(round 2 of 2\\) on ${sandbox.url.replace(/[.]/g, '\\.')}`));
      assert.equal(r.stdout.match(/cleaned up: ran the lesson's \d+ cleanup command\(s\)/g)?.length, 2);
      const rows = r.stdout.split('\n').filter((l) => /^\d \S+\s+(failed|skipped)\s/.test(l)).map((l) => l.replace(/\s+\d+\.\d$/, ''));
      assert.equal(rows.length, 18);
      assert.ok(rows.every((row) => /(passed|skipped)$/.test(row)), rows.join('\n'));
    } finally {
      sandbox.child.kill('SIGTERM');
    }
  });

});
