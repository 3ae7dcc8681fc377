/** `labpath serve --workshop` as a process: its flags, its two links, and a SIGKILL that loses nothing. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { labpath } from '../helpers/run.ts';
import { LabSocket } from '../helpers/lab.ts';
import { LESSON_ID } from '../helpers/paths.ts';
import { startServeCommand } from '../helpers/sandbox-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

describe('labpath serve --workshop', () => {
  it('refuses flags that do not go together or do not parse, and says what to type', async () => {
    const cases: [string[], RegExp][] = [
      [['--workshop', 'W', '--token', 'a'.repeat(20)], /a workshop's join code is its access token: drop --token/],
      [['--lesson', LESSON_ID], /--lesson belongs to a workshop: add --workshop NAME/],
      [['--workshop', 'W', '--ends-at', 'tomorrow'], /--ends-at must be a time such as 2026-12-02T17:00 .* or a duration such as 90m, 2h or 1h30m, not "tomorrow"/],
      [['--workshop', 'W', '--ends-at', '2001-01-01T09:00'], /--ends-at 2001-01-01T09:00 is in the past/],
      [['--workshop', 'W', '--attention-factor', '0.5'], /--attention-factor must be a number from 1 to 20/],
      [['--workshop', 'W', '--events-webhook', 'ftp://example.org/x'], /--events-webhook must be http:\/\/ or https:\/\/, not ftp:/],
      [['--workshop', 'W', '--seats', '0'], /--seats must be a whole number from 1 to 100000, not "0"/],
      [['--workshop', 'W', '--lesson', 'no-such-lesson', '--port', '0', '--data', tempDir('serve-workshop')], /--lesson no-such-lesson: no such lesson loads here; lessons: localnet-microsegmentation/],
    ];
    for (const [args, message] of cases) {
      const r = await labpath(['serve', ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
    }
  });

  it('prints the join link, keeps the console link out of a log, and a SIGKILL loses no seat, hand or link', async () => {
    const data = tempDir('serve-workshop');
    const first = await startServeCommand(['--port', '0', '--data', data, '--workshop', 'Friday class', '--ends-at', '2h']);
    const links = join(data, 'workshop-links.txt');
    assert.match(first.output(), /learners join: {6}http:\/\/127\.0\.0\.1:\d+\/join\?code=[A-Z2-9]{5}-[A-Z2-9]{5}\n/);
    assert.match(first.output(), /instructor console: the link is in .*workshop-links\.txt \(it holds the instructor secret/);
    assert.equal(statSync(links).mode & 0o777, 0o600);
    const text = readFileSync(links, 'utf8');
    const consolePath = /instructor console: http:\/\/[^/]+(\/instructor\?key=\S+)/.exec(text)![1]!;
    const secret = decodeURIComponent(consolePath.split('key=')[1]!);
    assert.ok(!first.output().includes(secret), 'the secret is not in the output');
    const code = /code=([A-Z2-9-]+)/.exec(text)![1]!;

    const join_ = await fetch(`${first.url}/join`, { method: 'POST', body: new URLSearchParams({ code, name: 'Ada' }), redirect: 'manual' });
    assert.equal(join_.status, 303);
    const cookie = join_.headers.get('set-cookie')!.split(';')[0]!;
    const page = await LabSocket.open(first.url, cookie, LESSON_ID);
    page.send({ type: 'watch', step: 'bridge-mapping' });
    page.send({ type: 'raise-hand', message: 'help with the bridge' });
    const state = async (url: string) => (await (await fetch(`${url}/instructor/api/state`, { headers: { authorization: `Bearer ${secret}` } })).json()) as { learners: { name: string; stepId: string; hand?: { message: string } }[]; workshop: { endsAt: number } };
    for (let i = 0; i < 50 && !(await state(first.url)).learners[0]?.hand; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    const before = await state(first.url);
    assert.equal(before.learners[0]!.hand?.message, 'help with the bridge');
    first.child.kill('SIGKILL');
    await first.exited;

    const port = new URL(first.url).port;
    const second = await startServeCommand(['--port', port, '--data', data, '--workshop', 'Friday class']);
    try {
      assert.equal(readFileSync(links, 'utf8'), text, 'the same links after the restart');
      const after = await state(second.url);
      assert.deepEqual(after.learners.map((l) => [l.name, l.stepId, l.hand?.message]), [['Ada', 'bridge-mapping', 'help with the bridge']]);
      assert.equal(after.workshop.endsAt, before.workshop.endsAt, 'the end stays where it was set');
      const again = await LabSocket.open(second.url, cookie, LESSON_ID);
      const ready = await again.waitForMessage((m): m is Extract<typeof m, { type: 'ready' }> => m.type === 'ready', 'ready');
      assert.equal(ready.workshop?.name, 'Ada');
      again.close();
      const other = await labpath(['serve', '--port', '0', '--data', data, '--workshop', 'Another class']);
      assert.equal(other.code, 1);
      assert.match(other.stderr, /the lab's data directory holds the workshop "Friday class", not "Another class": give this workshop a data directory of its own/);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });
});
