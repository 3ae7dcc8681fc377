/** pods/exec over WebSocket and pods/log, with kubectl and a raw v4 client. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import WebSocket from 'ws';
import { kubectlBinaries, startSandbox, type TestSandbox } from '../helpers/sandbox.ts';

// Every test below runs once per kubectl binary (the dispatcher, 1.30, 1.33), each against its own sandbox.
for (const { name: kubectlName, path: kubectlPath } of kubectlBinaries()) describe(`with kubectl ${kubectlName}`, () => {
let sandbox: TestSandbox;
before(async () => {
  sandbox = await startSandbox({ kubectl: kubectlPath });
  // Exec needs a running container, as on a real cluster: wait for the pod to be Ready.
  for (const args of [['create', 'namespace', 'shop'], ['run', 'web', '-n', 'shop', '--image=nginx:1.27', '--env=GREETING=hello'], ['wait', '-n', 'shop', 'pod/web', '--for=condition=Ready', '--timeout=20s']]) {
    const r = await sandbox.kubectl(args);
    assert.equal(r.code, 0, r.stderr);
  }
});
after(() => sandbox?.close());

describe('exec', () => {
  it('runs a command and returns its output', async () => {
    const r = await sandbox.kubectl(['exec', '-n', 'shop', 'web', '--', 'hostname']);
    assert.deepEqual([r.code, r.stdout], [0, 'web\n']);
  });

  it('passes on the exit code and stderr', async () => {
    const r = await sandbox.kubectl(['exec', '-n', 'shop', 'web', '--', 'sh', '-c', 'echo $GREETING; exit 3']);
    assert.equal(r.code, 3);
    assert.equal(r.stdout, 'hello\n');
    assert.match(r.stderr, /command terminated with exit code 3/);
    // The runtime execs the program itself: a missing one is an error from the server, not a shell's 127.
    const missing = await sandbox.kubectl(['exec', '-n', 'shop', 'web', '--', 'frobnicate']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "[0-9a-f]{64}": OCI runtime exec failed: exec failed: unable to start container process: exec: "frobnicate": executable file not found in \$PATH: unknown/);
    const inShell = await sandbox.kubectl(['exec', '-n', 'shop', 'web', '--', 'sh', '-c', 'frobnicate']);
    assert.equal(inShell.code, 127);
    assert.match(inShell.stderr, /sh: frobnicate: command not found/);
  });

  it('reads standard input until it closes (v5 half-close)', async () => {
    const child = spawn(kubectlPath, ['exec', '-i', '-n', 'shop', 'web', '--', 'sh'], { env: { ...process.env, KUBECONFIG: sandbox.kubeconfig } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stdin.end('echo one\nhostname\n');
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(code, 0);
    assert.equal(out, 'one\nweb\n');
  });

  it('explains a wrong pod or container', async () => {
    assert.match((await sandbox.kubectl(['exec', '-n', 'shop', 'nope', '--', 'hostname'])).stderr, /pods "nope" not found/);
    assert.match((await sandbox.kubectl(['exec', '-n', 'shop', 'web', '-c', 'zz', '--', 'hostname'])).stderr, /container zz is not valid for pod web/);
  });

  it('speaks v4 with a TTY: prompt, echo, resize, exit code on channel 3', async () => {
    const token = sandbox.handle.token;
    const url = `${sandbox.host.url.replace('https', 'wss')}/api/v1/namespaces/shop/pods/web/exec?command=sh&stdin=true&stdout=true&tty=true`;
    const ws = new WebSocket(url, ['v4.channel.k8s.io'], { headers: { Authorization: `Bearer ${token}` }, ca: sandbox.host.certificates.caCert });
    let stdout = '';
    let status = '';
    ws.on('message', (data: Buffer) => {
      if (data[0] === 1) stdout += data.subarray(1).toString();
      if (data[0] === 3) status = data.subarray(1).toString();
    });
    await new Promise((resolve) => ws.on('open', resolve));
    assert.equal(ws.protocol, 'v4.channel.k8s.io');
    const send = (channel: number, text: string) => ws.send(Buffer.concat([Buffer.from([channel]), Buffer.from(text)]));
    send(4, '{"width":120,"height":40}');
    send(0, 'echo $COLUMNS\r');
    // Type the next line once the answer is on screen, as a person would.
    await new Promise<void>((resolve) => {
      const check = () => (stdout.includes('120\r\n') ? resolve() : setTimeout(check, 20));
      check();
    });
    send(0, 'exit 4\r');
    const code = await new Promise((resolve) => ws.on('close', resolve));
    assert.equal(code, 1000);
    assert.match(stdout, /\[root@web \/\]# echo \$COLUMNS\r\n120\r\n/);
    const parsed = JSON.parse(status) as { status: string; reason: string; details: { causes: { reason: string; message: string }[] } };
    assert.deepEqual([parsed.status, parsed.reason, parsed.details.causes[0]], ['Failure', 'NonZeroExitCode', { reason: 'ExitCode', message: '4' }]);
  });

  it('refuses an upgrade without a valid token', async () => {
    const url = `${sandbox.host.url.replace('https', 'wss')}/api/v1/namespaces/shop/pods/web/exec?command=hostname&stdout=true`;
    const ws = new WebSocket(url, ['v5.channel.k8s.io'], { headers: { Authorization: 'Bearer wrong' }, ca: sandbox.host.certificates.caCert });
    const status = await new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    assert.equal(status, 401);
  });
});

describe('ephemeral containers (kubectl debug)', () => {
  it('are added through pods/ephemeralcontainers, start, take exec, and cannot be changed or removed', async () => {
    const debug = await sandbox.kubectl(['debug', '-n', 'shop', 'web', '--image=quay.io/openshift/origin-network-tools:latest', '--container=dbg', '--target=web', '--profile=general', '--', 'sleep', 'infinity']);
    assert.equal(debug.code, 0, debug.stderr);
    const name = await sandbox.debugContainer('shop', 'web');
    assert.equal(name, 'tools');
    const inDebug = await sandbox.kubectl(['exec', '-n', 'shop', 'web', '-c', 'dbg', '--', 'ip', 'route']);
    assert.equal(inDebug.code, 0, inDebug.stderr);
    const spec = JSON.parse((await sandbox.kubectl(['get', 'pod', '-n', 'shop', 'web', '-o', 'json'])).stdout).spec;
    assert.deepEqual(spec.ephemeralContainers.map((c: { name: string; targetContainerName?: string }) => [c.name, c.targetContainerName ?? '']), [['dbg', 'web'], ['tools', '']]);
    const removed = await sandbox.api('PATCH', '/api/v1/namespaces/shop/pods/web/ephemeralcontainers', { contentType: 'application/merge-patch+json', body: JSON.stringify({ spec: { ephemeralContainers: [] } }) });
    assert.equal(removed.status, 422);
    assert.match((removed.body as { message: string }).message, /spec\.ephemeralContainers: Forbidden: existing ephemeral containers "dbg" may not be removed/);
    const badTarget = await sandbox.kubectl(['debug', '-n', 'shop', 'web', '--image=quay.io/openshift/origin-network-tools:latest', '--container=dbg2', '--target=nope', '--profile=general']);
    assert.equal(badTarget.code, 1);
    assert.match(badTarget.stderr, /spec\.ephemeralContainers\[2\]\.targetContainerName: Not found: "nope"/);
    const viaUpdate = await sandbox.kubectl(['patch', 'pod', '-n', 'shop', 'web', '--type=json', '-p', '[{"op":"remove","path":"/spec/ephemeralContainers/0"}]']);
    assert.equal(viaUpdate.code, 1, 'a plain pod update may not touch them either');
    assert.match(viaUpdate.stderr, /pod updates may not change fields/);
  });
});

describe('logs', () => {
  it('shows what the container wrote, tailed and timestamped', async () => {
    sandbox.handle.cluster.logs.append('shop', 'web', 'web', 'starting\nlistening on :80');
    const logs = (await sandbox.kubectl(['logs', '-n', 'shop', 'web'])).stdout;
    assert.match(logs, /^\/docker-entrypoint\.sh: \/docker-entrypoint\.d\/ is not empty, will attempt to perform configuration\n(.*\n)*\/docker-entrypoint\.sh: Configuration complete; ready for start up\n\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \[notice\] 1#1: using the \"epoll\" event method\n/, 'nginx wrote its start-up lines, in its own format');
    assert.match(logs, /\nstarting\nlistening on :80\n$/);
    const tailed = await sandbox.kubectl(['logs', '-n', 'shop', 'web', '--tail=1', '--timestamps']);
    assert.match(tailed.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z listening on :80\n$/);
  });

  it('follows new lines', async () => {
    const follow = sandbox.kubectl(['logs', '-n', 'shop', 'web', '-f', '--tail=0', '--request-timeout=2s']);
    setTimeout(() => sandbox.handle.cluster.logs.append('shop', 'web', 'web', 'GET / 200'), 500);
    assert.match((await follow).stdout, /^GET \/ 200\n/);
  });

  it('explains a missing previous container', async () => {
    const r = await sandbox.kubectl(['logs', '-n', 'shop', 'web', '--previous']);
    assert.match(r.stderr, /previous terminated container "web" in pod "web" not found/);
  });
});
});
