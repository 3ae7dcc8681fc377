/**
 * The lab server against a hostile web: rebound Host and Origin, cookie-less
 * page loads, open redirects, its data directory, its headers, its token,
 * TLS, capacity, and a shell that cannot start.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { request } from 'node:https';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { detectConfinement, type ConfinedLauncher } from '../../lab-server/confinement/confinement.ts';
import { startLabServer } from '../../lab-server/lab/lab-server.ts';
import { generateCertificates } from '../../lab-server/sandbox/tls/certificates.ts';
import { LabSocket, newLearner, startLab, withLab, type TestLab } from '../helpers/lab.ts';
import { DIST, LESSON_ID } from '../helpers/paths.ts';
import { labpath } from '../helpers/run.ts';
import { startServeCommand } from '../helpers/sandbox-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const STEP = `/lessons/${LESSON_ID}/overview/`;
let lab: TestLab;
before(async () => {
  lab = await startLab();
});
after(() => lab?.server.close());

const port = () => new URL(lab.server.url).port;

/** The status of a step page asked for with this Host header (fetch will not send a Host of its own choosing). */
function statusWithHost(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    httpRequest(`${lab.server.url}${STEP}`, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    }).on('error', reject).end();
  });
}

describe('Host and Origin', () => {
  it('a page asked for under another host name (DNS rebinding) is refused with 421', async () => {
    assert.equal(await statusWithHost(`evil.example:${port()}`), 421);
    assert.equal(await statusWithHost('evil.example'), 421);
    assert.equal(await statusWithHost(`localhost:${port()}`), 200, 'loopback names on the lab\'s port are the lab');
  });

  it('a WebSocket under another host name, or from another origin over http or https, is refused', async () => {
    const learner = await lab.learner();
    await assert.rejects(LabSocket.open(lab.server.url, learner.cookie, LESSON_ID, { host: `evil.example:${port()}`, origin: `http://evil.example:${port()}` }), /upgrade refused: 421/);
    for (const origin of ['http://evil.example', `https://evil.example:${port()}`, `http://127.0.0.1.evil.example:${port()}`, 'null'])
      await assert.rejects(LabSocket.open(lab.server.url, learner.cookie, LESSON_ID, { origin }), /upgrade refused: 403/, origin);
    const own = await LabSocket.open(lab.server.url, learner.cookie, LESSON_ID, { origin: `http://localhost:${port()}` });
    own.close();
  });
});

describe('sessions', () => {
  it('cookie-less page loads start no process, no folder and no cluster', async () => {
    await withLab({}, async (own) => {
      const children = () => spawnSync('pgrep', ['-P', String(process.pid)], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).length;
      const before = children();
      const pages = await Promise.all(Array.from({ length: 10 }, () => fetch(`${own.server.url}${STEP}`).then(async (r) => (await r.arrayBuffer(), r.headers.get('set-cookie')))));
      assert.ok(pages.every((c) => /^labpath_session=/.test(c ?? '')), 'each gets a session cookie');
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(children(), before, 'no shell started');
      assert.deepEqual(readdirSync(own.dataDir).filter((f) => !f.includes('.sqlite')), [], 'no learner folder made');
      const db = new DatabaseSync(join(own.dataDir, 'lab.sqlite'), { readOnly: true });
      assert.equal((db.prepare('SELECT count(*) AS n FROM learners').get() as { n: number }).n, 0);
      assert.equal((db.prepare('SELECT count(*) AS n FROM lesson_clusters').get() as { n: number }).n, 0);
      db.close();
    });
  });

  it('a warm pool keeps a learner environment ready; page loads do not grow it, a learner who connects takes one', async () => {
    await withLab({ warmShells: 1 }, async (own) => {
      const folders = () => readdirSync(join(own.dataDir, 'learners'));
      const [ready] = folders();
      assert.equal(folders().length, 1, 'one learner environment is ready');
      for (let i = 0; i < 5; i++) await (await fetch(`${own.server.url}${STEP}`)).arrayBuffer();
      assert.equal(folders().length, 1, 'page loads add none');
      const page = await (await own.learner()).connect();
      // Its shell was already at its prompt: the prompt is in what the page is sent first.
      await page.waitForOutput(/lesson[^\n]*\$ $/, 2000);
      page.type('echo mine-$((3*3))\r');
      await page.waitForOutput(/mine-9\r\n/);
      const db = new DatabaseSync(join(own.dataDir, 'lab.sqlite'), { readOnly: true });
      const taken = db.prepare("SELECT folder FROM learners WHERE address != 'warm'").all() as { folder: string }[];
      db.close();
      assert.deepEqual(taken.map((t) => t.folder), [ready], 'the learner took the ready environment');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(folders().length, 2, 'and the pool made another');
      page.close();
    });
  });

  it('session ids appear in no path and no file of the data directory', async () => {
    const learner = await lab.learner();
    const page = await learner.connect();
    page.type('echo here-$((2+3))\r');
    await page.waitForOutput(/here-5\r\n/);
    const id = decodeURIComponent(learner.cookie.split('=')[1]!);
    const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => [join(dir, e.name), ...(e.isDirectory() ? walk(join(dir, e.name)) : [])]);
    const paths = walk(lab.dataDir);
    assert.ok(paths.every((p) => !p.includes(id)), 'no folder or file is named by the session id');
    for (const file of paths.filter((p) => p.endsWith('.sqlite') || p.endsWith('.sqlite-wal'))) assert.ok(!readFileSync(file).includes(id), `${file} does not hold the session id`);
    page.close();
  });

  it('the data directory is private: 0700, its databases 0600', () => {
    assert.equal(statSync(lab.dataDir).mode & 0o777, 0o700);
    for (const file of readdirSync(lab.dataDir).filter((f) => f.includes('.sqlite'))) assert.equal(statSync(join(lab.dataDir, file)).mode & 0o777, 0o600, file);
  });

  it('a full lab says so on the page and on the WebSocket, and takes nobody in', async () => {
    await withLab({ maxLearners: 1 }, async (own) => {
      const first = await (await own.learner()).connect();
      const refused = await fetch(`${own.server.url}${STEP}`);
      assert.equal(refused.status, 503);
      assert.match(await refused.text(), /This lab is full[\s\S]*all 1 places in this lab are taken/);
      first.close();
    });
    await withLab({ maxLearnersPerAddress: 1 }, async (own) => {
      const [a, b] = [await own.learner(), await own.learner()];
      await (await a.connect()).close();
      await assert.rejects(b.connect(), /upgrade refused: 503 Service Unavailable: your address already has 1 learners in this lab/);
    });
  });
});

describe('redirects', () => {
  it('stay on this host, however the path is spelled', async () => {
    for (const path of ['/%2Fevil.example%2F..%2Flessons', '//evil.example/..%2Flessons', '/%5Cevil.example/..%2Flessons']) {
      const res = await fetch(`${lab.server.url}${path}`, { redirect: 'manual' });
      const location = res.headers.get('location');
      if (location === null) continue;
      assert.match(location, /^\/(?![/\\])/, `${path} → ${location}`);
    }
    await withLab({ accessToken: 'redirect-test-token-0123456789' }, async (own) => {
      for (const path of ['//evil.example/', '/%2F%2Fevil.example/', '/\\evil.example/']) {
        const res = await fetch(`${own.server.url}${path}?token=redirect-test-token-0123456789`, { redirect: 'manual' });
        assert.equal(res.status, 303);
        assert.match(res.headers.get('location')!, /^\/(?![/\\])/, `${path} → ${res.headers.get('location')}`);
      }
    });
  });
});

describe('headers', () => {
  it('pages forbid framing, referrers and scripts but their own', async () => {
    const res = await fetch(`${lab.server.url}/lessons/${LESSON_ID}/bridge-mapping/`);
    const html = await res.text();
    const csp = res.headers.get('content-security-policy')!;
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /script-src 'self'( 'sha256-[A-Za-z0-9+/=]+')+/);
    assert.doesNotMatch(csp, /script-src[^;]*unsafe-inline/);
    assert.match(html, /<script type="module">/, 'the page has an inline script its policy allows by hash');
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  });
});

describe('the access token', () => {
  it('is revoked by writing a new one into the token file: old cookies fail, open pages are closed', async () => {
    const dir = tempDir('token');
    const tokenFile = join(dir, 'token');
    await writeFile(tokenFile, 'first-token-0123456789abcdef\n');
    await withLab({ tokenFile }, async (own) => {
      const learner = await newLearner(own.server.url, undefined, 'first-token-0123456789abcdef');
      const page = await learner.connect();
      const closed = new Promise<number>((resolve) => page.ws.once('close', (code) => resolve(code)));
      await writeFile(tokenFile, 'second-token-0123456789abcdef\n');
      assert.equal(await closed, 4001);
      assert.equal((await fetch(`${own.server.url}${STEP}`, { headers: { cookie: learner.cookie } })).status, 401);
      const old = await fetch(`${own.server.url}/?token=first-token-0123456789abcdef`, { redirect: 'manual' });
      assert.equal(old.status, 401);
      const fresh = await fetch(`${own.server.url}/?token=second-token-0123456789abcdef`, { redirect: 'manual' });
      assert.equal(fresh.status, 303);
    });
  });
});

describe('the access token, where output is not a terminal', () => {
  it('is not printed in the ready line, and the lab still takes it', async () => {
    const token = 'not-for-logs-0123456789abcdef';
    const serving = await startServeCommand(['--port', '0', '--data', tempDir('serve-token'), '--token', token]);
    try {
      assert.doesNotMatch(serving.ready, new RegExp(token));
      assert.match(serving.ready, /\?token=… \(the token is not printed where output is not a terminal\)/);
      assert.equal((await fetch(`${serving.url}/?token=${token}`, { redirect: 'manual' })).status, 303);
    } finally {
      serving.child.kill('SIGTERM');
      await serving.exited;
    }
  });
});

describe('connections', () => {
  it('takes at most 256 at once from one address; the next is closed, and the lab still answers', async () => {
    const open = await Promise.all(Array.from({ length: 256 }, () => connected(Number(port()))));
    try {
      const extra = await connected(Number(port()));
      const closed = await new Promise<boolean>((resolve) => {
        extra.once('close', () => resolve(true));
        setTimeout(() => resolve(false), 5000);
      });
      assert.ok(closed, 'the 257th connection from one address is closed');
    } finally {
      for (const socket of open) socket.destroy();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal((await fetch(`${lab.server.url}/`)).status, 200);
  });
});

function connected(to: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(to, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

describe('TLS', () => {
  it('serves HTTPS with Secure cookies and HSTS', async () => {
    const certificates = await generateCertificates();
    await withLab({ tls: { cert: certificates.cert, key: certificates.key } }, async (own) => {
      assert.match(own.server.url, /^https:/);
      const res = await new Promise<{ status: number; headers: Record<string, string | string[] | undefined> }>((resolve, reject) => {
        request(`${own.server.url}${STEP}`, { ca: certificates.caCert }, (r) => {
          r.resume();
          resolve({ status: r.statusCode!, headers: r.headers });
        }).on('error', reject).end();
      });
      assert.equal(res.status, 200);
      assert.match(String(res.headers['set-cookie']), /labpath_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+; Secure/);
      assert.match(String(res.headers['strict-transport-security']), /max-age=/);
    });
  });
});

describe('a shell that cannot start', () => {
  it('is reported to the page with its reason and retried with a growing delay, not in a loop', async () => {
    const real = await detectConfinement();
    if (!real.confined) return;
    const failing: ConfinedLauncher = { ...real, command: () => ['/bin/sh', '-c', 'echo "bwrap: setting up uid map: Permission denied" >&2; exit 1'] };
    await withLab({ launcher: failing }, async (own) => {
      const page = await (await own.learner()).connect();
      await new Promise((resolve) => setTimeout(resolve, 3500));
      const exits = page.messages.filter((m): m is Extract<typeof m, { type: 'terminal-exit' }> => m.type === 'terminal-exit');
      assert.ok(exits.length >= 2 && exits.length <= 3, `${exits.length} starts in 3.5 s`);
      assert.deepEqual(exits.slice(0, 2).map((e) => e.restartInMs), [1000, 2000]);
      assert.match(exits[0]!.reason!, /bwrap: setting up uid map: Permission denied/);
      page.close();
    });
  });
});

describe('where shells cannot be confined', () => {
  it('loopback still serves, and a wider address is refused with what to install', async () => {
    const unconfined = { confined: false as const, reason: 'bubblewrap is not installed (Debian and Ubuntu: apt-get install bubblewrap)' };
    await assert.rejects(
      startLabServer({ port: 0, host: '0.0.0.0', dataDir: tempDir('lab'), siteDir: DIST, lessons: [], accessToken: 'x'.repeat(20), launcher: unconfined }),
      /refusing to listen on 0\.0\.0\.0: learner shells cannot be confined here \(bubblewrap is not installed/,
    );
    await withLab({ launcher: unconfined }, async (own) => {
      const page = await (await own.learner()).connect();
      page.type('echo plain-$((3+4))\r');
      await page.waitForOutput(/plain-7\r\n/);
      page.close();
    });
    const bare = tempDir('nobwrap');
    const cli = await labpath(['serve', '--host', '0.0.0.0', '--port', '0', '--token', 'y'.repeat(20), '--public-url', 'http://lab.test:4321', '--data', join(bare, 'data')], { env: { ...process.env, PATH: bare } });
    assert.equal(cli.code, 1, cli.stderr);
    assert.match(cli.stderr, /refusing to listen on 0\.0\.0\.0: learner shells cannot be confined[\s\S]*bubblewrap is not installed[\s\S]*fix: install bubblewrap/);
  });

  it('--host 0.0.0.0 needs --public-url', async () => {
    const r = await labpath(['serve', '--host', '0.0.0.0', '--port', '0', '--token', 'z'.repeat(20)]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--host 0\.0\.0\.0 needs --public-url/);
  });
});

