/**
 * The sandbox's layers (lab-server/sandbox/README.md), held as the code is:
 * every import goes to the same layer or one below, and no module reaches
 * itself through its imports.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SANDBOX = fileURLToPath(new URL('../../lab-server/sandbox/', import.meta.url));

/** Lowest first; a folder or top-level module may import only from its own layer or lower ones. */
const LAYERS: string[][] = [
  ['tls', 'kubeconfig', 'resource-types', 'images'],
  ['openapi'],
  ['machinery'],
  ['store'],
  ['admission'],
  ['network'],
  ['workloads'],
  ['controllers'],
  ['cluster'],
  ['api'],
  ['sandbox-host', 'sandbox-thread', 'sandbox-thread-main'],
];

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return modules(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function unit(path: string): string {
  return relative(SANDBOX, path).split('/')[0]!.replace(/\.ts$/, '');
}

function layerOf(path: string): number {
  const name = unit(path);
  const layer = LAYERS.findIndex((units) => units.includes(name));
  assert.ok(layer >= 0, `${relative(SANDBOX, path)} is in "${name}", which no layer names: add it to LAYERS here and to the sandbox README`);
  return layer;
}

const files = modules(SANDBOX);
const imports = new Map(
  files.map((file) => [
    file,
    [...readFileSync(file, 'utf8').matchAll(/(?:^|\n)\s*(?:import|export)\b[^'";]*?from\s+'(\.{1,2}\/[^']+)'/g)]
      .map((m) => resolve(dirname(file), m[1]!))
      .filter((target) => target.startsWith(SANDBOX)),
  ]),
);

test('every sandbox module imports only from its own layer or lower ones', () => {
  const upward = files.flatMap((file) =>
    imports.get(file)!.filter((target) => layerOf(target) > layerOf(file)).map((target) => `${relative(SANDBOX, file)} imports ${relative(SANDBOX, target)}`),
  );
  assert.deepEqual(upward, []);
});

test('no sandbox module reaches itself through its imports', () => {
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[] = [];
  const visit = (file: string, path: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'visiting') {
      cycles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(SANDBOX, f)).join(' → '));
      return;
    }
    state.set(file, 'visiting');
    for (const target of imports.get(file) ?? []) visit(target, [...path, file]);
    state.set(file, 'done');
  };
  for (const file of files) visit(file, []);
  assert.deepEqual(cycles, []);
});
