import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { waitForChecks, watchedKinds } from '../../lab-server/checks/check-watch.ts';
import type { ClusterAccess } from '../../lab-server/checks/evaluate-check.ts';
import type { Check } from '../../lab-server/lesson/schema.ts';
import { LESSON_DIR } from '../helpers/paths.ts';
import { startCheckSandbox, waitFor, type TestSandbox } from '../helpers/sandbox.ts';
import { ClusterEvents } from '../../lab-server/checks/cluster-events.ts';

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

  it('gives up at the timeout with the last results', async () => {
    const outcome = await waitForChecks([namespaceActive('never-created')], access, 700);
    assert.equal(outcome.passed, false);
    assert.equal(outcome.results[0]!.actual, 'not found');
  });
});

describe("a lesson's feed of cluster changes", () => {
  it('tells every listener of a kind, keeps its watch while listeners come and go, and stops at close', async () => {
    const events = new ClusterEvents(access.client);
    const heard = { first: 0, second: 0 };
    const namespaces = [{ apiVersion: 'v1', kind: 'Namespace' }];
    const stopFirst = events.on(namespaces, () => heard.first++);
    events.on(namespaces, () => heard.second++);
    try {
      await new Promise((r) => setTimeout(r, 300));
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
