/**
 * A workshop on real clusters, one per seat (sandbox clusters stand in for
 * them, reached only through their kubeconfigs): every seat is checked at
 * start, each learner is bound to one, nobody reaches another's, and a reset
 * cleans a seat up instead of making it anew.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerMessage } from '../../lab-server/lab/protocol.ts';
import { loadLesson } from '../../lab-server/lesson/load.ts';
import { SandboxHost } from '../../lab-server/sandbox/sandbox-host.ts';
import { checkSeats, seatTable } from '../../lab-server/workshop/cluster-seats.ts';
import { labpath, run } from '../helpers/run.ts';
import { LESSON_DIR } from '../helpers/paths.ts';
import { startServeCommand } from '../helpers/sandbox-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { startWorkshop } from '../helpers/workshop.ts';

const kubectl = (kubeconfig: string, args: string[]) => run('kubectl', ['--kubeconfig', kubeconfig, ...args]);

let host: SandboxHost;
let dir: string;
before(async () => {
  const { lesson } = await loadLesson(LESSON_DIR);
  host = await SandboxHost.start({ port: 0 });
  dir = tempDir('cluster-seats');
  const a = host.addCluster(lesson!.lesson.environment, 'seat-a').kubeconfig;
  writeFileSync(join(dir, 'seat-a.kubeconfig'), a);
  writeFileSync(join(dir, 'seat-b.kubeconfig'), host.addCluster(lesson!.lesson.environment, 'seat-b').kubeconfig);
  writeFileSync(join(dir, 'broken.yaml'), 'clusters: [not, a, kubeconfig');
  // A seat whose cluster is gone: the same credentials, a port nothing listens on.
  writeFileSync(join(dir, 'gone.kubeconfig'), a.replace(/server: https:\/\/127\.0\.0\.1:\d+/, 'server: https://127.0.0.1:9'));
});
after(() => host?.close());

describe('cluster seats', () => {
  it('are checked at start: the table says which are usable, and why the others are not', async () => {
    const seats = await checkSeats(dir);
    assert.deepEqual(seats.map((s) => [s.name, s.problems.length === 0]), [['broken', false], ['gone', false], ['seat-a', true], ['seat-b', true]]);
    assert.match(seats[0]!.problems[0]!, /broken\.yaml is not a kubeconfig/);
    assert.match(seats[1]!.problems.join(' '), /127\.0\.0\.1:9/);
    const table = seatTable(seats);
    assert.match(table, /^seat +usable +cluster \/ why not$/m);
    assert.match(table, /^seat-a +yes +https:\/\/127\.0\.0\.1:\d+/m);
    assert.match(table, /^broken +NO +broken\.yaml is not a kubeconfig/m);
  });

  it('bind each learner to a seat of their own, shown on the console; a learner reaches only theirs', async () => {
    const lab = await startWorkshop({ workshop: { clusterSeats: [{ name: 'seat-a', file: join(dir, 'seat-a.kubeconfig') }, { name: 'seat-b', file: join(dir, 'seat-b.kubeconfig') }] } });
    try {
      const ada = await (await lab.join('Ada')).connect();
      const grace = await (await lab.join('Grace')).connect();
      const full = await lab.join('Linus');
      assert.equal(full.status, 503);
      assert.match(full.html, /all 2 clusters are taken/);
      const state = (await (await lab.api('/instructor/api/state')).json()) as { learners: { name: string; clusterSeat: string }[]; workshop: { clusterSeats: number } };
      assert.deepEqual(state.learners.map((l) => [l.name, l.clusterSeat]), [['Ada', 'seat-a'], ['Grace', 'seat-b']]);
      assert.equal(state.workshop.clusterSeats, 2);
      ada.type('oc create namespace only-on-seat-a && echo made-$((1+1))\r');
      await ada.waitForOutput(/made-2/, 30_000);
      grace.type('oc get namespace only-on-seat-a; echo looked-$((1+2))\r');
      const seen = await grace.waitForOutput(/looked-3/, 30_000);
      assert.match(seen, /namespaces "only-on-seat-a" not found/);
      ada.close();
      grace.close();
    } finally {
      await lab.server.close();
    }
  });

  it("reset a seat's cluster with the lesson's cleanup: the instructor brings it to a step, the learner hands it back as the lesson found it", async () => {
    const lab = await startWorkshop({ workshop: { clusterSeats: [{ name: 'seat-a', file: join(dir, 'seat-a.kubeconfig') }, { name: 'seat-b', file: join(dir, 'seat-b.kubeconfig') }] } });
    const seatA = join(dir, 'seat-a.kubeconfig');
    const namespaces = async () => (await kubectl(seatA, ['get', 'namespaces', '-o', 'name'])).stdout;
    try {
      const ada = await (await lab.join('Ada')).connect();
      const grace = await (await lab.join('Grace')).connect();
      ada.type('oc create namespace ada-own-work && echo made-$((1+1))\r');
      await ada.waitForOutput(/made-2/, 30_000);
      const reset = (m: ServerMessage): m is Extract<ServerMessage, { type: 'reset' }> => m.type === 'reset';
      // Catch-up runs the solutions of the steps before network-attachment on Ada's seat, and no one else's.
      assert.equal((await lab.action('reset', { learner: 'Ada', step: 'network-attachment' })).status, 202);
      await ada.waitForMessage(reset, 'the reset to network-attachment', 180_000);
      assert.match(await namespaces(), /namespace\/data-adapter\n[\s\S]*namespace\/data-consumer/);
      assert.doesNotMatch((await kubectl(join(dir, 'seat-b.kubeconfig'), ['get', 'namespaces', '-o', 'name'])).stdout, /data-adapter/);
      // The learner's own reset: the lesson's cleanup commands take the lesson's objects away, and only those.
      const seen = ada.messages.length;
      ada.send({ type: 'reset' });
      await ada.waitForMessage((m): m is Extract<ServerMessage, { type: 'reset' }> => ada.messages.indexOf(m) >= seen && reset(m), 'the reset', 180_000);
      assert.deepEqual(ada.messages.slice(seen).filter((m) => m.type === 'error'), [], 'the cleanup ran without an error');
      const left = await namespaces();
      assert.doesNotMatch(left, /data-adapter|data-consumer/);
      assert.match(left, /namespace\/ada-own-work/, "what the lesson did not make stays: the cleanup deletes the lesson's objects by their manifests");
      assert.deepEqual(Object.values(ada.messages.findLast(reset)!.progress).filter((s) => s === 'passed'), [], 'progress starts over');
      ada.close();
      grace.close();
    } finally {
      await lab.server.close();
    }
  });

  it('labpath serve prints the seats\' table; a workshop on one shared --kubeconfig needs --shared-cluster', async () => {
    const shared = await labpath(['serve', '--workshop', 'W', '--kubeconfig', join(dir, 'seat-a.kubeconfig')]);
    assert.equal(shared.code, 2);
    assert.match(shared.stderr, /a workshop on one --kubeconfig would put every learner on the same cluster.*--kubeconfig-dir DIR.*--shared-cluster/s);
    const alone = await labpath(['serve', '--workshop', 'W', '--shared-cluster']);
    assert.equal(alone.code, 2);
    assert.match(alone.stderr, /--shared-cluster goes with --kubeconfig FILE/);
    const served = await startServeCommand(['--port', '0', '--data', tempDir('serve-seats'), '--workshop', 'Seats', '--kubeconfig-dir', dir]);
    try {
      assert.match(served.output(), /cluster seats in .*:\nseat +usable[^\n]*\nbroken +NO[\s\S]*seat-b +yes/);
      assert.match(served.output(), /2 of 4 cluster seats cannot be used \(see the table\); the workshop has 2/);
    } finally {
      served.child.kill('SIGTERM');
      await served.exited;
    }
  });
});
