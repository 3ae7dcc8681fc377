import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { tempDir } from './temp-dir.ts';

/** Debian's Chromium unless LABPATH_CHROMIUM names another binary. */
export const CHROMIUM = process.env.LABPATH_CHROMIUM ?? '/usr/bin/chromium';

// The flags that work on these machines: no sandbox as root, no GPU, and no
// background connections that a closed network refuses.
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

export async function launchBrowser(options: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark' } = {}): Promise<BrowserContext> {
  const userDataDir = tempDir('chromium');
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    args: ARGS,
    headless: true,
    viewport: options.viewport ?? { width: 1280, height: 900 },
    colorScheme: options.colorScheme ?? 'light',
    permissions: ['clipboard-read', 'clipboard-write'],
  });
}

/** One Chromium for several users at once: each of its contexts (browser.newContext()) has cookies of its own. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
}
