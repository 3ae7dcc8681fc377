/**
 * Programs inside pods, run with kubectl exec, answer through the network
 * model: nc, curl, psql, ping and ip, with real exit codes and timeouts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startSandbox, type TestSandbox } from '../helpers/sandbox.ts';
import { LESSON_DIR } from '../helpers/paths.ts';
import { tempDir } from '../helpers/temp-dir.ts';

let sandbox: TestSandbox;
const manifest = (name: string) => join(LESSON_DIR, 'manifests', name);
/** The adapter's image has no network tools: they run in a debug container in its network namespace. */
let ADAPTER: string[];
const CLIENT = ['exec', '-n', 'data-consumer', 'client', '--'];

before(async () => {
  sandbox = await startSandbox();
  const work = tempDir('programs');
  const client = join(work, 'client.yaml');
  await writeFile(client, `apiVersion: v1
kind: Pod
metadata:
  name: client
  namespace: data-consumer
  annotations:
    k8s.v1.cni.cncf.io/networks: '[{"name": "db-access-net", "ips": ["192.168.200.30/24"]}]'
spec:
  containers:
  - name: tools
    image: quay.io/openshift/origin-network-tools:latest
`);
  for (const args of [
    ['apply', '-f', manifest('nncp-bridge-mapping.yaml'), '-f', manifest('namespaces.yaml')],
    ['apply', '-f', manifest('nad-data-adapter.yaml'), '-f', manifest('nad-data-consumer.yaml'), '-f', manifest('pod-turtle-db-adapter.yaml'), '-f', client],
    ['wait', 'nncp/ovs-share-same-gw-bridge', '--for=condition=Available', '--timeout=20s'],
    ['wait', '-n', 'data-adapter', 'pod/turtle-db-adapter', '--for=condition=Ready', '--timeout=20s'],
    ['wait', '-n', 'data-consumer', 'pod/client', '--for=condition=Ready', '--timeout=20s'],
  ]) {
    const r = await sandbox.kubectl(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  }
  ADAPTER = ['exec', '-n', 'data-adapter', 'turtle-db-adapter', '-c', await sandbox.debugContainer('data-adapter', 'turtle-db-adapter'), '--'];
});
after(() => sandbox?.close());

describe('programs in pods', () => {
  it("the adapter's own container has a shell but no network tools, as its ubi-minimal image", async () => {
    const direct = ['exec', '-n', 'data-adapter', 'turtle-db-adapter', '-c', 'db-adapter', '--'];
    const nc = await sandbox.kubectl([...direct, 'nc', '-z', '192.168.200.1', '5432']);
    assert.equal(nc.code, 1);
    assert.match(nc.stderr, /exec: "nc": executable file not found in \$PATH: unknown/);
    const shell = await sandbox.kubectl([...direct, 'sh', '-c', 'echo $DB_IP; curl http://192.168.200.10:9000/']);
    assert.equal(shell.code, 127);
    assert.equal(shell.stdout, '192.168.200.1\n');
    assert.match(shell.stderr, /sh: curl: command not found/);
  });

  it('nc -z exits 0 when the database is reachable', async () => {
    const r = await sandbox.kubectl([...ADAPTER, 'nc', '-z', '-v', '-w', '1', '192.168.200.1', '5432']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Ncat: Connected to 192\.168\.200\.1:5432\./);
  });

  it('nc is refused on a port nothing listens on', async () => {
    const r = await sandbox.kubectl([...CLIENT, 'nc', '-z', '-v', '-w', '1', '192.168.200.10', '8080']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Ncat: Connection refused\./);
  });

  it('psql lists the turtles, and fails as PostgreSQL does on a wrong password or database', async () => {
    const ok = await sandbox.kubectl([...CLIENT, 'sh', '-c', "PGPASSWORD=cheese psql -h 192.168.200.1 -U splinter -d turtles -c 'SELECT name, weapon FROM turtles ORDER BY id'"]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, '     name     |  weapon\n--------------+----------\n Leonardo     | katanas\n Donatello    | bo staff\n Michelangelo | nunchaku\n Raphael      | sai\n(4 rows)\n\n');
    const password = await sandbox.kubectl([...CLIENT, 'sh', '-c', 'PGPASSWORD=pizza psql -h 192.168.200.1 -U splinter -d turtles -c "SELECT 1 FROM turtles"']);
    assert.equal(password.code, 2);
    assert.match(password.stderr, /connection to server at "192\.168\.200\.1", port 5432 failed: FATAL: {2}password authentication failed for user "splinter"/);
    const database = await sandbox.kubectl([...CLIENT, 'sh', '-c', 'PGPASSWORD=cheese psql -h 192.168.200.1 -U splinter -d turtle -c "SELECT 1"']);
    assert.match(database.stderr, /FATAL: {2}database "turtle" does not exist/);
  });

  it("curl gets the adapter's turtles from its database", async () => {
    const r = await sandbox.kubectl([...CLIENT, 'curl', '-s', 'http://192.168.200.10:9000/']);
    assert.equal(r.code, 0, r.stderr);
    const turtles = JSON.parse(r.stdout) as { name: string }[];
    assert.deepEqual(turtles.map((t) => t.name), ['Leonardo', 'Donatello', 'Michelangelo', 'Raphael']);
    assert.match((await sandbox.kubectl(['logs', '-n', 'data-adapter', 'turtle-db-adapter'])).stdout, /served 4 turtles/);
  });

  it('ip shows the interfaces and routes, ping answers, pipes and exit codes work', async () => {
    const addr = await sandbox.kubectl([...CLIENT, 'ip', 'addr']);
    assert.match(addr.stdout, /inet 192\.168\.200\.30\/24 brd 192\.168\.200\.255 scope global net1/);
    const route = await sandbox.kubectl([...CLIENT, 'ip', 'route']);
    assert.match(route.stdout, /^192\.168\.200\.0\/24 dev net1 proto kernel scope link src 192\.168\.200\.30$/m);
    const ping = await sandbox.kubectl([...CLIENT, 'ping', '-c', '2', '192.168.200.1']);
    assert.equal(ping.code, 0);
    assert.match(ping.stdout, /2 packets transmitted, 2 received, 0% packet loss/);
    const piped = await sandbox.kubectl([...CLIENT, 'sh', '-c', 'cat /etc/os-release | cat && nope || echo fallback $?']);
    assert.match(piped.stdout, /Red Hat Enterprise Linux/);
    assert.match(piped.stdout, /fallback 127\n$/);
    assert.match(piped.stderr, /sh: nope: command not found/);
  });

  it('a denied connection waits for its timeout, then fails; the adapter answers 500 and logs why', async () => {
    for (const args of [['patch', 'network.operator.openshift.io', 'cluster', '--type=merge', '-p', '{"spec":{"useMultiNetworkPolicy":true}}'], ['apply', '-f', manifest('mnp-default-deny-data-adapter.yaml')]]) {
      const r = await sandbox.kubectl(args);
      assert.equal(r.code, 0, r.stderr);
    }
    const started = Date.now();
    const r = await sandbox.kubectl([...ADAPTER, 'nc', '-z', '-v', '-w', '1', '192.168.200.1', '5432']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Ncat: TIMEOUT\./);
    assert.ok(Date.now() - started >= 1000, 'the client waited for its timeout');
    const curl = await sandbox.kubectl([...CLIENT, 'curl', '-s', '-m', '2', 'http://192.168.200.10:9000/']);
    assert.equal(curl.code, 28, 'the adapter is isolated for ingress, so the client times out');
  });

  it("nc takes Ncat's time values for -w and rejects a wait of zero as Ncat does", async () => {
    for (const wait of ['0.2', '200ms']) {
      const started = Date.now();
      const r = await sandbox.kubectl([...ADAPTER, 'nc', '-z', '-v', '-w', wait, '192.168.200.1', '5432']);
      const waited = Date.now() - started;
      assert.equal(r.code, 1);
      assert.match(r.stderr, /Ncat: TIMEOUT\./);
      assert.ok(waited >= 200 && waited < 1000, `-w ${wait} waited ${waited} ms`);
    }
    const zero = await sandbox.kubectl([...ADAPTER, 'nc', '-z', '-w', '0', '192.168.200.1', '5432']);
    assert.equal(zero.code, 2);
    assert.match(zero.stderr, /Ncat: Invalid -w timeout \(must be greater than 0\)\. QUITTING\./);
  });

  it('a ReachabilityReview explains the answer: which policy decided', async () => {
    const review = join(tempDir('review'), 'review.yaml');
    await writeFile(review, `apiVersion: sandbox.labpath.dev/v1alpha1
kind: ReachabilityReview
spec:
  from: { namespace: data-adapter, pod: turtle-db-adapter }
  to: { host: 192.168.200.1, port: 5432 }
`);
    const r = await sandbox.kubectl(['create', '-f', review, '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const status = JSON.parse(r.stdout).status;
    assert.equal(status.outcome, 'timeout');
    assert.deepEqual(status.decidedBy, { kind: 'policy', name: 'default-deny-to-database-server' });
    assert.match(status.reason, /default-deny-to-database-server/);
    assert.equal((await sandbox.kubectl(['get', 'reachabilityreviews'])).code, 1, 'reviews are answered, not stored');

    await writeFile(review, 'apiVersion: sandbox.labpath.dev/v1alpha1\nkind: ReachabilityReview\nspec:\n  from: { namespace: data-adapter }\n  to: { host: 192.168.200.1, port: 70000 }\n');
    const bad = await sandbox.kubectl(['create', '-f', review]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /spec\.from: Invalid value: exactly one of pod or vm names the source/);
    assert.match(bad.stderr, /spec\.to\.port: Invalid value: 70000: must be a port number from 1 to 65535/);
  });
});
