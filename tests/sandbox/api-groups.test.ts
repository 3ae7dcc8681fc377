/**
 * The API groups a learner reaches for after the lesson: workloads (apps,
 * batch), Services with their endpoints, what every namespace and node has,
 * identity (auth can-i, whoami, create token), metrics (top), prune, and
 * eviction by drain — each driven the way a learner drives it, with kubectl.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startSandbox, waitFor, type TestSandbox } from '../helpers/sandbox.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { cronMatches, parseCron } from '../../lab-server/sandbox/controllers/computations/cron.ts';

const KUBECTL_1_32 = '/usr/lib/google-cloud-sdk/bin/kubectl.1.32';
let sandbox: TestSandbox;
let work: string;
before(async () => {
  sandbox = await startSandbox();
  work = tempDir('api-groups');
});
after(() => sandbox?.close());

async function ok(args: string[], binary?: string): Promise<string> {
  const r = await sandbox.kubectl(args, binary ? { binary } : {});
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

describe('apps/v1', () => {
  it('rolls a Deployment out, scales it, exposes it, rolls a new image out and back', async () => {
    await ok(['create', 'namespace', 'apps']);
    await ok(['create', 'deployment', 'web', '-n', 'apps', '--image=nginx', '--replicas=3', '--port=80']);
    assert.match(await ok(['rollout', 'status', 'deploy/web', '-n', 'apps', '--timeout=30s']), /deployment "web" successfully rolled out/);
    assert.match(await ok(['get', 'deploy', 'web', '-n', 'apps']), /web\s+3\/3\s+3\s+3\s/);
    assert.match(await ok(['scale', 'deploy/web', '-n', 'apps', '--replicas=5']), /deployment.apps\/web scaled/);
    await ok(['rollout', 'status', 'deploy/web', '-n', 'apps', '--timeout=30s']);
    assert.equal((await ok(['get', 'pods', '-n', 'apps', '-l', 'app=web', '-o', 'name'])).trim().split('\n').length, 5);
    assert.match(await ok(['expose', 'deploy/web', '-n', 'apps', '--port=8080', '--target-port=80']), /service\/web exposed/);
    const clusterIP = await ok(['get', 'svc', 'web', '-n', 'apps', '-o', 'jsonpath={.spec.clusterIP}']);
    assert.match(clusterIP, /^172\.30\.\d+\.\d+$/);
    await waitFor('five endpoints', async () => (await ok(['get', 'endpoints', 'web', '-n', 'apps', '-o', 'jsonpath={.subsets[0].addresses[*].ip}'])).split(' ').length === 5);
    assert.match(await ok(['get', 'endpointslices', '-n', 'apps', '-l', 'kubernetes.io/service-name=web']), /IPv4\s+80\s+/);
    await ok(['set', 'image', 'deploy/web', '-n', 'apps', 'nginx=nginx:1.27']);
    await ok(['rollout', 'status', 'deploy/web', '-n', 'apps', '--timeout=40s']);
    assert.equal((await ok(['get', 'rs', '-n', 'apps', '-o', 'jsonpath={.items[*].spec.replicas}'])).split(' ').sort().join(' '), '0 5');
    assert.match(await ok(['rollout', 'history', 'deploy/web', '-n', 'apps']), /1\s+<none>\n2\s+<none>/);
    await ok(['rollout', 'undo', 'deploy/web', '-n', 'apps']);
    await ok(['rollout', 'status', 'deploy/web', '-n', 'apps', '--timeout=40s']);
    assert.equal(await ok(['get', 'deploy', 'web', '-n', 'apps', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), 'nginx');
  });

  it('keeps a StatefulSet\'s pods in order with stable names, and a DaemonSet\'s pod on every worker', async () => {
    const file = join(work, 'sets.yaml');
    await writeFile(file, `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: apps}
spec:
  serviceName: db
  replicas: 3
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: nginx}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: apps}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: agent, image: busybox, command: [sleep, infinity]}]}
`);
    await ok(['apply', '-f', file]);
    await ok(['rollout', 'status', 'sts/db', '-n', 'apps', '--timeout=40s']);
    assert.equal(await ok(['get', 'pods', '-n', 'apps', '-l', 'app=db', '-o', 'jsonpath={.items[*].metadata.name}']), 'db-0 db-1 db-2');
    await ok(['rollout', 'status', 'ds/agent', '-n', 'apps', '--timeout=30s']);
    const nodes = (await ok(['get', 'pods', '-n', 'apps', '-l', 'app=agent', '-o', 'jsonpath={.items[*].spec.nodeName}'])).split(' ').sort();
    assert.deepEqual(nodes, ['worker-0', 'worker-1'], 'the control plane is tainted');
    assert.match(await ok(['get', 'ds', 'agent', '-n', 'apps']), /agent\s+2\s+2\s+2\s+2\s+2\s/);
  });
});

describe('batch/v1', () => {
  it('completes a Job, whose pod\'s log has its output', async () => {
    await ok(['create', 'job', 'hello', '-n', 'apps', '--image=busybox', '--', 'sh', '-c', 'echo hello from the job']);
    await ok(['wait', '--for=condition=complete', 'job/hello', '-n', 'apps', '--timeout=30s']);
    assert.match(await ok(['get', 'job', 'hello', '-n', 'apps']), /hello\s+Complete\s+1\/1/);
    assert.equal(await ok(['logs', 'job/hello', '-n', 'apps']), 'hello from the job\n');
  });

  it('runs a Job from a CronJob, and reads cron schedules as the controller does', async () => {
    await ok(['create', 'cronjob', 'tick', '-n', 'apps', '--image=busybox', '--schedule=*/5 * * * *', '--', 'echo', 'tick']);
    await ok(['create', 'job', 'tick-now', '-n', 'apps', '--from=cronjob/tick']);
    await ok(['wait', '--for=condition=complete', 'job/tick-now', '-n', 'apps', '--timeout=30s']);
    const every5 = parseCron('*/5 * * * *');
    assert.ok(every5.ok);
    assert.equal(cronMatches(every5.fields, new Date('2026-01-01T10:15:00Z')), true);
    assert.equal(cronMatches(every5.fields, new Date('2026-01-01T10:16:00Z')), false);
    assert.equal(parseCron('61 * * * *').ok, false);
    assert.equal(parseCron('@hourly').ok, true);
  });
});

describe('what every cluster has', () => {
  it('the kubernetes Service, CA bundles in every namespace, and node Leases whose renewTime advances', async () => {
    assert.match(await ok(['get', 'svc', 'kubernetes', '-n', 'default']), /kubernetes\s+ClusterIP\s+172\.30\.0\.1\s+<none>\s+443\/TCP/);
    assert.match(await ok(['get', 'endpoints', 'kubernetes', '-n', 'default', '-o', 'jsonpath={.subsets[0].ports[0].port}']), /^6443$/);
    assert.match(await ok(['get', 'cm', 'kube-root-ca.crt', '-n', 'apps', '-o', 'jsonpath={.data.ca\\.crt}']), /^-----BEGIN CERTIFICATE-----/);
    assert.match(await ok(['get', 'cm', 'openshift-service-ca.crt', '-n', 'apps', '-o', 'jsonpath={.metadata.annotations}']), /inject-cabundle/);
    const renewed = () => ok(['get', 'lease', 'worker-0', '-n', 'kube-node-lease', '-o', 'jsonpath={.spec.renewTime}']);
    const first = await renewed();
    await waitFor('the kubelet to renew its lease', async () => (await renewed()) !== first, 15_000);
  });
});

describe('OpenShift', () => {
  it('shows its cluster operators, the operators\' CSVs and CRs, and the node agents running on every node', async () => {
    assert.match(await ok(['get', 'co']), /\nnetwork\s+4\.19\.0\s+True\s+False\s+False\s/);
    const csvs = await ok(['get', 'csv', '-A']);
    assert.match(csvs, /openshift-nmstate\s+kubernetes-nmstate-operator\.v4\.19\.0\s+Kubernetes NMState Operator\s+4\.19\.0\s+Succeeded/);
    assert.match(csvs, /openshift-cnv\s+kubevirt-hyperconverged-operator\.v4\.19\.0\s+OpenShift Virtualization/);
    assert.match(await ok(['get', 'nmstate']), /^NAME\s+AGE\nnmstate\s/);
    assert.match(await ok(['get', 'hco', '-n', 'openshift-cnv']), /kubevirt-hyperconverged/);
    // Upstream's schemas, with their defaults: the HyperConverged CR's spec is what HCO 1.15's CRD fills in.
    assert.equal(await ok(['get', 'hco', '-n', 'openshift-cnv', 'kubevirt-hyperconverged', '-o', 'jsonpath={.spec.liveMigrationConfig.parallelMigrationsPerCluster}']), '5');
    const edited = await sandbox.kubectl(['patch', 'hco', '-n', 'openshift-cnv', 'kubevirt-hyperconverged', '--type=merge', '-p', '{"spec":{"liveMigrationConfig":null}}']);
    assert.equal(edited.code, 0, edited.stderr);
    assert.equal(await ok(['get', 'hco', '-n', 'openshift-cnv', 'kubevirt-hyperconverged', '-o', 'jsonpath={.spec.liveMigrationConfig.parallelMigrationsPerCluster}']), '5', 'defaults return on every write');
    await waitFor('the node agents to run', async () => (await ok(['get', 'ds', '-A', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.numberReady}/{.status.desiredNumberScheduled} {end}'])).trim().split(' ').every((d) => /=(\d+)\/\1$/.test(d) && !d.endsWith('=0/0')));
    const agents = await ok(['get', 'pods', '-n', 'openshift-ovn-kubernetes', '-o', 'jsonpath={range .items[*]}{.spec.nodeName} {.status.podIP}{"\\n"}{end}']);
    // hostNetwork pods run with their node's address, on the control plane too (they tolerate every taint).
    assert.deepEqual(agents.trim().split('\n').sort(), ['control-plane-0 10.0.0.10', 'worker-0 10.0.0.20', 'worker-1 10.0.0.21']);
    assert.equal((await ok(['get', 'pods', '-n', 'openshift-cnv', '-l', 'kubevirt.io=virt-handler', '-o', 'name'])).trim().split('\n').length, 2, 'virt-handler runs on the workers only');
  });
});

describe('identity', () => {
  it('answers auth can-i, can-i --list and whoami for kube:admin, and creates a token', async () => {
    assert.equal((await ok(['auth', 'can-i', 'create', 'deployments', '-n', 'apps'])).trim(), 'yes');
    assert.match(await ok(['auth', 'can-i', '--list']), /\*\.\*\s+\[\]\s+\[\]\s+\[\*\]/);
    assert.match(await ok(['auth', 'whoami']), /Username\s+kube:admin\nGroups\s+\[system:cluster-admins system:authenticated\]/);
    await ok(['create', 'serviceaccount', 'bot', '-n', 'apps']);
    const token = (await ok(['create', 'token', 'bot', '-n', 'apps', '--duration=20m'])).trim();
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sub: string; exp: number; iat: number };
    assert.equal(claims.sub, 'system:serviceaccount:apps:bot');
    assert.equal(claims.exp - claims.iat, 1200);
  });

  it('takes a created token as the service account, which holds only what every authenticated user holds', async () => {
    await ok(['create', 'serviceaccount', 'reader', '-n', 'apps']);
    const token = (await ok(['create', 'token', 'reader', '-n', 'apps'])).trim();
    const as = (args: string[]) => sandbox.kubectl([`--token=${token}`, ...args]);
    assert.match((await as(['auth', 'whoami'])).stdout, /Username\s+system:serviceaccount:apps:reader\n.*\nGroups\s+\[system:serviceaccounts system:serviceaccounts:apps system:authenticated\]/);
    const pods = await as(['get', 'pods', '-n', 'apps']);
    assert.equal(pods.code, 1);
    assert.equal(pods.stderr.trim(), 'Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:apps:reader" cannot list resource "pods" in API group "" in the namespace "apps"');
    assert.equal((await as(['auth', 'can-i', 'get', 'pods', '-n', 'apps'])).stdout.trim(), 'no');
    assert.match((await as(['auth', 'can-i', '--list'])).stdout, /selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]/);
    assert.equal((await as(['api-resources', '-o', 'name'])).code, 0, 'discovery is open to every authenticated user');
    // Another audience, or an account deleted and made again under the same name: the token opens nothing.
    const vault = (await ok(['create', 'token', 'reader', '-n', 'apps', '--audience=vault'])).trim();
    assert.match((await sandbox.kubectl([`--token=${vault}`, 'auth', 'whoami'])).stderr, /Unauthorized/);
    await ok(['delete', 'serviceaccount', 'reader', '-n', 'apps']);
    await ok(['create', 'serviceaccount', 'reader', '-n', 'apps']);
    assert.match((await as(['auth', 'whoami'])).stderr, /You must be logged in to the server \(Unauthorized\)/);
  });
});

describe('metrics.k8s.io', () => {
  it('serves what kubectl top reads, steady between reads', async () => {
    const pods = await ok(['top', 'pod', '-n', 'apps']);
    assert.match(pods, /^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/);
    assert.match(pods, /web-\S+\s+\d+m\s+\d+Mi/);
    assert.equal(await ok(['top', 'pod', '-n', 'apps', '-l', 'app=db', '--no-headers']), await ok(['top', 'pod', '-n', 'apps', '-l', 'app=db', '--no-headers']));
    assert.match(await ok(['top', 'node']), /worker-0\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%/);
  });
});

describe('apply --prune and drain', () => {
  it('prunes what left the manifests', async () => {
    await ok(['create', 'namespace', 'pruned']);
    const file = join(work, 'prune.yaml');
    const manifest = (names: string[]) => names.map((n) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${n}, namespace: pruned, labels: {set: mine}}\ndata: {a: b}\n`).join('---\n');
    await writeFile(file, manifest(['one', 'two']));
    await ok(['apply', '-f', file, '--prune', '-l', 'set=mine']);
    await writeFile(file, manifest(['one']));
    assert.match(await ok(['apply', '-f', file, '--prune', '-l', 'set=mine']), /configmap\/two pruned/);
  });

  it('drains a node with kubectl 1.32: evictions that the PodDisruptionBudget allows', async () => {
    await ok(['create', 'namespace', 'drain']);
    await ok(['create', 'deployment', 'keep', '-n', 'drain', '--image=nginx', '--replicas=2']);
    await ok(['create', 'pdb', 'keep', '-n', 'drain', '--selector=app=keep', '--min-available=1']);
    await ok(['rollout', 'status', 'deploy/keep', '-n', 'drain', '--timeout=30s']);
    await waitFor('the budget to allow one disruption', async () => (await ok(['get', 'pdb', 'keep', '-n', 'drain', '-o', 'jsonpath={.status.disruptionsAllowed}'])) === '1');
    const drained = await sandbox.kubectl(['drain', 'worker-1', '--ignore-daemonsets', '--delete-emptydir-data', '--pod-selector=app=keep', '--timeout=60s'], { binary: KUBECTL_1_32 });
    assert.equal(drained.code, 0, drained.stderr);
    assert.match(drained.stdout + drained.stderr, /evicting pod drain\/keep-/);
    assert.match(drained.stdout, /node\/worker-1 drained/);
    await ok(['rollout', 'status', 'deploy/keep', '-n', 'drain', '--timeout=30s']);
    assert.doesNotMatch(await ok(['get', 'pods', '-n', 'drain', '-o', 'jsonpath={.items[*].spec.nodeName}']), /worker-1/);
    await ok(['uncordon', 'worker-1']);
  });
});
