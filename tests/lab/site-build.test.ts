/** labpath serve builds the site only when it is missing or older than its sources. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { siteIsStale } from '../../lab-server/lab/site-build.ts';
import { tempDir } from '../helpers/temp-dir.ts';

describe('siteIsStale', () => {
  it('is stale without a build, fresh after one, stale again when a lesson changes', async () => {
    const root = tempDir('site');
    const dist = join(root, 'dist');
    await mkdir(join(root, 'content', 'lessons', 'a', 'steps'), { recursive: true });
    const step = join(root, 'content', 'lessons', 'a', 'steps', '01-x.mdx');
    await writeFile(step, 'one');
    assert.equal(await siteIsStale(root, dist), true, 'no dist/index.html');
    await mkdir(dist);
    await writeFile(join(dist, 'index.html'), '<!doctype html>');
    const past = new Date(Date.now() - 60_000);
    await utimes(step, past, past);
    await utimes(join(root, 'content', 'lessons', 'a', 'steps'), past, past);
    await utimes(join(root, 'content', 'lessons', 'a'), past, past);
    await utimes(join(root, 'content', 'lessons'), past, past);
    await utimes(join(root, 'content'), past, past);
    assert.equal(await siteIsStale(root, dist), false);
    const future = new Date(Date.now() + 60_000);
    await writeFile(step, 'two');
    await utimes(step, future, future);
    assert.equal(await siteIsStale(root, dist), true, 'a step changed after the build');
  });
});
