/**
 * The sandbox's init on its own: when the lab's end of its terminal is closed
 * (the lab closed it, or was killed as the sandbox started), it ends, and the
 * kernel ends the sandbox with it; a learner's shell never runs on orphaned.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const INIT = fileURLToPath(new URL('../../lab-server/confinement/sandbox-init.py', import.meta.url));

// A terminal pair made by Python's own pty module, the init on its far end, and the near end closed.
const HANG_UP = `
import os, subprocess, sys, time
near, far = os.openpty()
init = subprocess.Popen([sys.executable, sys.argv[1], '--', 'sleep', '600'], stdin=far, stdout=far, stderr=far, start_new_session=True)
os.close(far)
time.sleep(0.5)
os.close(near)
for _ in range(50):
    if init.poll() is not None:
        break
    time.sleep(0.1)
print(init.poll())
if init.poll() is None:
    init.kill()
`;

describe('the sandbox init', () => {
  it('ends when its terminal is hung up, instead of running on without one', () => {
    const code = execFileSync('python3', ['-c', HANG_UP, INIT], { encoding: 'utf8' }).trim();
    assert.equal(code, '129', 'the init exits as a hung-up shell does');
  });
});
