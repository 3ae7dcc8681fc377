/**
 * The lab as a learner feels it: from opening a step page to a shell prompt
 * in its terminal (Chromium), and how long a keystroke takes to echo back
 * over the WebSocket on loopback.
 */
import { launchBrowser } from '../helpers/chromium.ts';
import { startLab } from '../helpers/lab.ts';
import { LESSON_ID } from '../helpers/paths.ts';
import { median, type BenchResult } from './measure.ts';

const PAGE_LOADS = 7;
const KEYSTROKES = 300;

export async function benchLab(): Promise<BenchResult[]> {
  const lab = await startLab();
  const browser = await launchBrowser();
  try {
    // A new learner each time: a new session, cluster and shell, as a first visit is.
    // Timed inside the page, from the start of navigation (performance.timeOrigin) to the moment the
    // prompt is in the terminal's rows, so the automation's own round trips do not count.
    const loads: number[] = [];
    for (let i = 0; i < PAGE_LOADS; i++) {
      const context = await browser.browser()!.newContext();
      const page = await context.newPage();
      await page.addInitScript(() => {
        const seen = window as unknown as { labpathPrompt?: number };
        new MutationObserver(() => {
          const rows = document.querySelector('[data-terminal] .xterm-rows')?.textContent ?? '';
          if (seen.labpathPrompt === undefined && /lesson [#$]/.test(rows)) seen.labpathPrompt = performance.now();
        }).observe(document, { subtree: true, childList: true, characterData: true });
      });
      await page.goto(`${lab.server.url}/lessons/${LESSON_ID}/namespaces/`);
      await page.waitForFunction(() => (window as unknown as { labpathPrompt?: number }).labpathPrompt, undefined, { timeout: 20_000 });
      loads.push(await page.evaluate(() => (window as unknown as { labpathPrompt: number }).labpathPrompt));
      await context.close();
    }
    const page = median(loads);

    const socket = await (await lab.learner()).connect();
    await socket.waitForOutput(/[#$] $/);
    const echoes: number[] = [];
    for (let i = 0; i < KEYSTROKES; i++) {
      // A different letter each time, and a fresh line every 50, so that what echoes is this key's echo.
      if (i % 50 === 0 && i > 0) {
        // Ctrl-U clears the line; bash answers by erasing to its end.
        socket.type('\u0015');
        await socket.waitForOutput(/\u001b\[K$/);
      }
      const key = String.fromCharCode(97 + (i % 26));
      const started = performance.now();
      socket.type(key);
      await socket.waitForOutput(new RegExp(`${key}$`));
      echoes.push(performance.now() - started);
    }
    socket.type('\u0015');
    socket.close();
    const sorted = [...echoes].sort((a, b) => a - b);
    const p50 = median(echoes);
    const p99 = sorted[Math.floor(sorted.length * 0.99)]!;
    return [
      { name: 'lab: step page opened to a shell prompt in its terminal (new learner, from navigation start), median', value: Number(page.toFixed(0)), unit: 'ms', goal: '< 300', met: page < 300 },
      { name: 'lab: keystroke echo over the WebSocket on loopback, p50', value: Number(p50.toFixed(2)), unit: 'ms', goal: '< 5', met: p50 < 5 },
      { name: 'lab: keystroke echo over the WebSocket on loopback, p99', value: Number(p99.toFixed(2)), unit: 'ms', goal: 'reported', met: true },
    ];
  } finally {
    await browser.close();
    await lab.server.close();
  }
}
