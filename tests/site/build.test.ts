/**
 * The built site (npm test builds it first): every page exists, manifests are
 * embedded byte for byte, figures come from the data, and reading needs no
 * framework runtime.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { loadLesson, type LoadedLesson } from '../../lab-server/lesson/load.ts';
import type { ManifestSet } from '../../lab-server/lesson/manifests.ts';
import { DIST, LESSON_DIR, LESSON_ID, ROOT } from '../helpers/paths.ts';
import { manifestFigures, textOf } from '../helpers/html.ts';
import { lessonCopy } from '../helpers/lesson-copy.ts';
import { run } from '../helpers/run.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const page = (path: string) => readFile(join(DIST, path, 'index.html'), 'utf8');
let lesson: LoadedLesson;
let manifests: ManifestSet;

before(async () => {
  assert.ok(existsSync(join(DIST, 'index.html')), 'dist/ is missing: run "npm run build" first (npm test does)');
  const load = await loadLesson(LESSON_DIR);
  assert.ok(load.lesson);
  lesson = load.lesson;
  manifests = load.manifests;
});

describe('the built site', () => {
  it('has the catalogue and the lesson overview', async () => {
    const home = await page('');
    assert.match(home, new RegExp(`href="/lessons/${LESSON_ID}/"`));
    const overview = await page(`lessons/${LESSON_ID}`);
    assert.match(overview, /<h1>Attach workloads to a physical network and micro-segment it<\/h1>/);
    for (const step of lesson.steps) assert.ok(overview.includes(`href="/lessons/${LESSON_ID}/${step.step.id}/"`), `overview links ${step.step.id}`);
  });

  it('has one page per step, in order, with previous/next and persona badges', async () => {
    assert.equal(lesson.steps.length, 9);
    for (const [i, { step }] of lesson.steps.entries()) {
      const html = await page(`lessons/${LESSON_ID}/${step.id}`);
      assert.ok(html.includes(`<h1>${step.title.replace(/&/g, '&amp;')}</h1>`) || textOf(html).includes(step.title), `${step.id} has its title`);
      assert.match(html, new RegExp(`Step ${i + 1} of 9`));
      assert.match(html, new RegExp(`persona-${step.persona}`));
      const next = lesson.steps[i + 1];
      if (next) assert.match(html, new RegExp(`<a rel="next" href="/lessons/${LESSON_ID}/${next.step.id}/"`));
      const previous = lesson.steps[i - 1];
      if (previous) assert.match(html, new RegExp(`<a rel="prev" href="/lessons/${LESSON_ID}/${previous.step.id}/"`));
      assert.match(html, /aria-current="step"/);
    }
  });

  it('embeds every manifest byte-identical to its file', async () => {
    let seen = 0;
    for (const { step } of lesson.steps) {
      const figures = manifestFigures(await page(`lessons/${LESSON_ID}/${step.id}`));
      const expected = step.showSolution ? step.manifests : [];
      assert.deepEqual(figures.map((f) => f.file).sort(), [...expected].sort(), `${step.id} shows exactly the manifests it applies`);
      for (const figure of figures) {
        const file = await readFile(join(LESSON_DIR, 'manifests', figure.file), 'utf8');
        assert.equal(figure.copy, file, `${step.id}: the copy button of ${figure.file} holds the file's exact bytes`);
        assert.equal(figure.code, file.replace(/\n$/, ''), `${step.id}: the highlighted ${figure.file} shows the file's text`);
        seen++;
      }
    }
    assert.ok(seen >= manifests.files.length - 2, `saw ${seen} embedded manifests`);
  });

  it('draws the topology figures from the lesson data', async () => {
    const html = await page(`lessons/${LESSON_ID}/overview`);
    const all = [...html.matchAll(/<svg[^>]*role="img"[\s\S]*?<\/svg>/g)].map((m) => m[0]);
    // The lab panel's reachability figure comes third: an arrow per lesson probe.
    const reachability = all.find((svg) => svg.includes('figure-reachability-title')) ?? '';
    assert.equal(reachability.match(/<g class="probe" data-probe="[^"]+" data-state="unknown">/g)?.length, 3);
    const svgs = all.filter((svg) => svg !== reachability);
    assert.equal(svgs.length, 2);
    const [logical = '', physical = ''] = svgs;
    for (const fact of ['turtle-db-adapter', '192.168.200.10', 'vm-workload', '192.168.200.20', 'turtle-db', '192.168.200.1', 'VLAN 123', 'data-net', '192.168.200.0/24'])
      assert.ok(logical.includes(fact), `logical figure shows ${fact}`);
    for (const node of lesson.lesson.environment.nodes) assert.ok(physical.includes(node.name), `physical figure shows ${node.name}`);
    assert.match(physical, /data-net → br-ex/);
    assert.match(physical, /untagged/);
    for (const svg of all) assert.match(svg, /<title id="[^"]+">[^<]+<\/title><desc id="[^"]+">[^<]{40,}<\/desc>/, 'each figure has a title and a description');
  });

  it('ships no framework runtime; a step page loads only the small lab boot script, the terminal comes on demand', async () => {
    const pages: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) await walk(join(dir, entry.name));
        else if (entry.name.endsWith('.html')) pages.push(join(dir, entry.name));
      }
    };
    await walk(DIST);
    assert.ok(pages.length >= 12);
    for (const file of pages) {
      const html = await readFile(file, 'utf8');
      assert.doesNotMatch(html, /astro-island/, `${file} loads no framework island`);
      const inline = [...html.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)].reduce((n, m) => n + (m[1]?.length ?? 0), 0);
      assert.ok(inline <= 1024, `${file} has ${inline} bytes of inline script`);
      const external = [...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1]!);
      const isStep = html.includes('data-lab-panel');
      // The instructor's console is all script: it draws the workshop from the lab's feed.
      const isConsole = html.includes('data-console');
      assert.equal(external.length, isStep || isConsole ? 1 : 0, `${file}: ${external.join(', ')}`);
      if (isConsole) continue;
      for (const src of external) {
        const boot = await readFile(join(DIST, src), 'utf8');
        assert.ok(boot.length <= 2560, `the lab boot script is ${boot.length} bytes`);
        // Named (its chunk is preloaded with the lab client's), but none of its code.
        assert.doesNotMatch(boot, /\bTerminal\b|xterm-screen|xterm-helper/, 'xterm.js is not in the boot script');
        assert.match(boot, /import\(`\.\/lab-client\.[\w-]+\.js`\)/, 'the lab client is a separate chunk, imported on demand');
      }
    }
  });
  it('gives headings, a skip link, a language and alt text', async () => {
    const html = await page(`lessons/${LESSON_ID}/workloads`);
    assert.match(html, /<html lang="en"/);
    assert.match(html, /<a class="skip-link" href="#main">/);
    assert.equal((html.match(/<h1[ >]/g) ?? []).length, 1);
    assert.match(html, /<nav class="step-list" aria-label="Lesson steps">/);
    assert.doesNotMatch(html, /<img(?![^>]*alt=)/);
  });
});

describe('a broken lesson', () => {
  it('fails the build with file:line and the field', async () => {
    const dir = await lessonCopy([{ file: 'lesson.yaml', from: 'estimatedMinutes: 45', to: 'estimatedMinutes: forty-five' }]);
    const outDir = tempDir('dist');
    const r = await run(process.execPath, [join(ROOT, 'node_modules/astro/bin/astro.mjs'), 'build', '--outDir', outDir], { env: { LABPATH_CONTENT: dirname(dir) } });
    assert.notEqual(r.code, 0, 'the build must fail');
    const line = (await readFile(join(dir, 'lesson.yaml'), 'utf8')).split('\n').findIndex((l) => l.startsWith('estimatedMinutes')) + 1;
    assert.match(r.stdout + r.stderr, new RegExp(`lesson\\.yaml:${line}:1 schema \\(estimatedMinutes\\): expected number`));
  });
});
