/**
 * A reader's walk through the static lesson in Chromium: keyboard only, from
 * the catalogue into the lesson and across steps, then copying a manifest and
 * reading it back from the clipboard. Screenshots go to test-artifacts/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { CHROMIUM, launchBrowser } from '../helpers/chromium.ts';
import { serveStatic } from '../helpers/static-server.ts';
import { DIST, LESSON_DIR, LESSON_ID, ROOT } from '../helpers/paths.ts';

const ARTIFACTS = join(ROOT, 'test-artifacts');
let site: { url: string; close(): Promise<void> };
let browser: BrowserContext;
let page: Page;

/** Presses Tab until the focused element matches `selector`; fails after `limit` presses. */
async function tabTo(selector: string, limit = 80): Promise<void> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  assert.fail(`Tab never reached ${selector}`);
}

before(async () => {
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: install Debian's chromium (.ci/run does) or set LABPATH_CHROMIUM`);
  assert.ok(existsSync(join(DIST, 'index.html')), 'dist/ is missing: run "npm run build" first (npm test does)');
  await mkdir(ARTIFACTS, { recursive: true });
  site = await serveStatic(DIST);
  browser = await launchBrowser();
  page = await browser.newPage();
});

after(async () => {
  await browser?.close();
  await site?.close();
});

describe('reading the lesson in a browser', () => {
  it('reaches the lesson from the catalogue by keyboard', async () => {
    await page.goto(`${site.url}/`);
    await tabTo(`a[href="/lessons/${LESSON_ID}/"]`);
    await Promise.all([page.waitForURL(`**/lessons/${LESSON_ID}/`), page.keyboard.press('Enter')]);
    await tabTo('a.button-primary');
    await Promise.all([page.waitForURL(`**/lessons/${LESSON_ID}/overview/`), page.keyboard.press('Enter')]);
    assert.equal(await page.locator('h1').textContent(), 'The scenario');
    await page.screenshot({ path: join(ARTIFACTS, 'overview-step.png'), fullPage: true });
  });

  it('moves forward and back through the steps with Tab and Enter', async () => {
    for (const [id, title] of [['bridge-mapping', 'Map data-net to the br-ex bridge'], ['namespaces', 'Create the two namespaces'], ['network-attachment', 'Publish the network to both namespaces']]) {
      await tabTo('a[rel="next"]', 150);
      await Promise.all([page.waitForURL(`**/lessons/${LESSON_ID}/${id}/`), page.keyboard.press('Enter')]);
      assert.equal(await page.locator('h1').textContent(), title);
      assert.equal(await page.locator('.step-list a[aria-current="step"] .step-title').textContent(), title);
    }
    await tabTo('a[rel="prev"]', 150);
    await Promise.all([page.waitForURL(`**/lessons/${LESSON_ID}/namespaces/`), page.keyboard.press('Enter')]);
    await tabTo('a[rel="next"]', 150);
    await Promise.all([page.waitForURL(`**/lessons/${LESSON_ID}/network-attachment/`), page.keyboard.press('Enter')]);
  });

  it('shows a visible focus ring on the focused link', async () => {
    await tabTo('a[rel="next"]', 150);
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    assert.equal(outline, 'solid');
  });

  it('copies a manifest exactly, and the clipboard reads it back', async () => {
    const file = 'nad-data-consumer.yaml';
    await page.evaluate(() => window.scrollTo(0, 0));
    await tabTo(`figure[data-manifest="${file}"] button.copy-button`, 150);
    await page.keyboard.press('Enter');
    await page.locator(`figure[data-manifest="${file}"] button[data-state="copied"]`).waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(copied, await readFile(join(LESSON_DIR, 'manifests', file), 'utf8'));
    await page.screenshot({ path: join(ARTIFACTS, 'manifest-copied.png') });
  });

  it('renders the step in the dark theme and on a 360 px screen without sideways scrolling', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    const background = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    assert.equal(background, 'rgb(13, 17, 23)');
    await page.screenshot({ path: join(ARTIFACTS, 'step-dark.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 360, height: 800 });
    await page.goto(`${site.url}/lessons/${LESSON_ID}/allow-vm-to-database/`);
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 360);
    await page.screenshot({ path: join(ARTIFACTS, 'step-narrow.png'), fullPage: true });
  });
});
