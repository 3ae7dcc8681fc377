import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { clusterReader, type ClusterReader } from '../../lab-server/checks/cluster-reader.ts';
import { evaluateResourceCheck, type ResourceCheck } from '../../lab-server/checks/resource-checks.ts';
import type { CheckResult } from '../../lab-server/checks/check-result.ts';
import { LESSON_DIR } from '../helpers/paths.ts';
import { kubeConfigOf, startSandbox, type TestSandbox } from '../helpers/sandbox.ts';

let sandbox: TestSandbox;
let reader: ClusterReader;

before(async () => {
  sandbox = await startSandbox();
  reader = clusterReader(kubeConfigOf(sandbox));
});
after(() => sandbox.close());

function checksOf(stepId: string): ResourceCheck[] {
  const step = sandbox.lesson.steps.find((s) => s.step.id === stepId);
  assert.ok(step, `no step ${stepId}`);
  return step.step.checks.filter((c): c is ResourceCheck => c.type !== 'connect');
}

async function evaluate(checks: ResourceCheck[]): Promise<CheckResult[]> {
  return (await Promise.all(checks.map((c) => evaluateResourceCheck(c, reader)))).flat();
}

const apply = (manifest: string) => sandbox.applyLessonManifests(manifest);

describe('resource checks of the shipped lesson, read through client-node', () => {
  it('the namespaces step fails with "not found", then passes', async () => {
    const beforeApply = await evaluate(checksOf('namespaces'));
    assert.deepEqual(beforeApply.map((r) => [r.status, r.actual]), [['failed', 'not found'], ['failed', 'not found']]);
    assert.match(beforeApply[0]!.message, /Apply namespaces\.yaml/);
    await apply('namespaces.yaml');
    const afterApply = await evaluate(checksOf('namespaces'));
    assert.deepEqual(afterApply.map((r) => r.status), ['passed', 'passed']);
    assert.equal(afterApply[0]!.actual, '"Active"');
  });

  it('the bridge-mapping step checks every worker and reports the condition it saw', async () => {
    const [condition, perWorker] = checksOf('bridge-mapping');
    const missing = await evaluateResourceCheck(condition!, reader);
    assert.equal(missing[0]!.status, 'failed');
    assert.equal(missing[0]!.actual, 'not found');
    const unmapped = await evaluateResourceCheck(perWorker!, reader);
    const workers = sandbox.lesson.lesson.environment.nodes.filter((n) => n.roles.includes('worker')).map((n) => n.name);
    assert.deepEqual(unmapped.map((r) => r.subject).sort(), workers.map((w) => `NodeNetworkState ${w}`).sort());
    for (const r of unmapped) {
      assert.equal(r.status, 'failed');
      assert.match(r.actual, /selects nothing/);
    }
    await apply('nncp-bridge-mapping.yaml');
    const wait = await sandbox.kubectl(['wait', 'nncp/ovs-share-same-gw-bridge', '--for=condition=Available', '--timeout=60s']);
    assert.equal(wait.code, 0, wait.stderr);
    const results = await evaluate(checksOf('bridge-mapping'));
    assert.ok(results.every((r) => r.status === 'passed'), JSON.stringify(results, null, 2));
    assert.match(results[0]!.actual, /^Available=True/);
  });

  it('a NAD on the wrong VLAN fails the VLAN check with what it found', async () => {
    const file = join(sandbox.kubeconfig, '..', 'nad-vlan-124.yaml');
    const nad = await readFile(join(LESSON_DIR, 'manifests', 'nad-data-adapter.yaml'), 'utf8');
    assert.match(nad, /"vlanID": ?123/);
    await writeFile(file, nad.replace(/("vlanID": ?)123/, '$1124'));
    const r = await sandbox.kubectl(['apply', '-f', file]);
    assert.equal(r.code, 0, r.stderr);
    const vlan = checksOf('network-attachment').find((c) => c.type === 'field' && c.json === '.vlanID' && c.resource.namespace === 'data-adapter');
    assert.ok(vlan);
    const [result] = await evaluateResourceCheck(vlan, reader);
    assert.equal(result!.status, 'failed');
    assert.equal(result!.actual, '124');
    assert.match(result!.message, /not on VLAN 123/);
    await apply('nad-data-adapter.yaml');
    assert.equal((await evaluateResourceCheck(vlan, reader))[0]!.status, 'passed');
  });
});

describe('when the cluster cannot answer, checks say so instead of failing', () => {
  const exists: ResourceCheck = { type: 'exists', resource: { apiVersion: 'v1', kind: 'Namespace', name: 'default' }, message: 'the default namespace is missing' };

  it('a kind the cluster does not serve is reported as a missing CRD', async () => {
    const [result] = await evaluateResourceCheck({ ...exists, resource: { apiVersion: 'example.com/v1', kind: 'Widget', name: 'w' } }, reader);
    assert.equal(result!.status, 'error');
    assert.equal(result!.actual, 'unknown-kind');
    assert.match(result!.message, /does not serve Widget in example\.com\/v1/);
    const [inServedGroup] = await evaluateResourceCheck({ ...exists, resource: { apiVersion: 'v1', kind: 'Widget', name: 'w' } }, reader);
    assert.equal(inServedGroup!.actual, 'unknown-kind');
  });

  it('a wrong token is "unauthorised"', async () => {
    const config = kubeConfigOf(sandbox);
    const user = config.getCurrentUser();
    assert.ok(user);
    (user as { token?: string }).token = 'not-the-token';
    const [result] = await evaluateResourceCheck(exists, clusterReader(config));
    assert.equal(result!.status, 'error');
    assert.equal(result!.actual, 'unauthorised');
    assert.match(result!.message, /did not accept our credentials \(401\)/);
  });

  it('a server that is not there is "unreachable"', async () => {
    const config = new k8s.KubeConfig();
    config.loadFromOptions({
      clusters: [{ name: 'gone', server: 'https://127.0.0.1:1', skipTLSVerify: true }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'c', cluster: 'gone', user: 'u' }],
      currentContext: 'c',
    });
    const [result] = await evaluateResourceCheck(exists, clusterReader(config));
    assert.equal(result!.status, 'error');
    assert.equal(result!.actual, 'unreachable');
    assert.match(result!.message, /cannot reach https:\/\/127\.0\.0\.1:1/);
  });
});
