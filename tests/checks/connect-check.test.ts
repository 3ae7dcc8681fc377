import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateCheck, evaluateChecks, evaluateEachCheck, type ClusterAccess } from '../../lab-server/checks/evaluate-check.ts';
import { watchPhases } from '../../lab-server/checks/check-watch.ts';
import type { CheckResult } from '../../lab-server/checks/check-result.ts';
import type { ConnectCheck } from '../../lab-server/checks/connect-check.ts';
import { startCheckSandbox, waitFor, type TestSandbox } from '../helpers/sandbox.ts';

let sandbox: TestSandbox;
let access: ClusterAccess;

before(async () => ({ sandbox, access } = await startCheckSandbox()));
after(() => sandbox.close());

async function kubectl(...args: string[]): Promise<void> {
  const r = await sandbox.kubectl(args);
  assert.equal(r.code, 0, r.stderr);
}

const apply = (...manifests: string[]) => sandbox.applyLessonManifests(...manifests);

async function stepResults(stepId: string): Promise<CheckResult[]> {
  const step = sandbox.lesson.steps.find((s) => s.step.id === stepId);
  assert.ok(step);
  return evaluateChecks(step.step.checks, access);
}

const fromPod = (port: number, expect: 'allowed' | 'denied'): ConnectCheck => ({
  type: 'connect',
  from: { namespace: 'data-adapter', pod: 'turtle-db-adapter' },
  to: { host: '192.168.200.1', port, protocol: 'TCP' },
  expect,
  message: 'the adapter cannot reach the database',
});

describe('connect checks probe from inside the workloads', () => {
  it('a source that does not exist yet fails and says so', async () => {
    await apply('nncp-bridge-mapping.yaml', 'namespaces.yaml', 'nad-data-adapter.yaml', 'nad-data-consumer.yaml');
    const [pod] = await evaluateCheck(fromPod(5432, 'allowed'), access);
    assert.equal(pod!.status, 'failed');
    assert.equal(pod!.actual, 'pod data-adapter/turtle-db-adapter does not exist');
    const [vm] = await evaluateCheck({ ...fromPod(5432, 'allowed'), from: { namespace: 'data-consumer', vm: 'vm-workload' } }, access);
    assert.equal(vm!.status, 'failed');
    assert.match(vm!.actual, /not running \(no VirtualMachineInstance\)/);
  });

  it('the workloads step passes once the pod and the VM reach the database', async () => {
    await apply('pod-turtle-db-adapter.yaml', 'vm-workload.yaml');
    await kubectl('wait', '-n', 'data-adapter', 'pod/turtle-db-adapter', '--for=condition=Ready', '--timeout=60s');
    await kubectl('wait', '-n', 'data-consumer', 'vm/vm-workload', '--for=condition=Ready', '--timeout=60s');
    const results = await stepResults('workloads');
    assert.ok(results.every((r) => r.status === 'passed'), JSON.stringify(results, null, 2));
    const vmProbe = results.find((r) => r.subject.startsWith('vm data-consumer/vm-workload → 192.168.200.1:5432'));
    assert.equal(vmProbe?.actual, 'connects');
    assert.ok(results.every((r) => r.explanation === undefined), 'a connection made as expected needs no why');
    // The adapter's image has no nc: its probe ran in an ephemeral debug container, which stays.
    const debug = await sandbox.kubectl(['get', 'pod', '-n', 'data-adapter', 'turtle-db-adapter', '-o', 'jsonpath={.spec.ephemeralContainers[*].image} {.status.ephemeralContainerStatuses[*].state.running.startedAt}']);
    assert.match(debug.stdout, /^quay\.io\/openshift\/origin-network-tools:latest \d{4}-/);
    const direct = await sandbox.kubectl(['exec', '-n', 'data-adapter', 'turtle-db-adapter', '--', 'nc', '-z', '192.168.200.1', '5432']);
    assert.equal(direct.code, 1);
    assert.match(direct.stderr, /error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "[0-9a-f]{64}": OCI runtime exec failed: exec failed: unable to start container process: exec: "nc": executable file not found in \$PATH: unknown/);
  });

  it('a command check runs in the guest and judges exit code and output', async () => {
    const psql = (sql: string, output?: string) => evaluateCheck({ type: 'command', in: { namespace: 'data-consumer', vm: 'vm-workload' }, run: `PGPASSWORD=cheese psql -h 192.168.200.1 -U splinter -d turtles -t -c "${sql}"`, expect: { exitCode: 0, ...(output ? { output } : {}) }, message: 'psql fails' }, access);
    const [counted] = await psql('SELECT count(*) FROM turtles', '^\\s*4\\s*$');
    assert.equal(counted!.status, 'passed', JSON.stringify(counted));
    const [wrongRows] = await psql('SELECT count(*) FROM turtles', '^\\s*5\\s*$');
    assert.equal(wrongRows!.status, 'failed');
    assert.match(wrongRows!.actual, /^exit 0: +4/);
    const [badSql] = await psql('SELECT age FROM turtles');
    assert.equal(badSql!.status, 'failed');
    assert.equal(badSql!.actual, 'exit 1: ERROR:  column "age" does not exist');
    assert.equal(badSql!.message, 'psql fails');
    // A command check runs where it says: the adapter's minimal image has a shell but no nc.
    const inPod = (run: string) => evaluateCheck({ type: 'command', in: { namespace: 'data-adapter', pod: 'turtle-db-adapter' }, run, expect: { exitCode: 0, output: 'reached' }, message: 'm' }, access);
    const [echoed] = await inPod('echo reached');
    assert.equal(echoed!.status, 'passed', JSON.stringify(echoed));
    const [noNc] = await inPod('nc -z 192.168.200.1 5432 && echo reached');
    assert.equal(noNc!.actual, 'exit 127: sh: nc: command not found');
  });

  it('a port nothing listens on is refused, which is not the same as denied', async () => {
    const [result] = await evaluateCheck(fromPod(5433, 'denied'), access);
    assert.equal(result!.status, 'failed');
    assert.match(result!.actual, /connection refused: the network lets it through/);
  });

  it('after the default deny, the denied probes pass and the allowed ones time out', async () => {
    await apply('network-enable-multinetworkpolicy.yaml', 'mnp-default-deny-data-adapter.yaml', 'mnp-default-deny-data-consumer.yaml');
    const denied = await stepResults('default-deny');
    assert.ok(denied.every((r) => r.status === 'passed'), JSON.stringify(denied, null, 2));
    // Dropped as expected, and still explained: the reachability panel shows which policy did it.
    const probes = denied.filter((r) => r.actual === 'times out (dropped)');
    assert.equal(probes.length, 3);
    assert.ok(probes.every((r) => /default-deny-to-database-server/.test(r.explanation ?? '')), JSON.stringify(probes, null, 2));
    const [allowed] = await evaluateCheck(fromPod(5432, 'allowed'), access);
    assert.equal(allowed!.status, 'failed');
    assert.equal(allowed!.actual, 'times out (dropped)');
    assert.equal(allowed!.message, 'the adapter cannot reach the database');
    // The sandbox says why; the verdict itself came from the probe.
    assert.match(allowed!.explanation ?? '', /default-deny-to-database-server/);
  });

  it('a pre-check stops at the first failure: reads first, then no probe at all', async () => {
    const step = sandbox.lesson.steps.find((s) => s.step.id === 'allow-vm-to-database')!;
    const results = await evaluateChecks(step.step.checks, access, { stopAtFirstFailure: true });
    assert.deepEqual(results.map((r) => r.status), ['failed'], JSON.stringify(results, null, 2));
    assert.match(results[0]!.subject, /MultiNetworkPolicy data-consumer\/allow-vm-to-database/);
    const all = await evaluateChecks(step.step.checks, access);
    assert.equal(all.length, 3, 'without the option every check is evaluated');
  });

  it('an evaluation told to stop reads, but runs nothing in the workloads', async () => {
    const step = sandbox.lesson.steps.find((s) => s.step.id === 'default-deny')!;
    const each = await evaluateEachCheck(step.step.checks, access, { signal: AbortSignal.abort() });
    assert.deepEqual(each.map((results) => results.length), [1, 1, 0, 0, 0]);
  });

  it("a learner's Check cuts the panel's probes short and is answered first", async () => {
    const step = sandbox.lesson.steps.find((s) => s.step.id === 'default-deny')!;
    const events: string[] = [];
    let cutOnce = false;
    const watcher = watchPhases(
      [
        {
          checks: step.step.checks.filter((c) => c.type !== 'connect'),
          onResults: () => {
            events.push('step');
            // The panel's phase starts right after this; the learner presses Check while it runs.
            if (!cutOnce) setTimeout(() => watcher.evaluateNow(), 100);
            cutOnce = true;
          },
        },
        { checks: step.step.checks.filter((c) => c.type === 'connect'), onResults: () => events.push('panel') },
      ],
      access,
    );
    try {
      await waitFor('the panel after the answer to Check', () => events.includes('panel'), 20_000);
      // Three denied probes take 300 ms each: the first panel run was still going when Check came, and was dropped.
      assert.deepEqual(events.slice(0, 3), ['step', 'step', 'panel']);
    } finally {
      watcher.stop();
    }
  });

  it("a learner's Check cuts short the step's own evaluation that began before it: one evaluation's wait, not two", async () => {
    const step = sandbox.lesson.steps.find((s) => s.step.id === 'default-deny')!;
    const answers: number[] = [];
    let asked = 0;
    const watcher = watchPhases([{ checks: step.step.checks, onResults: () => answers.push(performance.now()) }], access);
    try {
      // The first evaluation runs its three 300 ms denied probes (the VM's two one after another); Check comes during the first.
      await new Promise((resolve) => setTimeout(resolve, 150));
      asked = performance.now();
      watcher.evaluateNow();
      await waitFor('the answer to Check', () => answers.length > 0, 20_000);
      assert.equal(answers.length, 1, 'the evaluation in flight when Check came was dropped, not reported');
      const waited = answers[0]! - asked;
      // Its own evaluation takes 600 ms or more; waiting for the one in flight first would have cost 450 ms more.
      assert.ok(waited >= 600, `answered after ${waited.toFixed(0)} ms, before its own probes could have run`);
    } finally {
      watcher.stop();
    }
  });
});
