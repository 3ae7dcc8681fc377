/**
 * The lab as a learner first meets it: from opening a step page to a shell
 * prompt in its terminal, in Chromium. Keystroke echo is in terminal.bench.ts.
 * Beside it, the same browser opening a bare page that only draws a prompt
 * with xterm.js: what this machine's browser needs before any lab work, so
 * that a missed goal can be told apart from a slow machine.
 */
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { launchBrowser } from '../helpers/chromium.ts';
import { startLab } from '../helpers/lab.ts';
import { LESSON_ID, ROOT } from '../helpers/paths.ts';
import { median, type BenchResult } from './measure.ts';

const PAGE_LOADS = 7;
/** Between loads: a closed context's renderer is torn down in the background, and would otherwise share the next load's cores. */
const SETTLE_MS = 1000;
/** How long a learner is on the page they come from before they open the step: a second is quick for a person. */
const READ_MS = 1000;

export async function benchLab(): Promise<BenchResult[]> {
  // As labpath serve runs: one learner environment kept ready per lesson.
  const lab = await startLab({ warmShells: 1 });
  const bare = await bareTerminalPage();
  const browser = await launchBrowser();
  const step = `${lab.server.url}/lessons/${LESSON_ID}/namespaces/`;
  try {
    // A new learner each time (a new session, cluster and shell, as a first visit), arriving as
    // learners do: from the lab's home page, which npm start opens and lessons are reached from,
    // and which fetches and compiles the terminal's code while they read it.
    const page = median(await promptTimes(browser, step, `${lab.server.url}/`));
    // The step's address typed into a new tab instead: Chromium here starts the page in the
    // tab's own blank renderer, which the page's opener policy makes it replace with a new one.
    const typed = median(await promptTimes(browser, step));
    const floor = median(await promptTimes(browser, bare.url, bare.startUrl));
    return [
      { name: 'lab: step page opened from the lab\'s home page (a second on it) to a shell prompt in its terminal (new learner, from navigation start), median', value: Number(page.toFixed(0)), unit: 'ms', goal: '< 300', met: page < 300 },
      { name: 'lab: the same, its address typed into a new tab (a new renderer process for it), median', value: Number(typed.toFixed(0)), unit: 'ms', goal: 'reported', met: true },
      { name: 'lab: a bare page drawing a prompt with xterm.js alone, opened the same way from a page of its own that fetches nothing ahead (this machine\'s floor for a cold terminal), median', value: Number(floor.toFixed(0)), unit: 'ms', goal: 'reported', met: true },
    ];
  } finally {
    await browser.close();
    bare.close();
    await lab.server.close();
  }
}

/**
 * Opens `url` in a fresh browser context each time, as a first visit (after
 * a second on `from`, if given, in the same tab), and times inside the page, from the
 * start of its navigation (performance.timeOrigin) to the moment a prompt is
 * in the terminal's rows. The page reports it on its console: asking the page
 * instead (waitForFunction, evaluate) would load the automation's own script
 * into it while it is still loading, on the same thread.
 */
async function promptTimes(browser: BrowserContext, url: string, from?: string): Promise<number[]> {
  const loads: number[] = [];
  for (let i = 0; i < PAGE_LOADS; i++) {
    const context = await browser.browser()!.newContext();
    const page = await context.newPage();
    await page.addInitScript(() => {
      let seen = false;
      new MutationObserver(() => {
        const rows = document.querySelector('.xterm-rows')?.textContent ?? '';
        if (!seen && /lesson [#$]/.test(rows)) {
          seen = true;
          console.debug(`labpath-prompt ${performance.now()}`);
        }
      }).observe(document, { subtree: true, childList: true, characterData: true });
    });
    const reported = page.waitForEvent('console', { predicate: (message) => message.text().startsWith('labpath-prompt '), timeout: 20_000 });
    if (from) {
      await page.goto(from);
      await new Promise((resolve) => setTimeout(resolve, READ_MS));
    }
    await page.goto(url, { waitUntil: 'commit' });
    loads.push(Number((await reported).text().split(' ')[1]));
    await context.close();
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  }
  return loads;
}

/** A page with nothing but an xterm.js terminal that writes a prompt, its script and styles as the lab serves its own. */
async function bareTerminalPage(): Promise<{ url: string; startUrl: string; close(): void }> {
  const xterm = join(ROOT, 'node_modules', '@xterm', 'xterm');
  const files: Record<string, [string, Buffer]> = {
    '/xterm.mjs': ['text/javascript', await readFile(join(xterm, 'lib', 'xterm.mjs'))],
    '/xterm.css': ['text/css', await readFile(join(xterm, 'css', 'xterm.css'))],
    '/start': ['text/html; charset=utf-8', Buffer.from('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Start</title></head><body><p>Start</p></body></html>')],
    '/': ['text/html; charset=utf-8', Buffer.from(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>xterm.js alone</title><link rel="stylesheet" href="/xterm.css"><link rel="modulepreload" href="/xterm.mjs"></head><body><div id="terminal" style="width:40rem;height:25rem"></div><script type="module">import { Terminal } from '/xterm.mjs'; const term = new Terminal({ fontFamily: 'monospace', fontSize: 14 }); term.open(document.getElementById('terminal')); term.write('default lesson $ ');</script></body></html>`)],
  };
  const server = createServer((req, res) => {
    const file = files[req.url ?? '/'];
    if (!file) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file[0], 'content-length': file[1].length }).end(file[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/`, startUrl: `http://127.0.0.1:${port}/start`, close: () => server.close() };
}
