/** The site: JavaScript a lesson page loads before the terminal and with it, and how long `astro build` takes. */
import { spawnSync } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DIST, LESSON_ID, ROOT } from '../helpers/paths.ts';
import type { BenchResult } from './measure.ts';

export async function benchSite(): Promise<BenchResult[]> {
  const started = performance.now();
  const build = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'astro', 'bin', 'astro.mjs'), 'build'], { cwd: ROOT, stdio: 'ignore' });
  const buildSeconds = (performance.now() - started) / 1000;
  if (build.status !== 0) throw new Error('astro build failed; run npm run build to see why');
  const html = await readFile(join(DIST, 'lessons', LESSON_ID, 'workloads', 'index.html'), 'utf8');
  const inline = [...html.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)].reduce((n, m) => n + Buffer.byteLength(m[1] ?? ''), 0);
  const scripts = [...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1]!);
  const external = (await Promise.all(scripts.map((src) => stat(join(DIST, src))))).reduce((n, s) => n + s.size, 0);
  const boot = await Promise.all(scripts.map((src) => readFile(join(DIST, src), 'utf8')));
  const chunk = boot.flatMap((text) => [...text.matchAll(/import\(`\.\/(lab-client\.[\w-]+\.js)`\)/g)].map((m) => m[1]!))[0];
  const terminal = chunk ? (await stat(join(DIST, '_astro', chunk))).size : 0;
  const before = (inline + external) / 1024;
  return [
    { name: 'site: JavaScript on a lesson page before the terminal loads', value: Number(before.toFixed(1)), unit: 'KiB', goal: '< 10', met: before < 10 },
    { name: 'site: JavaScript on a lesson page with the terminal (xterm.js and the lab client)', value: Number((before + terminal / 1024).toFixed(1)), unit: 'KiB', goal: 'reported', met: true },
    { name: 'site: astro build', value: Number(buildSeconds.toFixed(1)), unit: 's', goal: 'reported', met: true },
  ];
}
