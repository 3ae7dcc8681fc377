import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { waitForChecks, watchedKinds, watchPhases } from '../../lab-server/checks/check-watch.ts';
import type { ClusterAccess } from '../../lab-server/checks/evaluate-check.ts';
import type { Check } from '../../lab-server/lesson/schema.ts';
import { LESSON_DIR } from '../helpers/paths.ts';
import { startCheckSandbox, waitFor, type TestSandbox } from '../helpers/sandbox.ts';
import { ClusterCache } from '../../lab-server/checks/cluster-cache.ts';

let sandbox: TestSandbox;
let access: ClusterAccess;

before(async () => ({ sandbox, access } = await startCheckSandbox()));
after(() => sandbox.close());

const namespaceActive = (name: string): Check => ({
  type: 'field',
  resource: { apiVersion: 'v1', kind: 'Namespace', name },
  path: '.status.phase',
  equals: 'Active',
  message: `namespace ${name} is missing`,
});

describe('waiting for a step to pass', () => {
  it('watches each kind a check reads once; connect checks watch the network path', () => {
    const kinds = watchedKinds([namespaceActive('a'), namespaceActive('b')]);
    assert.deepEqual(kinds, [{ apiVersion: 'v1', kind: 'Namespace' }]);
    const connect: Check = { type: 'connect', from: { namespace: 'n', pod: 'p' }, to: { host: '192.168.200.1', port: 5432, protocol: 'TCP' }, expect: 'allowed', message: 'm' };
    assert.ok(watchedKinds([connect]).some((k) => k.kind === 'MultiNetworkPolicy'));
  });

  it('passes as soon as the cluster gets there, woken by a watch event', async () => {
    // Shorter than the 5 s fallback tick: only a watch event can wake it in time.
    const waiting = waitForChecks([namespaceActive('data-adapter'), namespaceActive('data-consumer')], access, 4_000);
    await new Promise((r) => setTimeout(r, 300));
    const r = await sandbox.kubectl(['apply', '-f', join(LESSON_DIR, 'manifests', 'namespaces.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    const outcome = await waiting;
    assert.equal(outcome.passed, true);
    assert.deepEqual(outcome.results.map((x) => x.status), ['passed', 'passed']);
  });

  it('ticks less and less often while nothing changes, and at its first pace again after a change', async () => {
    const times: number[] = [];
    const started = performance.now();
    const watcher = watchPhases([{ checks: [namespaceActive('tick-test')], onResults: () => times.push(performance.now() - started) }], access, undefined, { startMs: 100, maxMs: 400 });
    try {
      await new Promise((r) => setTimeout(r, 1700));
      // At 0, then ticks 100, 200, 400, 400 ms apart: six evaluations, not the eighteen of a steady 100 ms.
      assert.ok(times.length >= 4 && times.length <= 7, `evaluations at ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
      const gaps = times.slice(1).map((t, i) => t - times[i]!);
      assert.ok(gaps.at(-1)! >= 350, `the wait grew: gaps ${gaps.map((g) => g.toFixed(0)).join(', ')} ms`);
      const before = times.length;
      assert.equal((await sandbox.kubectl(['create', 'namespace', 'tick-test'])).code, 0);
      await new Promise((r) => setTimeout(r, 600));
      const after = times.slice(before);
      // The event's evaluation finds the change; the ticks after it come at 100 ms, then 200 ms.
      assert.ok(after.length >= 3, `after the change: ${after.map((t) => t.toFixed(0)).join(', ')} ms`);
    } finally {
      watcher.stop();
    }
  });

  it('gives up at the timeout with the last results', async () => {
    const outcome = await waitForChecks([namespaceActive('never-created')], access, 700);
    assert.equal(outcome.passed, false);
    assert.equal(outcome.results[0]!.actual, 'not found');
  });
});

describe("a lesson's feed of cluster changes", () => {
  it('tells every listener of a kind, keeps its watch while listeners come and go, and stops at close', async () => {
    const events = new ClusterCache(access.client, access.reader);
    const heard = { first: 0, second: 0 };
    const namespaces = [{ apiVersion: 'v1', kind: 'Namespace' }];
    const stopFirst = events.on(namespaces, () => heard.first++);
    events.on(namespaces, () => heard.second++);
    try {
      await new Promise((r) => setTimeout(r, 300));
      // The first list is heard too (what is there already); from here on only changes count.
      heard.first = heard.second = 0;
      assert.equal((await sandbox.kubectl(['create', 'namespace', 'feed-one'])).code, 0);
      await waitFor('both listeners to hear of feed-one', () => heard.first > 0 && heard.second > 0);
      stopFirst();
      const before = { ...heard };
      assert.equal((await sandbox.kubectl(['create', 'namespace', 'feed-two'])).code, 0);
      await waitFor('the second listener to hear of feed-two', () => heard.second > before.second);
      assert.equal(heard.first, before.first, 'a listener that left hears nothing more');
    } finally {
      events.close();
    }
    const after = heard.second;
    assert.equal((await sandbox.kubectl(['create', 'namespace', 'feed-three'])).code, 0);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(heard.second, after, 'a closed feed tells no one');
  });
});

describe("a lesson's cache of its cluster", () => {
  it('answers reads from its list and watch, current after a change, and reads live what it cannot list', async () => {
    let liveReads = 0;
    const counted = { get: (q: Parameters<typeof access.reader.get>[0]) => (liveReads++, access.reader.get(q)), list: (q: Parameters<typeof access.reader.list>[0]) => (liveReads++, access.reader.list(q)) };
    const cache = new ClusterCache(access.client, counted);
    try {
      const missing = await cache.reader.get({ apiVersion: 'v1', kind: 'Namespace', name: 'cache-one' });
      assert.deepEqual(missing, { ok: true, value: undefined });
      assert.equal((await sandbox.kubectl(['create', 'namespace', 'cache-one'])).code, 0);
      await waitFor('the cache to see cache-one', async () => {
        const read = await cache.reader.get({ apiVersion: 'v1', kind: 'Namespace', name: 'cache-one' });
        return read.ok && read.value?.metadata?.name === 'cache-one';
      });
      const read = await cache.reader.get({ apiVersion: 'v1', kind: 'Namespace', name: 'cache-one' });
      assert.equal(read.ok && read.value?.kind, 'Namespace', 'a cached object says its kind, as a GET does');
      assert.equal((await sandbox.kubectl(['label', 'namespace', 'cache-one', 'lesson=cache'])).code, 0);
      await waitFor('the label to reach the cache', async () => {
        const listed = await cache.reader.list({ apiVersion: 'v1', kind: 'Namespace', labelSelector: 'lesson=cache' });
        return listed.ok && listed.value.length === 1;
      });
      assert.equal(liveReads, 0, 'no read went to the API server');
      const unserved = await cache.reader.get({ apiVersion: 'example.com/v1', kind: 'Nothing', name: 'x' });
      assert.equal(unserved.ok, false);
      assert.equal(!unserved.ok && unserved.problem.kind, 'unknown-kind');
      assert.equal(liveReads, 1, 'a kind the cluster does not serve is read live, and its problem told');
    } finally {
      cache.close();
    }
  });
});
