/** virtctl (console, ssh through the console, start/stop/restart) and oc against the sandbox. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import WebSocket from 'ws';
import { getPath } from '../../lab-server/k8s/object.ts';
import { startSandbox, waitFor, type TestSandbox } from '../helpers/sandbox.ts';
import { CLI, LESSON_DIR } from '../helpers/paths.ts';
import { tempDir } from '../helpers/temp-dir.ts';

let sandbox: TestSandbox;
let work: string;
const manifest = (name: string) => join(LESSON_DIR, 'manifests', name);

function labpath(args: string[], input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, KUBECONFIG: sandbox.kubeconfig } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

const vmPhase = (name: string) => getPath(sandbox.handle.cluster.store.get('kubevirt.io/virtualmachines', 'data-consumer', name), ['status', 'printableStatus']);

before(async () => {
  sandbox = await startSandbox();
  work = tempDir('virtctl');
  const noPsql = join(work, 'vm-no-psql.yaml');
  await writeFile(noPsql, (await readFile(manifest('vm-workload.yaml'), 'utf8')).replace('name: vm-workload', 'name: vm-bare').replace(/\n\s+packages:\n\s+- postgresql/, '').replace('192.168.200.20/24', '192.168.200.21/24'));
  for (const args of [
    ['apply', '-f', manifest('nncp-bridge-mapping.yaml'), '-f', manifest('namespaces.yaml')],
    ['apply', '-f', manifest('nad-data-consumer.yaml'), '-f', manifest('vm-workload.yaml'), '-f', noPsql],
    ['wait', 'nncp/ovs-share-same-gw-bridge', '--for=condition=Available', '--timeout=20s'],
    ['wait', '-n', 'data-consumer', 'vm/vm-workload', 'vm/vm-bare', '--for=condition=Ready', '--timeout=30s'],
  ]) {
    const r = await sandbox.kubectl(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  }
});
after(() => sandbox?.close());

describe('the VM console', () => {
  it('shows a login prompt and logs in with the cloud-init password', async () => {
    const url = `${sandbox.host.url.replace('https', 'wss')}/apis/subresources.kubevirt.io/v1/namespaces/data-consumer/virtualmachineinstances/vm-workload/console`;
    const ws = new WebSocket(url, ['plain.kubevirt.io'], { headers: { Authorization: `Bearer ${sandbox.handle.token}` }, ca: sandbox.host.certificates.caCert });
    let screen = '';
    ws.on('message', (d: Buffer) => (screen += d.toString()));
    await new Promise((r) => ws.on('open', r));
    const until = (pattern: RegExp) => waitFor(`${pattern} on the console`, () => pattern.test(screen), 5000);
    await until(/vm-workload login: $/);
    assert.match(screen, /Fedora Linux 40 \(Cloud Edition\)\r\nKernel/);
    ws.send('fedora\r');
    await until(/Password: $/);
    ws.send('fedora\r');
    await until(/\[fedora@vm-workload ~\]\$ $/);
    ws.send('exit\r');
    await until(/vm-workload login: $/);
    ws.close();
  });
});

describe('virtctl', () => {
  it('ssh runs a command in the guest: psql lists the turtles', async () => {
    const r = await labpath(['virtctl', 'ssh', 'fedora@vm/vm-workload', '-n', 'data-consumer', '--command', "PGPASSWORD=cheese psql -h 192.168.200.1 -U splinter -d turtles -c 'SELECT name FROM turtles'"], 'fedora\n');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ {5}name\n-{14}\n Leonardo\n Donatello\n Michelangelo\n Raphael\n\(4 rows\)\n/);
  });

  it('a guest without the postgresql package has no psql', async () => {
    const r = await labpath(['virtctl', 'ssh', 'fedora@vm/vm-bare', '-n', 'data-consumer', '--command', 'psql -h 192.168.200.1'], 'fedora\n');
    assert.equal(r.code, 127);
    assert.match(r.stdout, /bash: psql: command not found/);
  });

  it('ssh with a wrong password is denied', async () => {
    const r = await labpath(['virtctl', 'ssh', 'fedora@vm/vm-workload', '-n', 'data-consumer', '--command', 'hostname'], 'nope\n');
    assert.equal(r.code, 255);
    assert.match(r.stderr, /Permission denied/);
  });

  it('stop, start and restart move the VM', async () => {
    assert.match((await labpath(['virtctl', 'stop', 'vm-bare', '-n', 'data-consumer'])).stdout, /VM vm-bare was scheduled to stop/);
    await waitFor('vm-bare to stop', () => vmPhase('vm-bare') === 'Stopped');
    const again = await labpath(['virtctl', 'stop', 'vm-bare', '-n', 'data-consumer']);
    assert.match(again.stderr, /VM is not running/);
    assert.match((await labpath(['virtctl', 'start', 'vm-bare', '-n', 'data-consumer'])).stdout, /scheduled to start/);
    await waitFor('vm-bare to run', () => vmPhase('vm-bare') === 'Running', 30_000);
    const before = sandbox.handle.cluster.store.get('kubevirt.io/virtualmachineinstances', 'data-consumer', 'vm-bare')!.metadata.uid;
    assert.equal((await labpath(['virtctl', 'restart', 'vm-bare', '-n', 'data-consumer'])).code, 0);
    await waitFor('a new instance', () => {
      const vmi = sandbox.handle.cluster.store.get('kubevirt.io/virtualmachineinstances', 'data-consumer', 'vm-bare');
      return vmi !== undefined && vmi.metadata.uid !== before && getPath(vmi, ['status', 'phase']) === 'Running';
    }, 30_000);
  });
});

describe('oc', () => {
  it('whoami, new-project, project, and kubectl for the rest', async () => {
    assert.equal((await labpath(['oc', 'whoami'])).stdout, 'kube:admin\n');
    const created = await labpath(['oc', 'new-project', 'shell-tests']);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^Now using project "shell-tests" on server "https:\/\/127\.0\.0\.1:\d+"\./);
    assert.match((await labpath(['oc', 'project'])).stdout, /^Using project "shell-tests"/);
    assert.match((await labpath(['oc', 'project', 'nope'])).stderr, /A project named "nope" does not exist/);
    await labpath(['oc', 'project', 'data-consumer']);
    assert.match((await labpath(['oc', 'get', 'vm'])).stdout, /vm-workload/);
  });
});
