/** Debian's python3-kubernetes against the sandbox: list, watch with a timeout, exec with its exit code. */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startSandbox, waitFor, type TestSandbox } from '../helpers/sandbox.ts';
import { run } from '../helpers/run.ts';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../fixtures/python/client-checks.py', import.meta.url));
let sandbox: TestSandbox;
before(async () => {
  assert.ok(existsSync(PYTHON), `${PYTHON} is needed (with Debian's python3-kubernetes; .ci/run installs it)`);
  sandbox = await startSandbox();
  assert.equal((await sandbox.kubectl(['run', 'web', '--image=nginx'])).code, 0);
  assert.equal((await sandbox.kubectl(['create', 'configmap', 'one'])).code, 0);
  await waitFor('web running', async () => (await sandbox.kubectl(['get', 'pod', 'web', '-o', 'jsonpath={.status.phase}'])).stdout === 'Running');
});
after(() => sandbox?.close());

it('lists, watches until the timeout, and execs with the exit code, in and out of preloading', async () => {
  const r = await run(PYTHON, [SCRIPT], { env: { KUBECONFIG: sandbox.kubeconfig, HOME: sandbox.kubeconfig.replace(/\/[^/]+$/, '') } });
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
  assert.deepEqual(result.nodes, ['control-plane-0', 'worker-0', 'worker-1']);
  assert.equal(result.nodeInfo, true);
  assert.deepEqual(result.pods, ['web']);
  // The watch lists what is there as ADDED, then ends at its timeout.
  const watched = result.watch as string[][];
  assert.ok(watched.some(([type, name]) => type === 'ADDED' && name === 'one'), JSON.stringify(watched));
  assert.ok(watched.every(([type]) => type === 'ADDED'));
  assert.deepEqual(result.exec, ['hello\n', 3]);
  assert.equal(result.execPreloaded, 'preloaded\n');
});
