/**
 * Learner folder caps: a loop-mounted image per folder. Needs root and loop
 * devices; skips with the reason elsewhere.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { detectFolderCap, isMountPoint, MIN_FOLDER_BYTES, type FolderCap } from '../../lab-server/confinement/folder-cap.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const detection = await detectFolderCap(MIN_FOLDER_BYTES * 2, process.getuid?.() === 0);
const skip = detection.cap ? false : `folders cannot be capped here: ${detection.reason}`;

describe('a learner folder cap', { skip }, () => {
  let base: string;
  const cap = detection.cap as FolderCap;
  before(async () => {
    base = tempDir('cap-test');
  });
  after(async () => {
    await cap.detach(['fresh', 'earlier', 'too-big'].map((name) => join(base, name))).catch(() => undefined);
  });

  it('makes a sparse image once and mounts it on the folder, again after a detach', async () => {
    const folder = join(base, 'fresh');
    const image = join(base, 'images', 'fresh.ext4');
    assert.equal(await cap.attach(folder, image), undefined);
    assert.ok(isMountPoint(folder));
    assert.equal(statSync(folder).mode & 0o777, 0o700, 'the folder stays the lab\'s');
    const { size, blocks } = statSync(image);
    assert.equal(size, cap.bytes);
    assert.ok(blocks * 512 < size / 2, `the image is sparse (${blocks * 512} of ${size} bytes on disk)`);
    await writeFile(join(folder, 'kept'), 'kept');
    await cap.attach(folder, image);
    await cap.detach([folder]);
    assert.ok(!isMountPoint(folder));
    assert.ok(!existsSync(join(folder, 'kept')), 'the file was in the image, not under it');
    await cap.attach(folder, image);
    assert.equal(readFileSync(join(folder, 'kept'), 'utf8'), 'kept');
  });

  it('moves files that were there before the cap into it, links as links', async () => {
    const folder = join(base, 'earlier');
    mkdirSync(join(folder, 'lesson'), { recursive: true });
    writeFileSync(join(folder, 'lesson', 'notes.txt'), 'mine');
    symlinkSync('/etc/shadow', join(folder, 'lesson', 'link'));
    assert.equal(await cap.attach(folder, join(base, 'images', 'earlier.ext4')), undefined);
    assert.ok(isMountPoint(folder));
    assert.equal(readFileSync(join(folder, 'lesson', 'notes.txt'), 'utf8'), 'mine');
    assert.equal(await readlink(join(folder, 'lesson', 'link')), '/etc/shadow');
    assert.ok(!existsSync(`${folder}.before-cap`));
  });

  it('leaves a folder whose files do not fit uncapped and whole, and says why', async () => {
    const folder = join(base, 'too-big');
    mkdirSync(folder);
    writeFileSync(join(folder, 'big'), Buffer.alloc(cap.bytes + 1048576, 1));
    const warning = await cap.attach(folder, join(base, 'images', 'too-big.ext4'));
    assert.match(warning ?? '', /do not fit in its 32 MiB cap/);
    assert.ok(!isMountPoint(folder));
    assert.equal(statSync(join(folder, 'big')).size, cap.bytes + 1048576);
    assert.ok(!existsSync(join(base, 'images', 'too-big.ext4')), 'the image is gone, so the next start tries again');
  });
});

describe('a lab that is not root', () => {
  it('caps no folder, and says why', async () => {
    const detection = await detectFolderCap(MIN_FOLDER_BYTES, false);
    assert.equal(detection.cap, undefined);
    assert.match(detection.cap ? '' : detection.reason, /only root may/);
  });
});
