/**
 * `npm run bench`: runs every benchmark, prints a table with each goal and
 * whether it is met, and writes the results as JSON. Goals are reported,
 * never asserted: a missed goal is news, not a failure.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from '../helpers/paths.ts';
import { benchSandbox } from './sandbox.bench.ts';
import { benchNetwork } from './network.bench.ts';
import { benchChecks } from './checks.bench.ts';
import { benchLab } from './lab.bench.ts';
import { benchTerminal } from './terminal.bench.ts';
import { benchSite } from './site.bench.ts';
import { benchLearners } from './learners.bench.ts';
import { benchConfinement } from './confinement.bench.ts';
import { benchWorkshop } from './workshop.bench.ts';
import type { BenchResult } from './measure.ts';

const BENCHES: Record<string, () => Promise<BenchResult[]>> = {
  sandbox: benchSandbox, network: benchNetwork, checks: benchChecks, lab: benchLab, confinement: benchConfinement, terminal: benchTerminal, site: benchSite, learners: benchLearners, workshop: benchWorkshop,
};
// LABPATH_BENCH_ONLY=workshop,learners runs just those, for work on one of them.
const only = process.env.LABPATH_BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
for (const name of only ?? []) if (!BENCHES[name]) throw new Error(`LABPATH_BENCH_ONLY names "${name}"; benchmarks: ${Object.keys(BENCHES).join(', ')}`);
const started = performance.now();
const results: BenchResult[] = [];
for (const [name, bench] of Object.entries(BENCHES)) if (!only || only.includes(name)) results.push(...(await bench()));
const wall = (performance.now() - started) / 1000;
if (!only) results.push({ name: 'bench: every measurement above, unattended, wall', value: Number(wall.toFixed(0)), unit: 's', goal: '< 600', met: wall < 600 });
const width = Math.max(...results.map((r) => r.name.length));
console.log(`${'measurement'.padEnd(width)}  ${'value'.padStart(10)}  unit      goal      met`);
for (const r of results) console.log(`${r.name.padEnd(width)}  ${String(r.value).padStart(10)}  ${r.unit.padEnd(8)}  ${r.goal.padEnd(8)}  ${r.met ? 'yes' : 'NO'}`);
const file = join(ROOT, 'bench', 'results.json');
await mkdir(join(ROOT, 'bench'), { recursive: true });
await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwrote ${file}`);
