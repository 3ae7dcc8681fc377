import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { labpath } from '../helpers/run.ts';
import { lessonCopy } from '../helpers/lesson-copy.ts';
import { ARTICLE_FIXTURE } from '../helpers/paths.ts';

describe('labpath CLI', () => {
  it('--help lists the subcommands', async () => {
    const r = await labpath(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Commands:\n\s+lint\s/);
  });

  it('an unknown subcommand prints usage and exits 2', async () => {
    const r = await labpath(['lnit']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command "lnit"/);
    assert.match(r.stderr, /Usage: labpath <command>/);
  });

  it('no subcommand prints usage and exits 2', async () => {
    const r = await labpath([]);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /Usage: labpath/);
  });

  it('a bad flag prints the command usage and exits 2', async () => {
    const r = await labpath(['lint', '--strict-mode']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Unknown option '--strict-mode'/);
    assert.match(r.stderr, /Usage: labpath lint/);
  });

  it('a missing folder is a usage error', async () => {
    const r = await labpath(['lint', 'no/such/lesson']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no\/such\/lesson: no such folder/);
  });

  it('lint exits 0 on the shipped lessons', async () => {
    const r = await labpath(['lint']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /localnet-microsegmentation: clean/);
  });

  it('lint exits 1 with file:line findings and a fix', async () => {
    const r = await labpath(['lint', ARTICLE_FIXTURE]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /5-allow-traffic-pod\.yaml:16:7 mnp-ipam-less-peers \(spec\.ingress\[0\]\.from\[0\]\): /);
    assert.match(r.stdout, /\n {4}fix: /);
  });

  it('lint --format json gives machine-readable findings', async () => {
    const dir = await lessonCopy([{ file: 'lesson.yaml', from: 'estimatedMinutes: 45', to: 'estimatedMinutes: -3' }]);
    const r = await labpath(['lint', '--format', 'json', dir]);
    assert.equal(r.code, 1);
    const [result] = JSON.parse(r.stdout) as [{ diagnostics: { rule: string; field: string; line: number }[] }];
    assert.deepEqual(result.diagnostics.map((d) => [d.rule, d.field]), [['schema', 'estimatedMinutes']]);
  });

  it('lint --rules lists every rule', async () => {
    const r = await labpath(['lint', '--rules']);
    assert.equal(r.code, 0);
    for (const id of ['schema', 'manifest-parse', 'mnp-ipam-less-peers', 'step-manifests']) assert.match(r.stdout, new RegExp(`^${id}\\s`, 'm'));
  });
});
