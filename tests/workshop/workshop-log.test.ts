/**
 * What the console hears and what the log keeps: attention flags, lifted
 * gates, hands, time running out and given back, the exports and xAPI
 * statements, the events webhook (which retries), and a restart that keeps
 * every learner's record.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServerMessage } from '../../lab-server/lab/protocol.ts';
import { LESSON_ID } from '../helpers/paths.ts';
import { startWorkshop, type TestWorkshop } from '../helpers/workshop.ts';
import type { LabSocket } from '../helpers/lab.ts';

type Of<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;
const is = <T extends ServerMessage['type']>(type: T, match: (m: Of<T>) => boolean = () => true) => (m: ServerMessage): m is Of<T> => m.type === type && match(m as Of<T>);

/** A learner's page that has joined and shows `step`. */
async function onStep(lab: TestWorkshop, name: string, step: string): Promise<LabSocket> {
  const joined = await lab.join(name);
  assert.equal(joined.status, 303, joined.html);
  const page = await joined.connect();
  await page.waitForMessage(is('ready'), 'ready');
  page.send({ type: 'watch', step });
  return page;
}

describe('a workshop\'s console and log', () => {
  let lab: TestWorkshop;
  let dataDir: string;
  before(async () => {
    // Flagged at a thousandth of a step's estimate: at once, for the test.
    lab = await startWorkshop({ workshop: { attentionFactor: 0.001 } });
    dataDir = lab.dataDir;
  });
  after(() => lab?.server.close());

  it('flags a learner who keeps failing the same check, and one over the step\'s estimate', async () => {
    const feed = await lab.feed();
    const ada = await onStep(lab, 'Ada', 'bridge-mapping');
    await ada.waitForStep('bridge-mapping', 'failing');
    ada.send({ type: 'hint', step: 'bridge-mapping', hint: 1 });
    for (let attempt = 1; attempt <= 3; attempt++) {
      const before = ada.messages.length;
      ada.send({ type: 'check', step: 'bridge-mapping' });
      await ada.waitForMessage((m): m is Of<'step'> => ada.messages.indexOf(m) >= before && m.type === 'step', `the answer to Check ${attempt}`);
    }
    const view = await feed.until('Ada', (v) => v.attention.length === 2, 'two attention reasons');
    assert.equal(view.stepId, 'bridge-mapping');
    assert.equal(view.status, 'failing');
    assert.match(view.message!, /ovs-share-same-gw-bridge is not Available yet/);
    assert.match(view.attention[0]!, /min on step 2, estimated 6 min/);
    assert.match(view.attention[1]!, /^Check failed 3 times in a row on the same check: The NodeNetworkConfigurationPolicy/);
    feed.close();
    ada.close();
  });

  it('an unlock lifts a learner\'s gate (or everyone\'s): Solve works on the step, and their pages hear of it', async () => {
    const grace = await onStep(lab, 'Grace', 'namespaces');
    const linus = await onStep(lab, 'Linus', 'overview');
    grace.send({ type: 'solve', step: 'namespaces' });
    assert.match((await grace.waitForMessage(is('error'), 'the refusal')).message, /step "namespaces" unlocks when step "bridge-mapping" passes/);
    assert.deepEqual((await lab.action('unlock', { learner: 'Grace', step: 'namespaces' })).body, { unlocked: ['overview', 'bridge-mapping'] });
    await grace.waitForMessage(is('progress', (m) => m.unlocked.includes('bridge-mapping')), 'the lifted gate');
    const errors = grace.messages.filter((m) => m.type === 'error').length;
    grace.send({ type: 'solve', step: 'namespaces' });
    await grace.waitForOutput(/oc apply -f namespaces\.yaml/);
    assert.equal(grace.messages.filter((m) => m.type === 'error').length, errors, 'Solve is not refused now');
    assert.ok(!linus.messages.some(is('progress', (m) => m.unlocked.length > 0)), 'one learner\'s unlock is theirs alone');
    await lab.action('unlock', { step: 'network-attachment' });
    await linus.waitForMessage(is('progress', (m) => m.unlocked.includes('namespaces')), 'everyone\'s unlock');
    grace.close();
    linus.close();
  });

  it('a raised hand shows on the console until the instructor answers it', async () => {
    const feed = await lab.feed();
    const margaret = await onStep(lab, 'Margaret', 'overview');
    margaret.send({ type: 'raise-hand', message: 'Which VLAN?' });
    const raised = await feed.until('Margaret', (v) => v.hand !== undefined, 'a raised hand');
    assert.equal(raised.hand!.message, 'Which VLAN?');
    assert.equal((await lab.action('answer', { learner: 'Margaret', message: 'VLAN 123' })).status, 200);
    await margaret.waitForMessage(is('workshop', (m) => m.workshop.answer === 'VLAN 123' && m.workshop.hand === undefined), 'the answer');
    await feed.until('Margaret', (v) => v.hand === undefined, 'the hand lowered');
    assert.deepEqual(await lab.action('answer', { learner: 'Margaret' }), { status: 409, body: { error: 'Margaret has no hand raised' } });
    feed.close();
    margaret.close();
  });

  it('exports every learner × step, and the log as xAPI statements with stable ids', async () => {
    const csv = await (await lab.api('/instructor/api/export.csv')).text();
    const lines = csv.trimEnd().split('\r\n');
    assert.equal(lines[0], 'learner,stepNumber,step,title,passed,firstPassAt,secondsToFirstPass,attempts,hints,solves,secondsOnStep');
    assert.equal(lines.length, 1 + 4 * 9, 'four learners, nine steps each');
    const ada = lines.find((l) => l.startsWith('Ada,2,bridge-mapping,'))!.split(',');
    assert.equal(ada[4], 'false');
    assert.equal(ada[7], '3', 'three Check attempts');
    assert.equal(ada[8], '1', 'one hint opened');
    assert.ok(Number(ada[10]) > 0, 'time on the step');
    const overview = lines.find((l) => l.startsWith('Linus,1,overview,'))!.split(',');
    assert.equal(overview[4], 'true');
    assert.match(overview[5]!, /^\d{4}-\d\d-\d\dT/);
    const json = (await (await lab.api('/instructor/api/export.json')).json()) as { learners: { name: string; steps: { step: string; solves: number }[] }[] };
    assert.deepEqual(json.learners.map((l) => l.name), ['Ada', 'Grace', 'Linus', 'Margaret']);
    assert.equal(json.learners[1]!.steps.find((s) => s.step === 'namespaces')!.solves, 1);

    const statements = (await (await lab.api('/instructor/api/statements.json')).json()) as { id: string; actor: { name: string }; verb: { id: string; display: { en: string } }; object: { id: string }; result?: { success?: boolean; extensions?: Record<string, unknown> }; timestamp: string }[];
    const verbs = new Set(statements.map((s) => s.verb.display.en));
    for (const verb of ['joined', 'viewed', 'attempted', 'failed', 'passed', 'solved', 'unlocked', 'raised-hand', 'answered-hand']) assert.ok(verbs.has(verb), verb);
    const failed = statements.find((s) => s.verb.display.en === 'failed')!;
    assert.equal(failed.verb.id, 'http://adlnet.gov/expapi/verbs/failed');
    assert.equal(failed.actor.name, 'Ada');
    assert.match(failed.object.id, new RegExp(`/lessons/${LESSON_ID}/bridge-mapping/#check-1$`));
    assert.equal(failed.result!.success, false);
    assert.ok(failed.result!.extensions!['https://labpath.dev/xapi/assertion']);
    assert.equal(new Set(statements.map((s) => s.id)).size, statements.length, 'each statement has an id of its own');
    const again = (await (await lab.api('/instructor/api/statements.json')).json()) as { id: string }[];
    assert.deepEqual(again.slice(0, statements.length).map((s) => s.id), statements.map((s) => s.id));
  });

  it('a restart keeps every seat, the log and the links', async () => {
    const before = (await (await lab.api('/instructor/api/state')).json()) as { learners: { name: string; passed: number; hints: number; solves: number }[] };
    const csv = await (await lab.api('/instructor/api/export.csv')).text();
    const { joinPath, consolePath } = lab;
    await lab.server.close();
    lab = await startWorkshop({ dataDir, workshop: { attentionFactor: 0.001 } });
    assert.equal(lab.joinPath, joinPath);
    assert.equal(lab.consolePath, consolePath);
    const after = (await (await lab.api('/instructor/api/state')).json()) as typeof before;
    const summary = (state: typeof before) => state.learners.map((l) => [l.name, l.passed, l.hints, l.solves]);
    assert.deepEqual(summary(after), summary(before));
    // Time on step may only grow; everything else is as it was.
    const counts = (text: string) => text.split('\r\n').map((l) => l.split(',').slice(0, 10).join(','));
    assert.deepEqual(counts(await (await lab.api('/instructor/api/export.csv')).text()), counts(csv));
  });
});

describe('time', () => {
  it('when the workshop ends the terminal stops taking input and joining is closed; more time opens both again', async () => {
    const lab = await startWorkshop({ workshop: { endsAt: Date.now() + 4000 } });
    try {
      const page = await onStep(lab, 'Ada', 'overview');
      const ready = page.messages.find(is('ready'))!;
      assert.ok(ready.workshop!.endsAt! > Date.now(), 'the page knows the end, for its countdown');
      await page.waitForMessage(is('workshop', (m) => m.workshop.ended), 'the end', 10_000);
      page.type('echo still-$((40+2))\r');
      page.send({ type: 'check', step: 'overview' });
      assert.match((await page.waitForMessage(is('error'), 'the refusal')).message, /The workshop has ended/);
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.doesNotMatch(page.output, /still-42/, 'what was typed did not reach the shell');
      const late = await lab.join('Latecomer');
      assert.equal(late.status, 410);
      assert.match(late.html, /This workshop has ended/);
      assert.equal((await lab.action('extend', { minutes: 5 })).status, 200);
      await page.waitForMessage(is('workshop', (m) => !m.workshop.ended && m.workshop.endsAt! > Date.now() + 4 * 60_000), 'more time');
      page.type('echo again-$((40+2))\r');
      await page.waitForOutput(/again-42/);
      page.close();
    } finally {
      await lab.server.close();
    }
  });
});

describe('the events webhook', () => {
  it('posts every event as an xAPI statement, in order, retrying while the endpoint fails', async () => {
    const received: { id: string; verb: { display: { en: string } } }[] = [];
    let requests = 0;
    const endpoint = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        requests++;
        // The first two requests fail: the lab must try again, and lose nothing.
        if (requests <= 2) return res.writeHead(503).end();
        assert.equal(req.headers['x-experience-api-version'], '1.0.3');
        received.push(...(JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof received));
        res.writeHead(200).end('[]');
      });
    });
    await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
    const lab = await startWorkshop({ workshop: { eventsWebhook: `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/xapi/statements` } });
    try {
      const page = await onStep(lab, 'Ada', 'overview');
      page.send({ type: 'raise-hand', message: 'hello' });
      const statements = async () => (await (await lab.api('/instructor/api/statements.json')).json()) as { id: string }[];
      await waitFor(async () => received.length > 0 && received.length === (await statements()).length, 'every statement delivered', 20_000);
      assert.deepEqual(received.map((s) => s.id), (await statements()).map((s) => s.id), 'in order, none twice');
      assert.ok(requests >= 3);
      assert.deepEqual(received.map((s) => s.verb.display.en).slice(0, 3), ['joined', 'viewed', 'passed']);
      page.close();
    } finally {
      await lab.server.close();
      endpoint.close();
    }
  });
});

async function waitFor(done: () => Promise<boolean>, what: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > until) throw new Error(`waited ${ms} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
