/** The learner's environment: its oc runs kubectl directly, and labpath only for what kubectl lacks. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { prepareLearnerEnvironment } from '../../lab-server/terminal/learner-environment.ts';
import { LESSON_DIR } from '../helpers/paths.ts';
import { run } from '../helpers/run.ts';
import { tempDir } from '../helpers/temp-dir.ts';

describe('the learner environment', () => {
  it('puts oc and virtctl on PATH; oc hands kubectl commands straight to kubectl', async () => {
    const root = tempDir('env');
    await writeFile(join(root, 'kubeconfig'), 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n');
    const env = await prepareLearnerEnvironment({ layout: { folder: root, tools: root }, manifestsDir: join(LESSON_DIR, 'manifests') });
    const shim = await readFile(join(root, 'bin', 'oc'), 'utf8');
    assert.match(shim, /project\|new-project\|whoami/);
    // A fake kubectl shows which way each command went.
    const fake = join(root, 'bin', 'fake-kubectl');
    await writeFile(fake, '#!/bin/sh\necho "kubectl $*"\n', { mode: 0o755 });
    const shell = (command: string) => run('bash', ['-c', command], { cwd: env.cwd, env: { ...env.env, LABPATH_KUBECTL: fake } });
    assert.equal((await shell('oc get pods -n data-adapter')).stdout, 'kubectl get pods -n data-adapter\n');
    const whoami = await shell('oc whoami');
    assert.equal(whoami.stdout, 'kube:admin\n', whoami.stderr);
    assert.match((await shell('ls')).stdout, /nad-data-adapter\.yaml/);
  });
});
