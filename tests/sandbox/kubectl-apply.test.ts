/**
 * kubectl apply, edit and explain against the sandbox: they need OpenAPI v3 with
 * real schemas and server-side field validation.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { kubectlBinaries, startSandbox, type TestSandbox } from '../helpers/sandbox.ts';
import { LESSON_DIR } from '../helpers/paths.ts';
import { tempDir } from '../helpers/temp-dir.ts';

// Every test below runs once per kubectl binary (the dispatcher, 1.30, 1.33), each against its own sandbox.
for (const { name: kubectlName, path: kubectlPath } of kubectlBinaries()) describe(`with kubectl ${kubectlName}`, () => {
let sandbox: TestSandbox;
let work: string;
before(async () => {
  sandbox = await startSandbox({ kubectl: kubectlPath });
  work = tempDir('apply');
});
after(() => sandbox?.close());

const manifest = (name: string) => join(LESSON_DIR, 'manifests', name);

async function ok(args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  const r = await sandbox.kubectl(args, env ? { env } : {});
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

describe('kubectl apply against the sandbox', () => {
  it('applies multi-document manifests: created, then unchanged', async () => {
    const files = ['nncp-bridge-mapping.yaml', 'namespaces.yaml', 'nad-data-adapter.yaml', 'nad-data-consumer.yaml', 'pod-turtle-db-adapter.yaml', 'vm-workload.yaml'];
    const args = ['apply', ...files.flatMap((f) => ['-f', manifest(f)])];
    const first = await ok(args);
    assert.match(first, /^nodenetworkconfigurationpolicy\.nmstate\.io\/ovs-share-same-gw-bridge created$/m);
    assert.match(first, /^namespace\/data-consumer created$/m);
    assert.match(first, /^pod\/turtle-db-adapter created$/m);
    assert.match(first, /^virtualmachine\.kubevirt\.io\/vm-workload created$/m);
    const second = await ok(args);
    assert.equal(second.trim().split('\n').filter((l) => !l.endsWith(' unchanged')).length, 0, second);
  });

  it('reports configured after a change and merges it', async () => {
    const file = join(work, 'nad.yaml');
    await writeFile(file, `apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata:
  name: db-access-net
  namespace: data-adapter
  labels: {team: net}
spec:
  config: '{"cniVersion":"0.3.1","name":"data-net","type":"ovn-k8s-cni-overlay","topology":"localnet","vlanID":124,"netAttachDefName":"data-adapter/db-access-net"}'
`);
    assert.match(await ok(['apply', '-f', file]), /db-access-net configured/);
    assert.match(await ok(['get', 'nad', '-n', 'data-adapter', 'db-access-net', '-o', 'jsonpath={.spec.config}']), /"vlanID":124/);
    assert.equal(await ok(['get', 'nad', '-n', 'data-adapter', 'db-access-net', '-o', 'jsonpath={.metadata.labels.team}']), 'net');
  });

  it('rejects unknown fields with the real strict decoding error', async () => {
    const file = join(work, 'typo.yaml');
    await writeFile(file, 'apiVersion: v1\nkind: Pod\nmetadata: {name: typo, namespace: data-adapter}\nspec:\n  containers:\n  - name: c\n    imagee: nginx\n');
    const r = await sandbox.kubectl(['apply', '-f', file]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Error from server \(BadRequest\): error when creating ".*typo\.yaml": Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec\.containers\[0\]\.imagee"/);
    const crd = join(work, 'vm-typo.yaml');
    await writeFile(crd, 'apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\nmetadata: {name: typo, namespace: data-adapter}\nspec:\n  config: "{}"\n  vlan: 5\n');
    const r2 = await sandbox.kubectl(['apply', '-f', crd]);
    assert.match(r2.stderr, /strict decoding error: unknown field "spec\.vlan"/);
  });

  it('with --validate=warn, drops unknown fields and warns', async () => {
    const file = join(work, 'warn.yaml');
    await writeFile(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: warned, namespace: data-adapter}\ndata: {a: b}\nextra: 1\n');
    const r = await sandbox.kubectl(['apply', '--validate=warn', '-f', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Warning: unknown field "extra"/);
    assert.equal(await ok(['get', 'cm', 'warned', '-n', 'data-adapter', '-o', 'jsonpath={.extra}']), '');
  });

  it('gives custom resources schema type errors as 422', async () => {
    const r = await sandbox.kubectl(['patch', 'network.operator.openshift.io', 'cluster', '--type', 'merge', '-p', '{"spec":{"useMultiNetworkPolicy":"yes"}}']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /is invalid: spec\.useMultiNetworkPolicy: Invalid value: "string": spec\.useMultiNetworkPolicy in body must be of type boolean/);
  });

  it('edits through KUBE_EDITOR', async () => {
    const editor = join(work, 'editor.sh');
    await writeFile(editor, '#!/bin/sh\nsed -i \'s/team: net$/team: netops/\' "$1"\n');
    await chmod(editor, 0o755);
    assert.match(await ok(['edit', 'nad', 'db-access-net', '-n', 'data-adapter'], { KUBE_EDITOR: editor }), /edited/);
    assert.equal(await ok(['get', 'nad', '-n', 'data-adapter', 'db-access-net', '-o', 'jsonpath={.metadata.labels.team}']), 'netops');
  });

  it('explains built-in and custom kinds from real schemas', async () => {
    const pods = await ok(['explain', 'pods.spec.containers']);
    assert.match(pods, /KIND:\s+Pod\nVERSION:\s+v1\n\nFIELD: containers <\[\]Container>/);
    assert.match(pods, /List of containers belonging to the pod\./);
    assert.match(pods, /\n {2}image\t<string>\n/);
    assert.match(pods, /\n {2}name\t<string> -required-\n/);
    const vm = await ok(['explain', 'virtualmachine.spec']);
    assert.match(vm, /GROUP:\s+kubevirt\.io\nKIND:\s+VirtualMachine/);
    assert.match(await ok(['explain', 'networks.spec.useMultiNetworkPolicy', '--api-version=operator.openshift.io/v1']), /FIELD: useMultiNetworkPolicy <boolean>[\s\S]*useMultiNetworkPolicy enables a controller/);
  });

  it('applies server-side: serverside-applied, then created from nothing', async () => {
    const out = await ok(['apply', '--server-side', '-f', manifest('mnp-default-deny-data-adapter.yaml')]);
    assert.match(out, /multinetworkpolicy\.k8s\.cni\.cncf\.io\/default-deny-to-database-server serverside-applied/);
    assert.match(await ok(['get', 'multi-networkpolicy', '-n', 'data-adapter']), /default-deny-to-database-server/);
  });

  it('deletes what it applied', async () => {
    const out = await ok(['delete', '-f', manifest('pod-turtle-db-adapter.yaml'), '-f', manifest('vm-workload.yaml')]);
    assert.match(out, /pod "turtle-db-adapter" deleted/);
    assert.match(out, /virtualmachine\.kubevirt\.io "vm-workload" deleted/);
  });
});
});
