/**
 * A workshop as its learners and its instructor meet it over HTTP and
 * WebSockets: joining by name (and who may not), seats, the console's
 * secret, the live feed, gates lifted, hands, time running out, the log's
 * exports and statements, the webhook, and a restart that keeps it all.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import type { ServerMessage } from '../../lab-server/lab/protocol.ts';
import { LESSON_ID } from '../helpers/paths.ts';
import { startWorkshop, type TestWorkshop } from '../helpers/workshop.ts';

type Of<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;
const is = <T extends ServerMessage['type']>(type: T) => (m: ServerMessage): m is Of<T> => m.type === type;

let lab: TestWorkshop;
before(async () => {
  lab = await startWorkshop({ workshop: { seats: 3 } });
});
after(() => lab?.server.close());

describe('joining', () => {
  it('the join link shows a form with the code filled in; without a seat every page leads there and no shell starts', async () => {
    const form = await fetch(`${lab.server.url}${lab.joinPath}`);
    assert.equal(form.status, 200);
    const html = await form.text();
    assert.match(html, /<h1>Join Networking 101<\/h1>/);
    assert.ok(html.includes(`value="${lab.code}"`), 'the code from the link is in the form');
    for (const path of ['/', `/lessons/${LESSON_ID}/overview/`]) {
      const res = await fetch(`${lab.server.url}${path}`, { redirect: 'manual' });
      assert.equal(res.status, 303, path);
      assert.equal(res.headers.get('location'), '/join');
      assert.equal(res.headers.get('set-cookie'), null, 'no session is handed out before joining');
    }
    const api = await fetch(`${lab.server.url}/lab/api/lessons/${LESSON_ID}`);
    assert.equal(api.status, 401);
  });

  it('checks the name and the code, and says what is wrong', async () => {
    const cases: [string, number, RegExp][] = [
      ['', 400, /Type the name the instructor will see/],
      ['x'.repeat(41), 400, /at most 40 characters/],
      ['<b>bold</b>', 400, /starts with a letter or digit and holds letters, digits, spaces/],
    ];
    for (const [name, status, message] of cases) {
      const reply = await lab.join(name);
      assert.equal(reply.status, status, name);
      assert.match(reply.html, message);
      assert.equal(reply.cookie, undefined);
    }
    const wrong = await fetch(`${lab.server.url}/join`, { method: 'POST', body: new URLSearchParams({ code: 'AAAAA-AAAAA', name: 'Eve' }), redirect: 'manual' });
    assert.equal(wrong.status, 403);
    assert.match(await wrong.text(), /That join code is not this workshop&#39;s/);
  });

  it('takes a learner in by name, lands them on the lesson, and gives a taken name back only with its rejoin code', async () => {
    const ada = await lab.join('  Ada   Lovelace ');
    assert.equal(ada.status, 303);
    assert.equal(ada.location, `/lessons/${LESSON_ID}/overview/`);
    assert.match(ada.cookie!, /^labpath_session=[\w-]{32}$/);
    const page = await ada.connect();
    const ready = await page.waitForMessage(is('ready'), 'ready');
    assert.equal(ready.workshop?.name, 'Ada Lovelace');
    assert.equal(ready.workshop?.workshop, 'Networking 101');
    const rejoinCode = ready.workshop!.rejoinCode;
    assert.match(rejoinCode, /^[A-Z2-9]{4}-[A-Z2-9]{4}$/);

    const taken = await lab.join('ada lovelace');
    assert.equal(taken.status, 409);
    assert.match(taken.html, /Someone has already joined as &#34;Ada Lovelace&#34;/);
    assert.match(taken.html, /name="rejoin"/, 'the form asks for the rejoin code');
    const guessed = await lab.join('Ada Lovelace', 'AAAA-AAAA');
    assert.equal(guessed.status, 403);

    const closed = new Promise<number>((resolve) => page.ws.once('close', (code) => resolve(code)));
    const back = await lab.join('Ada Lovelace', rejoinCode.toLowerCase().replace('-', ''));
    assert.equal(back.status, 303, 'the code may be typed in any case, without its dash');
    assert.equal(await closed, 4003, 'the other browser\'s page is closed for good');
    const again = await back.connect();
    assert.equal((await again.waitForMessage(is('ready'), 'ready')).workshop?.rejoinCode, rejoinCode);
    again.close();
    const old = await fetch(`${lab.server.url}/lessons/${LESSON_ID}/overview/`, { headers: { cookie: ada.cookie! }, redirect: 'manual' });
    assert.equal(old.status, 303, 'the earlier cookie no longer opens the seat');
  });

  it('a full workshop says so; the instructor can add seats, never fewer than are taken', async () => {
    assert.equal((await lab.join('Grace Hopper')).status, 303);
    assert.equal((await lab.join('Linus')).status, 303);
    const full = await lab.join('Margaret');
    assert.equal(full.status, 503);
    assert.match(full.html, /This workshop is full: all 3 seats are taken/);
    assert.deepEqual(await lab.action('seats', { seats: 2 }), { status: 409, body: { error: '3 learners already hold seats, so the workshop cannot have fewer than 3' } });
    assert.equal((await lab.action('seats', { seats: 4 })).status, 200);
    assert.equal((await lab.join('Margaret')).status, 303);
    assert.equal((await lab.action('seats', { seats: 20 })).status, 200);
  });
});

describe('the console\'s secret', () => {
  it('the console and its API answer only to the instructor secret: as a bearer token, or the cookie its link sets', async () => {
    const url = lab.server.url;
    const learner = await lab.join('Mallory');
    for (const headers of [{}, { authorization: 'Bearer not-the-secret' }, { cookie: learner.cookie! }] as Record<string, string>[]) {
      assert.equal((await fetch(`${url}/instructor/api/state`, { headers })).status, 401);
      assert.equal((await fetch(`${url}/instructor/`, { headers })).status, 401);
    }
    const wrongLink = await fetch(`${url}/instructor?key=nope`, { redirect: 'manual' });
    assert.equal(wrongLink.status, 401);
    const link = await fetch(`${url}${lab.consolePath}`, { redirect: 'manual' });
    assert.equal(link.status, 303);
    assert.equal(link.headers.get('location'), '/instructor/');
    const setCookie = link.headers.get('set-cookie')!;
    assert.match(setCookie, /^labpath_instructor=[\w-]+; Path=\/instructor; HttpOnly; SameSite=Strict/);
    assert.ok(!setCookie.includes(lab.secret), 'the cookie holds a MAC, not the secret');
    const cookie = setCookie.split(';')[0]!;
    assert.equal((await fetch(`${url}/instructor/api/state`, { headers: { cookie } })).status, 200);
    const page = await fetch(`${url}/instructor/`, { headers: { cookie } });
    assert.match(await page.text(), /data-console/);
  });

  it('refuses actions that are not JSON, from another site, unknown, or with a bad body, each with a sentence', async () => {
    const url = lab.server.url;
    const post = (name: string, body: string, headers: Record<string, string>) => fetch(`${url}/instructor/api/${name}`, { method: 'POST', body, headers: { authorization: `Bearer ${lab.secret}`, ...headers } });
    const form = await post('broadcast', 'message=hi', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(form.status, 415);
    const foreign = await post('broadcast', '{"message":"hi"}', { 'content-type': 'application/json', origin: 'https://evil.example' });
    assert.equal(foreign.status, 403);
    assert.deepEqual(await lab.action('explode', {}), { status: 404, body: { error: 'no action "explode"; actions: seats, extend, broadcast, unlock, answer, reset' } });
    assert.deepEqual(await lab.action('extend', { minutes: 0 }), { status: 400, body: { error: 'bad body for extend at minutes: Too small: expected number to be >=1' } });
    const nobody = await lab.action('unlock', { learner: 'Nobody', step: 'namespaces' });
    assert.equal(nobody.status, 404);
    assert.match(String(nobody.body.error), /nobody has joined as "Nobody"; learners: Ada Lovelace, Grace Hopper/);
    assert.match(String((await lab.action('unlock', { step: 'no-such-step' })).body.error), /has no step "no-such-step"; its steps: overview, bridge-mapping/);
  });

  it('the console\'s WebSockets refuse a learner and a foreign page', async () => {
    const { default: WebSocket } = await import('ws');
    const learner = await lab.join('Trudy');
    const attempt = (path: string, headers: Record<string, string>) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`${lab.server.url.replace('http', 'ws')}${path}`, { headers });
        ws.once('unexpected-response', (_req, res: IncomingMessage) => resolve(res.statusCode!));
        ws.once('open', () => {
          ws.close();
          resolve(101);
        });
      });
    for (const path of ['/instructor/ws', '/instructor/ws/watch?learner=Trudy']) {
      assert.equal(await attempt(path, { cookie: learner.cookie!, origin: lab.server.url }), 401, path);
      assert.equal(await attempt(path, { authorization: `Bearer ${lab.secret}`, origin: 'https://evil.example' }), 403, path);
      assert.equal(await attempt(path, { authorization: `Bearer ${lab.secret}`, origin: lab.server.url }), 101, path);
    }
  });

  it('a learner\'s page, messages and shell never see the instructor secret', async () => {
    const learner = await lab.join('Oscar');
    const page = await (await fetch(`${lab.server.url}${learner.location}`, { headers: { cookie: learner.cookie! } })).text();
    assert.ok(!page.includes(lab.secret));
    const socket = await learner.connect();
    socket.type('env; cat /proc/*/environ /proc/*/cmdline 2>/dev/null | tr "\\0" "\\n"; echo done-$((2*3))\r');
    const output = await socket.waitForOutput(/done-6/);
    assert.ok(!output.includes(lab.secret), 'not in the shell\'s environment, nor any process it can see');
    assert.ok(!JSON.stringify(socket.messages).includes(lab.secret));
    socket.close();
  });
});
