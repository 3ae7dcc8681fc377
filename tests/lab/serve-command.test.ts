/** `labpath serve` as a process: killed with SIGKILL mid-lesson, restarted, the learner carries on. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newLearner } from '../helpers/lab.ts';
import { startServeCommand } from '../helpers/sandbox-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

describe('labpath serve', () => {
  it('loses no progress, no cluster object and no terminal history to kill -9', async () => {
    const data = tempDir('serve');
    const first = await startServeCommand(['--port', '0', '--data', data]);
    const learner = await newLearner(first.url);
    const page = await learner.connect();
    page.send({ type: 'watch', step: 'bridge-mapping' });
    page.send({ type: 'solve', step: 'bridge-mapping' });
    await page.waitForStep('bridge-mapping', 'passed');
    page.type('echo before-the-crash-$((40+2))\r');
    await page.waitForOutput(/before-the-crash-42\r\n/);
    // The scrollback is saved within a second of the output.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    first.child.kill('SIGKILL');
    await first.exited;

    const port = new URL(first.url).port;
    const second = await startServeCommand(['--port', port, '--data', data]);
    try {
      const again = await (await newLearner(second.url, learner.cookie)).connect();
      const ready = await again.waitForMessage((m): m is Extract<typeof m, { type: 'ready' }> => m.type === 'ready', 'ready');
      assert.deepEqual(ready.progress, { 'bridge-mapping': 'passed' });
      await again.waitForOutput(/before-the-crash-42[\s\S]*the lab restarted/);
      again.type("oc get nncp -o name; history | grep -c '[e]cho before-the-crash'\r");
      await again.waitForOutput(/nodenetworkconfigurationpolicy\.nmstate\.io\/ovs-share-same-gw-bridge\r\n1\r\n/);
      again.close();
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });
});
