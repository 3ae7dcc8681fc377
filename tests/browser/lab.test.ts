/**
 * A learner completes the whole first lesson in Chromium against a lab
 * server: Run and Check on every step, commands typed by hand, a wrong
 * manifest and its message, a page reload and a server restart on the way.
 * Screenshots of the key moments go to test-artifacts/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { CHROMIUM, launchBrowser } from '../helpers/chromium.ts';
import { startLab, type TestLab } from '../helpers/lab.ts';
import { DIST, LESSON_ID, ROOT } from '../helpers/paths.ts';

const ARTIFACTS = join(ROOT, 'test-artifacts');
let lab: TestLab;
let browser: BrowserContext;
let page: Page;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: install Debian's chromium (.ci/run does) or set LABPATH_CHROMIUM`);
  assert.ok(existsSync(join(DIST, 'index.html')), 'dist/ is missing: run "npm run build" first (npm test does)');
  await mkdir(ARTIFACTS, { recursive: true });
  lab = await startLab();
  browser = await launchBrowser({ viewport: { width: 1500, height: 950 } });
  page = await browser.newPage();
});

after(async () => {
  await browser?.close();
  await lab?.server.close();
});

const status = (step: string) => page.locator(`.step-status[data-step-id="${step}"]`);

async function openStep(step: string): Promise<void> {
  await page.goto(`${lab.server.url}/lessons/${LESSON_ID}/${step}/`);
  await page.locator('[data-terminal] .xterm-screen').waitFor();
  await page.waitForFunction((id) => document.querySelector(`.step-status[data-step-id="${id}"]`)?.getAttribute('data-status') !== 'pending', step, { timeout: 20_000 });
}

async function runManifest(file: string): Promise<void> {
  await page.locator(`.manifest[data-manifest="${file}"] .run-button`).click();
}

/** Presses Check until the step passes (the cluster may still be settling). */
async function checkUntilPassed(step: string, timeout = 60_000): Promise<void> {
  await page.locator('[data-lab-action="check"]').click();
  await page.waitForFunction((id) => document.querySelector(`.step-status[data-step-id="${id}"]`)?.getAttribute('data-status') === 'passed', step, { timeout });
}

/** Types into the focused terminal, as a learner would. */
async function typeInTerminal(text: string): Promise<void> {
  await page.locator('[data-terminal]').click();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

async function terminalText(): Promise<string> {
  return page.locator('[data-terminal] .xterm-rows').innerText();
}

describe('a learner completes the lesson in the lab', () => {
  it('steps 1–3: reads the scenario, applies the bridge mapping and the namespaces', async () => {
    await openStep('overview');
    assert.equal(await status('overview').getAttribute('data-status'), 'passed', 'a step that only explains passes once read');
    await openStep('bridge-mapping');
    assert.equal(await status('bridge-mapping').getAttribute('data-status'), 'failing');
    assert.match(await status('bridge-mapping').innerText(), /is not Available yet/);
    await page.screenshot({ path: join(ARTIFACTS, 'lab-step-failing.png') });
    // Gating: the next step waits for this one; hints come one at a time.
    assert.equal(await page.locator('.step-nav a[rel="next"]').getAttribute('aria-disabled'), 'true');
    assert.equal(await page.locator('.step-list li[data-step-id="namespaces"] a').getAttribute('aria-disabled'), 'true');
    const hints = page.locator('.hints details');
    assert.deepEqual(await hints.evaluateAll((all) => all.map((d) => (d as HTMLElement).hidden)), [true, true]);
    await page.locator('[data-lab-action="hint"]').click();
    assert.deepEqual(await hints.evaluateAll((all) => all.map((d) => (d as HTMLElement).hidden)), [false, true]);
    await runManifest('nncp-bridge-mapping.yaml');
    await checkUntilPassed('bridge-mapping');
    await page.waitForFunction(() => !document.querySelector('.step-nav a[rel="next"]')?.hasAttribute('aria-disabled'));
    await openStep('namespaces');
    await runManifest('namespaces.yaml');
    await checkUntilPassed('namespaces');
  });

  it('step 4: a wrong VLAN typed by hand shows its message; fixed, the step passes', async () => {
    await openStep('network-attachment');
    await typeInTerminal(`sed -i 's/"vlanID": 123/"vlanID": 124/' nad-data-adapter.yaml && grep vlanID nad-data-adapter.yaml`);
    await page.waitForFunction(() => /"vlanID": 124/.test(document.querySelector('[data-terminal] .xterm-rows')?.textContent ?? ''));
    await runManifest('nad-data-adapter.yaml');
    await runManifest('nad-data-consumer.yaml');
    await page.locator('[data-lab-action="check"]').click();
    await page.waitForFunction(() => /vlanID = 123; found 124/.test(document.querySelector('.check-results')?.textContent ?? ''), undefined, { timeout: 20_000 });
    assert.match(await status('network-attachment').innerText(), /NAD data-adapter\/db-access-net is not on VLAN 123[\s\S]*found 124/);
    await page.screenshot({ path: join(ARTIFACTS, 'lab-wrong-vlan.png') });
    await typeInTerminal(`sed -i 's/"vlanID": 124/"vlanID": 123/' nad-data-adapter.yaml`);
    await runManifest('nad-data-adapter.yaml');
    await checkUntilPassed('network-attachment');
  });

  it('step 5 and a page reload: progress, terminal and cluster survive', async () => {
    await openStep('workloads');
    await runManifest('pod-turtle-db-adapter.yaml');
    await runManifest('vm-workload.yaml');
    await page.reload();
    await page.locator('[data-terminal] .xterm-screen').waitFor();
    await page.waitForFunction(() => /vm-workload created/.test(document.querySelector('[data-terminal] .xterm-rows')?.textContent ?? ''), undefined, { timeout: 10_000 });
    assert.equal(await page.locator('.step-list li[data-step-id="network-attachment"]').getAttribute('data-progress'), 'passed');
    await checkUntilPassed('workloads', 90_000);
    await page.screenshot({ path: join(ARTIFACTS, 'lab-step-passed.png') });
  });

  it('step 6, then a server restart: progress, terminal history and cluster survive', async () => {
    await openStep('enable-multinetworkpolicy');
    await runManifest('network-enable-multinetworkpolicy.yaml');
    await checkUntilPassed('enable-multinetworkpolicy');
    const port = Number(new URL(lab.server.url).port);
    await lab.server.close();
    lab = await startLab({ dataDir: lab.dataDir, port });
    await openStep('default-deny');
    assert.equal(await page.locator('.step-list li[data-step-id="enable-multinetworkpolicy"]').getAttribute('data-progress'), 'passed');
    await typeInTerminal('oc get nad -A; history | tail -3');
    await page.waitForFunction(() => /data-consumer\s+db-access-net/.test(document.querySelector('[data-terminal] .xterm-rows')?.textContent ?? ''), undefined, { timeout: 10_000 });
    assert.match(await terminalText(), /sed -i/, 'the shell history survived the restart');
    assert.match(await terminalText(), /the lab restarted: this is a new shell in the same folder/, 'and so did what the terminal showed');
  });

  it('steps 7–9: deny, allow (and Solve, which types the same), the challenge; every step shows passed', async () => {
    await runManifest('mnp-default-deny-data-adapter.yaml');
    await runManifest('mnp-default-deny-data-consumer.yaml');
    await checkUntilPassed('default-deny');
    await openStep('allow-vm-to-database');
    await runManifest('mnp-allow-vm-to-database.yaml');
    await page.locator('[data-lab-action="solve"]').click();
    await page.waitForFunction(() => (document.querySelector('[data-terminal] .xterm-rows')?.textContent?.match(/oc apply -f mnp-allow-vm-to-database\.yaml/g)?.length ?? 0) >= 2);
    await checkUntilPassed('allow-vm-to-database');
    await openStep('challenge');
    // The challenge shows no solution: the learner writes the policies (here, the ones the lesson keeps) and applies them by hand.
    await typeInTerminal('oc delete -f mnp-allow-vm-to-database.yaml && oc apply -f mnp-challenge-adapter.yaml -f mnp-challenge-vm.yaml');
    await checkUntilPassed('challenge');
    // The reachability panel draws the lesson's probes with their live answers.
    await page.locator('[data-reachability] summary').click();
    const probes = {
      'pod-data-adapter-turtle-db-adapter--192-168-200-1-5432': 'allowed',
      'vm-data-consumer-vm-workload--192-168-200-1-5432': 'denied',
      'vm-data-consumer-vm-workload--192-168-200-10-9000': 'allowed',
    };
    await page.waitForFunction((expected) => Object.entries(expected).every(([id, state]) => document.querySelector(`g[data-probe="${id}"]`)?.getAttribute('data-state') === state), probes, { timeout: 30_000 });
    assert.match(await page.locator('[data-probe-id="vm-data-consumer-vm-workload--192-168-200-1-5432"]').innerText(), /vm-workload → 192\.168\.200\.1:5432 denied \(dropped\)/);
    const progress = await page.locator('.step-list li[data-step-id]').evaluateAll((items) => items.map((i) => (i as HTMLElement).dataset.progress));
    assert.deepEqual(progress, Array(9).fill('passed'));
    await page.screenshot({ path: join(ARTIFACTS, 'lab-lesson-complete.png') });
    await page.locator('.step-nav a[rel="next"]').click();
    await page.locator('[data-lesson-complete] h1').waitFor();
    assert.equal(await page.locator('h1').innerText(), 'Lesson complete');
  });
});
