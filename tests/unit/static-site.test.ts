/** The built site's files as the lab serves them: hashed assets held in memory once read, byte for byte. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serveStatic } from '../../lab-server/lab/static-site.ts';
import { tempDir } from '../helpers/temp-dir.ts';

describe('the static site', () => {
  let root: string;
  let server: Server;
  let url: string;
  const asset = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
  before(async () => {
    root = tempDir('static');
    await mkdir(join(root, '_astro'));
    await writeFile(join(root, '_astro', 'lab-client.abc123.js'), asset);
    server = createServer((req, res) => void serveStatic(root, req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(async () => {
    server.close();
  });

  it('serves a hashed asset whole, again from memory, and HEAD without a body', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${url}/_astro/lab-client.abc123.js`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.equal(res.headers.get('content-type'), 'text/javascript; charset=utf-8');
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), asset);
    }
    const head = await fetch(`${url}/_astro/lab-client.abc123.js`, { method: 'HEAD' });
    assert.equal(head.headers.get('content-length'), String(asset.length));
    assert.equal((await head.arrayBuffer()).byteLength, 0);
  });

  it('answers 404 for an asset that is not there', async () => {
    const res = await fetch(`${url}/_astro/missing.js`);
    assert.equal(res.status, 404);
    await res.arrayBuffer();
  });
});
