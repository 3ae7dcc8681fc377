/**
 * The lab as a learner first meets it: from opening a step page to a shell
 * prompt in its terminal, in Chromium. Keystroke echo is in terminal.bench.ts.
 */
import { launchBrowser } from '../helpers/chromium.ts';
import { startLab } from '../helpers/lab.ts';
import { LESSON_ID } from '../helpers/paths.ts';
import { median, type BenchResult } from './measure.ts';

const PAGE_LOADS = 7;

export async function benchLab(): Promise<BenchResult[]> {
  // As labpath serve runs: one learner environment kept ready per lesson.
  const lab = await startLab({ warmShells: 1 });
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
    return [
      { name: 'lab: step page opened to a shell prompt in its terminal (new learner, from navigation start), median', value: Number(page.toFixed(0)), unit: 'ms', goal: '< 300', met: page < 300 },
    ];
  } finally {
    await browser.close();
    await lab.server.close();
  }
}
