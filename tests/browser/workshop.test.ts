/**
 * A workshop in Chromium: one instructor and three learners, each in a
 * browser context of their own. They join by name; the console follows them
 * live; the instructor watches a terminal, takes it over, resets a learner
 * to a later step, broadcasts, answers a hand and exports; a restart keeps
 * it all. Screenshots of the console go to test-artifacts/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, launchChromium } from '../helpers/chromium.ts';
import { DIST, LESSON_ID, ROOT } from '../helpers/paths.ts';
import { startWorkshop, type TestWorkshop } from '../helpers/workshop.ts';

const ARTIFACTS = join(ROOT, 'test-artifacts');
const NAMES = ['Ada Lovelace', 'Grace Hopper', 'Linus'] as const;
let lab: TestWorkshop;
let browser: Browser;
let console_: Page;
const learners = new Map<string, Page>();

before(async () => {
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: install Debian's chromium (.ci/run does) or set LABPATH_CHROMIUM`);
  assert.ok(existsSync(join(DIST, 'instructor', 'index.html')), 'dist/ is missing the console: run "npm run build" first (npm test does)');
  await mkdir(ARTIFACTS, { recursive: true });
  lab = await startWorkshop({ workshop: { seats: 3 } });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await lab?.server.close();
});

const tile = (name: string) => console_.locator(`[data-learner="${name}"]`);
const terminalText = (page: Page, selector: string) => page.locator(`${selector} .xterm-rows`).innerText();

async function join_(name: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${lab.server.url}${lab.joinPath}`);
  await page.fill('#name', name);
  await page.click('button[type=submit]');
  return page;
}

async function typeIn(page: Page, selector: string, text: string): Promise<void> {
  await page.locator(selector).click();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

describe('a workshop with one instructor and three learners', () => {
  it('learners join by name (a taken name is refused) and the console shows a tile for each', async () => {
    for (const name of NAMES) {
      const page = await join_(name);
      await page.waitForURL(new RegExp(`/lessons/${LESSON_ID}/overview/$`));
      await page.locator('[data-workshop]').waitFor();
      assert.match(await page.locator('[data-workshop]').innerText(), new RegExp(`you are ${name}`));
      learners.set(name, page);
    }
    const impostor = await join_('ada lovelace');
    assert.match(await impostor.locator('[data-join-error]').innerText(), /Someone has already joined as "Ada Lovelace"/);
    assert.ok(await impostor.locator('#rejoin').isVisible(), 'the form asks for the rejoin code');
    await impostor.context().close();

    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    console_ = await context.newPage();
    console_.on('dialog', (dialog) => void dialog.accept());
    await console_.goto(`${lab.server.url}${lab.consolePath}`);
    for (const name of NAMES) await tile(name).waitFor();
    assert.equal(await tile('Linus').getAttribute('data-step-id'), 'overview');
    assert.equal(await tile('Linus').getAttribute('data-status'), 'passed');
  });

  it('a learner\'s step passing shows on the console within a second', async () => {
    const ada = learners.get('Ada Lovelace')!;
    await ada.goto(`${lab.server.url}/lessons/${LESSON_ID}/bridge-mapping/`);
    await console_.waitForFunction(() => document.querySelector('.learner-tile[data-learner="Ada Lovelace"]')?.getAttribute('data-status') === 'failing');
    await ada.locator('.manifest[data-manifest="nncp-bridge-mapping.yaml"] .run-button').click();
    await ada.locator('[data-lab-action="check"]').click();
    await ada.waitForFunction(() => document.querySelector('.step-status')?.getAttribute('data-status') === 'passed', null, { timeout: 60_000 });
    const seenAt = Date.now();
    await console_.waitForFunction(() => document.querySelector('.learner-tile[data-learner="Ada Lovelace"]')?.getAttribute('data-status') === 'passed', null, { timeout: 1000 });
    assert.ok(Date.now() - seenAt <= 1000);
    assert.equal(await tile('Ada Lovelace').getAttribute('data-step-id'), 'bridge-mapping');
    await console_.screenshot({ path: join(ARTIFACTS, 'workshop-console.png') });
  });

  it('watching shows the learner\'s terminal; a take-over types into it and the learner sees the banner', async () => {
    const grace = learners.get('Grace Hopper')!;
    await typeIn(grace, '[data-terminal]', 'echo before-watch-$((6*7))');
    await tile('Grace Hopper').locator('[data-watch]').click();
    await console_.locator('[data-watch-terminal] .xterm-screen').waitFor();
    await console_.waitForFunction(() => document.querySelector('[data-watch-terminal] .xterm-rows')?.textContent?.includes('before-watch-42'), null, { timeout: 10_000 });
    await typeIn(grace, '[data-terminal]', 'echo typed-by-grace');
    await console_.waitForFunction(() => document.querySelector('[data-watch-terminal] .xterm-rows')?.textContent?.includes('typed-by-grace'), null, { timeout: 10_000 });
    assert.ok(await grace.locator('[data-takeover-banner]').isHidden(), 'watching alone shows the learner nothing');

    await console_.click('[data-act="takeover"]');
    await grace.locator('[data-takeover-banner]').waitFor({ state: 'visible' });
    await typeIn(console_, '[data-watch-terminal]', 'echo from-the-instructor-$((2+3))');
    await grace.waitForFunction(() => document.querySelector('[data-terminal] .xterm-rows')?.textContent?.includes('from-the-instructor-5'), null, { timeout: 10_000 });
    await console_.screenshot({ path: join(ARTIFACTS, 'workshop-watch.png') });
    await grace.screenshot({ path: join(ARTIFACTS, 'workshop-taken-over.png') });
    await console_.click('[data-act="takeover"]');
    await grace.locator('[data-takeover-banner]').waitFor({ state: 'hidden' });
  });

  it('reset to the start of a step leaves the learner\'s cluster there, and their page on it', async () => {
    const linus = learners.get('Linus')!;
    await tile('Linus').locator('[data-watch]').click();
    await console_.locator('[data-reset-step]').selectOption('network-attachment');
    await console_.click('[data-act="reset-to"]');
    await linus.waitForURL(new RegExp(`/lessons/${LESSON_ID}/network-attachment/$`), { timeout: 120_000 });
    await console_.waitForFunction(() => {
      const t = document.querySelector('.learner-tile[data-learner="Linus"]');
      return t?.getAttribute('data-step-id') === 'network-attachment' && t.textContent?.includes('3/9');
    }, null, { timeout: 30_000 });
    await linus.locator('[data-terminal] .xterm-screen').waitFor();
    await typeIn(linus, '[data-terminal]', 'clear; oc get nncp -o name | cut -d/ -f2; oc get ns data-adapter data-consumer -o name; echo listed-$((1+1))');
    await linus.waitForFunction(() => /listed-2/.test(document.querySelector('[data-terminal] .xterm-rows')?.textContent ?? ''), null, { timeout: 20_000 });
    const text = await terminalText(linus, '[data-terminal]');
    for (const name of ['namespace/data-adapter', 'namespace/data-consumer', 'ovs-share-same-gw-bridge']) assert.ok(text.includes(name), `${name} is in Linus's cluster:\n${text}`);
    assert.equal(await linus.locator('.step-list li[data-step-id="namespaces"]').getAttribute('data-progress'), 'passed');
  });

  it('a broadcast shows on every learner\'s page; a raised hand shows on the console until it is answered', async () => {
    await console_.fill('[data-form="broadcast"] input[name="message"]', 'Coffee break until 11:00');
    await console_.click('[data-form="broadcast"] button[type="submit"]');
    for (const page of learners.values()) {
      await page.locator('[data-broadcast]').waitFor();
      assert.match(await page.locator('[data-broadcast]').innerText(), /Coffee break until 11:00/);
    }
    const grace = learners.get('Grace Hopper')!;
    await grace.click('.workshop-hand button');
    await grace.fill('.hand-form input', 'My VM has no second interface');
    await grace.click('.hand-form button[type="submit"]');
    await console_.locator('.learner-tile[data-learner="Grace Hopper"][data-hand]').waitFor();
    assert.match(await tile('Grace Hopper').innerText(), /Hand raised: “My VM has no second interface”/);
    await tile('Grace Hopper').locator('[data-watch]').click();
    await console_.fill('[data-answer-form] input[name="message"]', 'Check the NAD name');
    await console_.click('[data-answer-form] button[type="submit"]');
    await grace.locator('[data-hand-answer]').waitFor();
    assert.match(await grace.locator('[data-hand-answer]').innerText(), /Check the NAD name/);
    await console_.locator('.learner-tile[data-learner="Grace Hopper"]:not([data-hand])').waitFor();

    // "Follow me": every page moves to the step, and its gate opens for everyone.
    await console_.fill('[data-form="broadcast"] input[name="message"]', 'Let us all look at the namespaces');
    await console_.locator('[data-form="broadcast"] select[name="step"]').selectOption('namespaces');
    await console_.click('[data-form="broadcast"] button[type="submit"]');
    for (const page of learners.values()) await page.waitForURL(new RegExp(`/lessons/${LESSON_ID}/namespaces/$`));
    const grace_ = learners.get('Grace Hopper')!;
    await grace_.locator('[data-broadcast]').waitFor();
    assert.match(await grace_.locator('[data-broadcast]').innerText(), /Let us all look at the namespaces/);
    await grace_.locator('[data-broadcast] button').click();
    await grace_.locator('[data-broadcast]').waitFor({ state: 'detached' });
  });

  it('the export holds every learner and step with its times; the table sorts by lag', async () => {
    const rows = (await (await lab.api('/instructor/api/export.json')).json()) as { learners: { name: string; steps: { step: string; passed: boolean; firstPassAt?: string; secondsToFirstPass?: number; attempts: number; secondsOnStep: number }[] }[] };
    assert.deepEqual(rows.learners.map((l) => l.name), [...NAMES]);
    for (const learner of rows.learners) assert.equal(learner.steps.length, 9);
    const bridge = rows.learners[0]!.steps.find((s) => s.step === 'bridge-mapping')!;
    assert.equal(bridge.passed, true);
    assert.ok(bridge.attempts >= 1);
    assert.ok(bridge.secondsToFirstPass! > 0 && bridge.secondsToFirstPass! <= bridge.secondsOnStep + 0.1, JSON.stringify(bridge));
    assert.ok(Date.parse(bridge.firstPassAt!) <= Date.now());
    // What the console did is on the record with what the learners did.
    const statements = (await (await lab.api('/instructor/api/statements.json')).json()) as { verb: { display: { en: string } }; actor: { name: string } }[];
    const byInstructor = new Set(statements.filter((s) => s.actor.name === 'Instructor').map((s) => s.verb.display.en));
    for (const verb of ['watched', 'took-over', 'released', 'reset', 'broadcast', 'answered-hand']) assert.ok(byInstructor.has(verb), `the instructor's ${verb} is recorded`);
    await console_.click('[data-view="table"]');
    await console_.click('[data-sort="lag"]');
    const names = await console_.locator('[data-table] tbody tr').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.learnerRow));
    assert.deepEqual([...names].sort(), [...NAMES].sort());
    await console_.screenshot({ path: join(ARTIFACTS, 'workshop-table.png') });
    await console_.click('[data-view="tiles"]');
  });

  it('the console and a learner\'s workshop bar pass an accessibility audit', async () => {
    // xterm.js draws its own rows; its accessibility tree is its own concern.
    for (const page of [console_, learners.get('Grace Hopper')!]) {
      const { violations } = await new AxeBuilder({ page }).exclude('.xterm').analyze();
      assert.deepEqual(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), [], page.url());
    }
  });

  it('a restart keeps every learner, their progress and the console\'s links', async () => {
    const { dataDir, consolePath } = lab;
    const before = await (await lab.api('/instructor/api/export.csv')).text();
    await lab.server.close();
    lab = await startWorkshop({ dataDir, workshop: { seats: 3 } });
    assert.equal(lab.consolePath, consolePath);
    await console_.goto(`${lab.server.url}${lab.consolePath}`);
    for (const name of NAMES) await tile(name).waitFor();
    assert.equal(await tile('Ada Lovelace').getAttribute('data-step-id'), 'namespaces');
    assert.match(await tile('Linus').innerText(), /3\/9/);
    const counts = (text: string) => text.split('\r\n').map((l) => l.split(',').slice(0, 10).join(','));
    assert.deepEqual(counts(await (await lab.api('/instructor/api/export.csv')).text()), counts(before));
  });
});
