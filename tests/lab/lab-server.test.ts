/**
 * The lab server as browsers meet it: sessions, the terminal over WebSocket,
 * steps checked live, bad input, isolation between learners, restarts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LabSocket, newLearner, startLab, withLab, type TestLab } from '../helpers/lab.ts';
import { spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { startSandboxCommand } from '../helpers/sandbox-process.ts';
import { join } from 'node:path';
import { DIST, LESSON_ID } from '../helpers/paths.ts';
import { labpath } from '../helpers/run.ts';
import { tempDir } from '../helpers/temp-dir.ts';

let lab: TestLab;
before(async () => {
  lab = await startLab();
});
after(() => lab?.server.close());

describe('sessions', () => {
  it('a first visit starts a session with an HttpOnly, SameSite cookie; the API reports its progress', async () => {
    const res = await fetch(`${lab.server.url}/lessons/${LESSON_ID}/overview/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('set-cookie') ?? '', /^labpath_session=[\w-]{32}; Path=\/; HttpOnly; SameSite=Lax/);
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const again = await fetch(`${lab.server.url}/`, { headers: { cookie } });
    assert.equal(again.headers.get('set-cookie'), null, 'a known session keeps its cookie');
    const api = await fetch(`${lab.server.url}/lab/api/lessons/${LESSON_ID}`, { headers: { cookie } });
    assert.deepEqual(await api.json(), { lesson: LESSON_ID, gating: true, progress: {} });
    const missing = await fetch(`${lab.server.url}/lab/api/lessons/no-such-lesson`, { headers: { cookie } });
    assert.equal(missing.status, 404);
    assert.match((await missing.json()).error, /no lesson "no-such-lesson"; lessons here: localnet-microsegmentation/);
  });
});

describe('pages', () => {
  it('a step page opens its lab socket from the head; the pages that lead to steps fetch the terminal\'s code ahead, and only when a lab serves them', async () => {
    const chunk = (await readdir(join(DIST, '_astro'))).find((f) => /^lab-client\.[\w-]+\.js$/.test(f))!;
    const preload = `<link rel="modulepreload" href="/_astro/${chunk}">`;
    const step = await (await fetch(`${lab.server.url}/lessons/${LESSON_ID}/overview/`)).text();
    assert.match(step, /<head><meta charset="utf-8"><script>\(\(\)=>\{const socket=new WebSocket/);
    assert.ok(step.includes(preload));
    assert.match(step, /<link rel="modulepreload" href="\/_astro\/xterm\.[\w-]+\.js">/, 'and the xterm.js chunk it imports');
    for (const path of ['/', `/lessons/${LESSON_ID}/`]) {
      const page = await (await fetch(`${lab.server.url}${path}`)).text();
      assert.ok(page.includes(preload), `${path} preloads the terminal's code`);
      assert.doesNotMatch(page, /new WebSocket/, `${path} starts no shell`);
      const built = await readFile(join(DIST, path, 'index.html'), 'utf8');
      assert.ok(!built.includes('modulepreload'), `${path} as built (for a static host) does not`);
    }
  });
});

describe('access', () => {
  it('labpath serve refuses a non-loopback address without an access token, and says how to set one', async () => {
    const r = await labpath(['serve', '--host', '0.0.0.0', '--port', '0']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /refusing to listen on 0\.0\.0\.0 without an access token: anyone who reaches that address would get a shell\. Set one with --token TOKEN \(or the LABPATH_TOKEN environment variable\)/);
  });

  it('with a token, every request needs it; the link with ?token= turns it into a cookie', async () => {
    const token = 'a-workshop-token-0123456789';
    await withLab({ accessToken: token }, async (guarded) => {
      const without = await fetch(`${guarded.server.url}/`);
      assert.equal(without.status, 401);
      assert.match(await without.text(), /needs its access token: open the link with \?token=/);
      const link = await fetch(`${guarded.server.url}/lessons/${LESSON_ID}/overview/?token=${token}`, { redirect: 'manual' });
      assert.equal(link.status, 303);
      assert.equal(link.headers.get('location'), `/lessons/${LESSON_ID}/overview/`);
      const access = link.headers.get('set-cookie')!.split(';')[0]!;
      assert.ok(!access.includes(token), 'the cookie holds a MAC of the token, not the token');
      const page = await fetch(`${guarded.server.url}/lessons/${LESSON_ID}/overview/`, { headers: { cookie: access } });
      assert.equal(page.status, 200);
      const session = page.headers.get('set-cookie')!.split(';')[0]!;
      await assert.rejects(LabSocket.open(guarded.server.url, session, LESSON_ID), /upgrade refused: 401/);
      const socket = await LabSocket.open(guarded.server.url, `${session}; ${access}`, LESSON_ID);
      socket.close();
    });
  });
});

describe('the terminal', () => {
  it('is bash in the lesson folder with kubectl, oc and virtctl, the namespace in its prompt; a reload reattaches to it', async () => {
    const learner = await lab.learner();
    const page = await learner.connect();
    await page.waitForOutput(/default\u001b\[0m \u001b\[1;34mlesson\u001b\[0m [#$] $/);
    page.type('echo answer-$((6*7)); ls nad-data-adapter.yaml; type -p kubectl oc virtctl | wc -l\r');
    await page.waitForOutput(/answer-42\r\nnad-data-adapter\.yaml\r\n3\r\n/);
    page.close();
    const reloaded = await learner.connect();
    await reloaded.waitForOutput(/answer-42/);
    reloaded.type('echo still-$((1+1))\r');
    await reloaded.waitForOutput(/still-2/);
    reloaded.close();
  });

  it('runs a step\'s solution visibly, turns the step passed, and keeps gating', async () => {
    const page = await (await lab.learner()).connect();
    page.send({ type: 'solve', step: 'namespaces' });
    const locked = await page.waitForMessage((m): m is Extract<typeof m, { type: 'error' }> => m.type === 'error', 'the gating error');
    assert.equal(locked.message, 'step "namespaces" unlocks when step "bridge-mapping" passes');
    page.send({ type: 'watch', step: 'bridge-mapping' });
    const failing = await page.waitForStep('bridge-mapping', 'failing');
    assert.match(failing.results[0]!.message, /not Available yet/);
    page.send({ type: 'solve', step: 'bridge-mapping' });
    await page.waitForOutput(/oc apply -f nncp-bridge-mapping\.yaml[\s\S]*created/);
    await page.waitForStep('bridge-mapping', 'passed');
    await page.waitForMessage((m): m is Extract<typeof m, { type: 'progress' }> => m.type === 'progress' && m.progress['bridge-mapping'] === 'passed', 'progress');
    page.send({ type: 'run', command: 'oc apply -f namespaces.yaml' });
    page.send({ type: 'check', step: 'namespaces' });
    await page.waitForStep('namespaces', 'passed');
    page.close();
  });
});

describe('reset', () => {
  it('gives the learner a fresh cluster and a fresh start; their files stay', async () => {
    const page = await (await lab.learner()).connect();
    page.send({ type: 'watch', step: 'bridge-mapping' });
    page.send({ type: 'solve', step: 'bridge-mapping' });
    await page.waitForStep('bridge-mapping', 'passed');
    page.type('echo kept > notes.txt\r');
    page.send({ type: 'reset' });
    const reset = await page.waitForMessage((m): m is Extract<typeof m, { type: 'reset' }> => m.type === 'reset', 'the reset');
    assert.deepEqual(reset.progress, {});
    await page.waitForStep('bridge-mapping', 'failing');
    page.type('oc get nncp; cat notes.txt\r');
    await page.waitForOutput(/No resources found\r\nkept\r\n/);
    page.close();
  });
});

describe('bad input', () => {
  it('answers malformed control messages with an error and goes on', async () => {
    const page = await (await lab.learner()).connect();
    const errors = () => page.messages.filter((m) => m.type === 'error').map((m) => (m as { message: string }).message);
    page.ws.send('{not json');
    page.send({ type: 'teleport' });
    page.send({ type: 'resize', cols: 100000, rows: 30 });
    page.send({ type: 'run', command: 'echo a\necho b' });
    page.send({ type: 'watch', step: 'no-such-step' });
    await page.waitForMessage((m): m is Extract<typeof m, { type: 'error' }> => m.type === 'error' && /no step/.test(m.message), 'five errors');
    assert.deepEqual(errors(), [
      'a control message is JSON, e.g. {"type":"resize","cols":100,"rows":30}',
      "bad control message at type: Invalid discriminator value. Expected 'resize' | 'run' | 'watch' | 'check' | 'solve' | 'reset' | 'hint' | 'raise-hand' | 'lower-hand'",
      'bad control message at cols: Too big: expected number to be <=1000',
      'bad control message at command: one command line, without line breaks',
      'lesson localnet-microsegmentation has no step "no-such-step"',
    ]);
    page.type('echo alive-$((4*4))\r');
    await page.waitForOutput(/alive-16\r\n/);
    page.close();
  });

  it('closes a connection that sends an oversized frame; the server stays up', async () => {
    const learner = await lab.learner();
    const page = await learner.connect();
    const closed = new Promise<number>((resolve) => page.ws.once('close', (code) => resolve(code)));
    page.ws.send('x'.repeat(100 * 1024));
    assert.equal(await closed, 1009);
    const next = await learner.connect();
    next.type('echo fine-$((7+1))\r');
    await next.waitForOutput(/fine-8\r\n/);
    next.close();
  });

  it('refuses cross-origin, sessionless and unknown-lesson upgrades', async () => {
    const learner = await lab.learner();
    await assert.rejects(LabSocket.open(lab.server.url, learner.cookie, LESSON_ID, { origin: 'http://evil.example' }), /upgrade refused: 403/);
    await assert.rejects(LabSocket.open(lab.server.url, 'labpath_session=forged', LESSON_ID), /upgrade refused: 401/);
    await assert.rejects(LabSocket.open(lab.server.url, learner.cookie, 'no-such-lesson'), /upgrade refused: 404/);
  });
});

describe('two learners', () => {
  it('cannot see each other\'s cluster, files or terminal', async () => {
    const [a, b] = [await (await lab.learner()).connect(), await (await lab.learner()).connect()];
    a.type('oc create namespace only-for-a && echo secret-a > mine.txt && echo done-$((1+1))\r');
    await a.waitForOutput(/done-2\r\n/);
    b.type('oc get namespace only-for-a; ls mine.txt; ps -e | wc -l\r');
    await b.waitForOutput(/namespaces "only-for-a" not found[\s\S]*ls: cannot access 'mine\.txt': No such file or directory\r\n(\d+)\r\n/);
    const [, processes] = /cannot access 'mine\.txt'.*\r\n(\d+)\r\n/.exec(b.output)!;
    assert.ok(Number(processes) < 10, `only its own processes are there to see (${processes} lines of ps)`);
    assert.doesNotMatch(b.output, /secret-a|done-2/);
    a.close();
    b.close();
  });
});

describe('a flood of terminal output', () => {
  it('to a browser that does not read pauses that shell only: server memory stays bounded, other learners go on', async () => {
    const slow = await (await lab.learner()).connect();
    await slow.waitForOutput(/[#$] $/);
    const socket = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    const before = process.memoryUsage().arrayBuffers;
    slow.type('head -c 50000000 /dev/zero | tr "\\0" x; echo; echo flood-end-$((2+2))\r');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const other = await (await lab.learner()).connect();
    other.type('echo unaffected-$((9-2))\r');
    await other.waitForOutput(/unaffected-7\r\n/);
    const grown = (process.memoryUsage().arrayBuffers - before) / 1024 / 1024;
    assert.ok(grown < 16, `50 MB of output to a reader that stopped must not pile up in the server: ${grown.toFixed(1)} MB did`);
    socket.resume();
    await slow.waitForOutput(/flood-end-4/, 120_000);
    assert.ok(slow.received > 50_000_000, 'every byte arrives once the browser reads again');
    slow.close();
    other.close();
  });
});

describe('limits', () => {
  it('an idle lesson\'s shell is ended; the next visit gets a new one that shows the old scrollback', async () => {
    await withLab({ idleTimeoutMs: 300 }, async (own) => {
      const learner = await own.learner();
      const page = await learner.connect();
      page.type('echo before-idle-$((5+5))\r');
      await page.waitForOutput(/before-idle-10\r\n/);
      page.close();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const back = await learner.connect();
      await back.waitForOutput(/the lab restarted: this is a new shell in the same folder/);
      assert.match(back.output, /before-idle-10/);
      back.close();
    });
  });

  it('a session that ends takes its shell\'s processes, its cluster and its files with it', async () => {
    await withLab({ sessionTtlMs: 400 }, async (own) => {
      const learner = await own.learner();
      const page = await learner.connect();
      page.type('sleep 987654 & echo started-$((3*3))\r');
      await page.waitForOutput(/started-9\r\n/);
      assert.equal(spawnSync('pgrep', ['-f', 'sleep 987654']).status, 0, 'the background job runs');
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.equal(spawnSync('pgrep', ['-f', 'sleep 987654']).status, 0, 'a learner whose page is connected is not ended, however long ago it connected');
      page.close();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.notEqual(spawnSync('pgrep', ['-f', 'sleep 987654']).status, 0, 'the background job was killed with the session');
      for (const part of ['learners', 'shell-files', 'private']) assert.deepEqual(await readdir(join(own.dataDir, part)), [], `${part}/ is empty`);
      const fresh = await fetch(`${own.server.url}/lessons/${LESSON_ID}/overview/`, { headers: { cookie: learner.cookie } });
      assert.match(fresh.headers.get('set-cookie') ?? '', /^labpath_session=/, 'the old cookie no longer opens a session');
    });
  });

  it('drops a connection whose browser answers no heartbeat', async () => {
    await withLab({ heartbeatMs: 150 }, async (own) => {
      const learner = await own.learner();
      const silent = await LabSocket.open(own.server.url, learner.cookie, LESSON_ID, {}, { autoPong: false });
      const closed = await new Promise<number>((resolve) => silent.ws.once('close', (code) => resolve(code)));
      assert.equal(closed, 1006, 'terminated, not closed politely');
      const answering = await learner.connect();
      await new Promise((resolve) => setTimeout(resolve, 600));
      assert.equal(answering.ws.readyState, answering.ws.OPEN, 'a browser that answers stays connected');
      answering.close();
    });
  });

  it('refuses a ninth page for one learner', async () => {
    const learner = await lab.learner();
    const pages = await Promise.all(Array.from({ length: 8 }, () => learner.connect()));
    await assert.rejects(learner.connect(), /upgrade refused: 429/);
    for (const p of pages) p.close();
  });
});

describe('on a given cluster (--kubeconfig)', () => {
  it('every learner works on that cluster; reset is refused with the reason', async () => {
    const cluster = await startSandboxCommand(['--kubeconfig', join(tempDir('lab-kc'), 'kubeconfig')]);
    const shared = await startLab({ kubeconfig: cluster.kubeconfig });
    try {
      const [a, b] = [await (await shared.learner()).connect(), await (await shared.learner()).connect()];
      a.type('oc create namespace made-by-a && echo made-$((2*3))\r');
      await a.waitForOutput(/made-6\r\n/);
      b.type('oc get namespace made-by-a -o name\r');
      await b.waitForOutput(/namespace\/made-by-a\r\n/);
      b.send({ type: 'reset' });
      const refused = await b.waitForMessage((m): m is Extract<typeof m, { type: 'error' }> => m.type === 'error', 'the refusal');
      assert.match(refused.message, /runs on a shared real cluster, which cannot be reset from here/);
      a.close();
      b.close();
    } finally {
      await shared.server.close();
      cluster.child.kill('SIGTERM');
    }
  });
});

describe('a restart', () => {
  it('loses no progress and no cluster object, and the learner carries on', async () => {
    const own = await startLab();
    const learner = await own.learner();
    const page = await learner.connect();
    page.send({ type: 'watch', step: 'bridge-mapping' });
    page.send({ type: 'solve', step: 'bridge-mapping' });
    await page.waitForStep('bridge-mapping', 'passed');
    page.close();
    await own.server.close();

    const restarted = await startLab({ dataDir: own.dataDir });
    try {
      const again = await (await newLearner(restarted.server.url, learner.cookie)).connect();
      const ready = await again.waitForMessage((m): m is Extract<typeof m, { type: 'ready' }> => m.type === 'ready', 'ready');
      assert.deepEqual(ready.progress, { 'bridge-mapping': 'passed' });
      again.type('oc get nncp\r');
      await again.waitForOutput(/ovs-share-same-gw-bridge\s+Available/);
      again.close();
    } finally {
      await restarted.server.close();
    }
  });
});
