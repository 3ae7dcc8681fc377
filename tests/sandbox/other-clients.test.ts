/**
 * The other clients a learner reaches for, as Debian and npm ship them:
 * ruby-kubeclient (legacy /watch/ paths), kubetail (kubectl's jsonpath and
 * logs underneath) and the npm kubernetes-client (its API built from /openapi/v2).
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox, waitFor, type TestSandbox } from '../helpers/sandbox.ts';
import { run } from '../helpers/run.ts';

const fixture = (path: string) => fileURLToPath(new URL(`../fixtures/${path}`, import.meta.url));
let sandbox: TestSandbox;
before(async () => {
  sandbox = await startSandbox();
  assert.equal((await sandbox.kubectl(['run', 'web', '--image=nginx'])).code, 0);
  assert.equal((await sandbox.kubectl(['create', 'configmap', 'one'])).code, 0);
  assert.equal((await sandbox.kubectl(['create', 'deployment', 'shop', '--image=nginx'])).code, 0);
  await waitFor('web running', async () => (await sandbox.kubectl(['get', 'pod', 'web', '-o', 'jsonpath={.status.phase}'])).stdout === 'Running');
});
after(() => sandbox?.close());

const env = () => ({ KUBECONFIG: sandbox.kubeconfig, HOME: dirname(sandbox.kubeconfig), PATH: process.env.PATH });
const lastJsonLine = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
const FIRST_NGINX_LINE = '/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration';

it('ruby-kubeclient lists, gets, creates, watches from a resource version, reads logs and is told what is missing', async () => {
  assert.ok(existsSync('/usr/bin/ruby'), "/usr/bin/ruby is needed, with Debian's ruby-kubeclient (.ci/run installs it)");
  const r = await run('/usr/bin/ruby', [fixture('ruby/client-checks.rb')], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  const result = lastJsonLine(r.stdout);
  assert.deepEqual(result.nodes, ['control-plane-0', 'worker-0', 'worker-1']);
  assert.deepEqual((result.pods as string[]).map((p) => p.replace(/^shop-.*/, 'shop-…')).sort(), ['shop-…', 'web']);
  assert.equal(result.configMap, 'one');
  assert.equal(result.created, '1');
  // From the list's resourceVersion on, the watch sees only the new ConfigMap.
  assert.deepEqual(result.watch, [['ADDED', 'from-ruby']]);
  assert.equal(result.log, FIRST_NGINX_LINE);
  assert.deepEqual(result.deployments, ['shop']);
  assert.equal(result.notFound, 'configmaps "missing" not found');
});

it('kubetail follows a pod found by name', async () => {
  assert.ok(existsSync('/usr/bin/kubetail'), "/usr/bin/kubetail is needed (Debian's kubetail; .ci/run installs it)");
  // One pod with one container: kubetail 1.6.5 joins several log commands with `${@/#/ & }`,
  // which bash 5.2 (patsub_replacement) turns into a syntax error, on a real cluster too.
  // kubetail ends with `kill 0` (its EXIT trap): it gets a session of its own so that it kills only itself.
  const r = await run('/usr/bin/setsid', ['--wait', '/usr/bin/kubetail', 'web', '--follow', 'false', '--since', '10m', '--colored-output', 'false'], { env: { ...env(), TERM: 'dumb' } });
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /^Will tail 1 logs\.\.\.\n.*web/);
  assert.ok(r.stdout.includes(`[web] ${FIRST_NGINX_LINE}`), r.stdout);
});

it('the npm kubernetes-client builds its API from /openapi/v2 and lists, watches, logs and reads a 404', async () => {
  const r = await run(process.execPath, [fixture('npm/kubernetes-client-checks.cjs')], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  const result = lastJsonLine(r.stdout);
  assert.ok((result.pods as string[]).includes('web'));
  assert.ok((result.allPods as number) > (result.pods as string[]).length, 'pods across all namespaces include the openshift-* system pods');
  assert.deepEqual(result.deployments, ['shop']);
  const watched = result.watch as string[][];
  assert.deepEqual(watched.at(-1), ['ADDED', 'from-npm']);
  assert.ok(watched.some(([, name]) => name === 'one'), 'a watch without a resource version starts with what is there');
  assert.equal(result.log, FIRST_NGINX_LINE);
  assert.deepEqual(result.notFound, [404, 'configmaps "missing" not found']);
});
