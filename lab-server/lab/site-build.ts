/** Builds the site when it is missing or older than its sources, so `labpath serve` never serves a stale lesson. */
import { spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

const SOURCES = ['src', 'content', 'astro.config.mjs', 'package.json'];

export async function siteIsStale(root: string, siteDir: string): Promise<boolean> {
  const built = await stat(join(siteDir, 'index.html')).catch(() => undefined);
  if (!built) return true;
  const newest = Math.max(...(await Promise.all(SOURCES.map((s) => newestChange(join(root, s))))));
  return newest > built.mtimeMs;
}

async function newestChange(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path);
  return Math.max(info.mtimeMs, ...(await Promise.all(entries.map((e) => newestChange(join(path, e))))));
}

/** Runs `astro build` with output passed through; resolves to its exit code. */
export function buildSite(root: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'node_modules', 'astro', 'bin', 'astro.mjs'), 'build'], { cwd: root, stdio: 'inherit' });
    child.on('error', () => resolve(1));
    child.on('close', (code) => resolve(code ?? 1));
  });
}
