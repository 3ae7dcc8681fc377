import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { loadLesson, splitFrontmatter } from '../../lab-server/lesson/load.ts';
import { formatDiagnostic } from '../../lab-server/lesson/diagnostic.ts';
import { parseYamlDocuments } from '../../lab-server/lesson/yaml-source.ts';
import { lessonCopy } from '../helpers/lesson-copy.ts';

describe('lesson loader', () => {
  it('reports a missing required step field at the frontmatter, with a fix', async () => {
    const dir = await lessonCopy([{ file: 'steps/03-namespaces.mdx', from: 'title: Create the two namespaces\n', to: '' }]);
    const { lesson, diagnostics } = await loadLesson(dir);
    assert.equal(lesson, undefined);
    const [d] = diagnostics;
    assert.ok(d);
    assert.deepEqual([d.rule, d.field, d.line, d.message, d.fix], ['schema', 'title', 2, 'required field is missing (expected string)', 'add "title"']);
    assert.match(formatDiagnostic(d, dir), /^steps\/03-namespaces\.mdx:2:1 schema \(title\): required field is missing/);
  });

  it('points into nested check fields', async () => {
    const dir = await lessonCopy([{ file: 'steps/05-workloads.mdx', from: 'expect: allowed', to: 'expect: open' }]);
    const { diagnostics } = await loadLesson(dir);
    const d = diagnostics.find((x) => x.field === 'checks[3].expect');
    assert.ok(d, JSON.stringify(diagnostics));
    assert.match(d.fix, /"allowed", "denied"/);
  });

  it('requires the lesson id to match its folder', async () => {
    const dir = await lessonCopy([{ file: 'lesson.yaml', from: 'id: localnet-microsegmentation', to: 'id: localnet' }]);
    const { diagnostics } = await loadLesson(dir);
    assert.match(diagnostics[0]?.message ?? '', /differs from its folder name/);
  });

  it('says when the steps folder is missing or a step file is misnamed', async () => {
    const dir = await lessonCopy();
    await rm(join(dir, 'steps'), { recursive: true });
    assert.match((await loadLesson(dir)).diagnostics[0]?.message ?? '', /no steps\/ folder/);
    const renamed = await lessonCopy();
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(renamed, 'steps', 'extra.mdx'), '---\nid: x\n---\n');
    assert.match((await loadLesson(renamed)).diagnostics.map((d) => d.message).join('\n'), /"extra.mdx" does not say where the step goes/);
  });

  it('splits frontmatter and knows where the body starts', () => {
    assert.deepEqual(splitFrontmatter('---\na: 1\nb: 2\n---\nbody\n'), { frontmatter: 'a: 1\nb: 2', body: 'body\n', bodyLine: 5 });
    assert.equal(splitFrontmatter('no frontmatter'), undefined);
  });

  it('rejects duplicate keys in YAML', () => {
    const result = parseYamlDocuments('a: 1\na: 2\n');
    assert.equal(result.ok, false);
  });
});
