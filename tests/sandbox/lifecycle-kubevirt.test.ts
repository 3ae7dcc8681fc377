/** KubeVirt in the sandbox: VM → VMI → virt-launcher pod, statuses, run strategies, garbage collection. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getPath } from '../../lab-server/k8s/object.ts';
import { startSandbox, waitFor, type TestSandbox } from '../helpers/sandbox.ts';
import { LESSON_DIR } from '../helpers/paths.ts';
import { tempDir } from '../helpers/temp-dir.ts';

let sandbox: TestSandbox;
let work: string;
before(async () => {
  sandbox = await startSandbox();
  work = tempDir('kubevirt');
  await sandbox.applyLessonManifests('namespaces.yaml', 'nad-data-consumer.yaml');
});
after(() => sandbox?.close());

const store = () => sandbox.handle.cluster.store;
const vm = (name: string) => store().get('kubevirt.io/virtualmachines', 'data-consumer', name);
const vmi = (name: string) => store().get('kubevirt.io/virtualmachineinstances', 'data-consumer', name);
const launchers = (name: string) => store().list('/pods', 'data-consumer').filter((p) => p.metadata.labels?.['vm.kubevirt.io/name'] === name);

async function applyVm(name: string, edit: (yaml: string) => string): Promise<void> {
  const yaml = edit((await readFile(join(LESSON_DIR, 'manifests', 'vm-workload.yaml'), 'utf8')).replace('name: vm-workload', `name: ${name}`));
  const file = join(work, `${name}.yaml`);
  await writeFile(file, yaml);
  const r = await sandbox.kubectl(['apply', '-f', file]);
  assert.equal(r.code, 0, r.stderr);
}

describe('KubeVirt virtual machines', () => {
  it("the lesson's VM runs: Running and Ready, its VMI on the node of its launcher pod", async () => {
    const r = await sandbox.kubectl(['apply', '-f', join(LESSON_DIR, 'manifests', 'vm-workload.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    const waited = await sandbox.kubectl(['wait', '-n', 'data-consumer', 'vm/vm-workload', '--for=condition=Ready', '--timeout=30s']);
    assert.equal(waited.code, 0, waited.stderr);
    assert.match((await sandbox.kubectl(['get', 'vm', '-n', 'data-consumer'])).stdout, /\nvm-workload\s+\S+\s+Running\s+True\n/);
    const [pod] = launchers('vm-workload');
    assert.equal(getPath(vmi('vm-workload'), ['status', 'nodeName']), getPath(pod, ['spec', 'nodeName']));
    assert.match((await sandbox.kubectl(['get', 'vmi', '-n', 'data-consumer'])).stdout, new RegExp(`\\nvm-workload\\s+\\S+\\s+Running\\s+${String(getPath(pod, ['status', 'podIP'])).replace(/\./g, '\\.')}\\s+worker-[01]\\s+True\\n`));
  });

  it('gives the VMI exactly the template labels, and the launcher pod those plus KubeVirt\'s', () => {
    assert.deepEqual(vmi('vm-workload')!.metadata.labels, { role: 'web-client', vm: 'my-virtual-machine' });
    const [pod] = launchers('vm-workload');
    assert.match(pod!.metadata.name, /^virt-launcher-vm-workload-[a-z0-9]{5}$/);
    assert.deepEqual(pod!.metadata.labels, {
      role: 'web-client', vm: 'my-virtual-machine', 'kubevirt.io': 'virt-launcher', 'kubevirt.io/created-by': vmi('vm-workload')!.metadata.uid, 'vm.kubevirt.io/name': 'vm-workload', 'vmi.kubevirt.io/id': 'vm-workload',
    });
    assert.equal(pod!.metadata.annotations?.['kubevirt.io/domain'], 'vm-workload');
  });

  it('asks Multus for the NAD without ips; the guest address comes from cloud-init', () => {
    const [pod] = launchers('vm-workload');
    const request = JSON.parse(pod!.metadata.annotations!['k8s.v1.cni.cncf.io/networks']!) as Record<string, unknown>[];
    assert.equal(request.length, 1);
    assert.deepEqual(Object.keys(request[0]!).sort(), ['interface', 'name', 'namespace']);
    const interfaces = getPath(vmi('vm-workload'), ['status', 'interfaces']) as { name: string; interfaceName: string; ipAddress?: string; infoSource: string }[];
    const data = interfaces.find((i) => i.name === 'data-network')!;
    assert.deepEqual([data.interfaceName, data.ipAddress, data.infoSource], ['eth1', '192.168.200.20', 'domain, guest-agent, multus-status']);
  });

  it('runStrategy Halted stops it: VMI and launcher pod go, the VM is Stopped', async () => {
    const r = await sandbox.kubectl(['patch', 'vm', '-n', 'data-consumer', 'vm-workload', '--type', 'merge', '-p', '{"spec":{"runStrategy":"Halted"}}']);
    assert.equal(r.code, 0, r.stderr);
    await waitFor('the VM to stop', () => getPath(vm('vm-workload'), ['status', 'printableStatus']) === 'Stopped' && !vmi('vm-workload') && launchers('vm-workload').length === 0);
    await sandbox.kubectl(['patch', 'vm', '-n', 'data-consumer', 'vm-workload', '--type', 'merge', '-p', '{"spec":{"runStrategy":"Always"}}']);
    await waitFor('the VM to run again', () => getPath(vm('vm-workload'), ['status', 'printableStatus']) === 'Running', 30_000);
  });

  it('logs what virt-launcher logs from its compute container', async () => {
    const r = await sandbox.kubectl(['logs', '-n', 'data-consumer', launchers('vm-workload')[0]!.metadata.name, '-c', 'compute']);
    assert.equal(r.code, 0, r.stderr);
    const first = JSON.parse(r.stdout.split('\n')[0]!) as { component: string; level: string; timestamp: string };
    assert.deepEqual([first.component, first.level], ['virt-launcher', 'info']);
    assert.match(first.timestamp, /^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
    assert.match(r.stdout, /"msg":"Marked as ready"/);
  });

  it('deleting the launcher pod fails the VMI; runStrategy Always makes a new one', async () => {
    const before = vmi('vm-workload')!.metadata.uid;
    const r = await sandbox.kubectl(['delete', 'pod', '-n', 'data-consumer', '-l', 'vm.kubevirt.io/name=vm-workload']);
    assert.equal(r.code, 0, r.stderr);
    await waitFor('a new instance, running', () => vmi('vm-workload')?.metadata.uid !== before && getPath(vmi('vm-workload'), ['status', 'phase']) === 'Running', 30_000);
    const events = (await sandbox.kubectl(['get', 'events', '-n', 'data-consumer', '--field-selector', 'reason=Stopped'])).stdout;
    assert.match(events, /The VirtualMachineInstance crashed\./);
  });

  it('deleting the VM takes its VMI and launcher pod with it', async () => {
    const r = await sandbox.kubectl(['delete', 'vm', '-n', 'data-consumer', 'vm-workload']);
    assert.equal(r.code, 0, r.stderr);
    await waitFor('the VMI and pod to be collected', () => !vmi('vm-workload') && launchers('vm-workload').length === 0);
  });

  it('a container disk no registry has shows ErrImagePull on the VM', async () => {
    await applyVm('vm-typo', (y) => y.replace('quay.io/containerdisks/fedora:40', 'quay.io/containerdisks/fedora:4O'));
    await waitFor('ErrImagePull on the VM', () => ['ErrImagePull', 'ImagePullBackOff'].includes(String(getPath(vm('vm-typo'), ['status', 'printableStatus']))), 20_000);
  });

  it('a VM created Halted stays Stopped with no instance', async () => {
    await applyVm('vm-halted', (y) => y.replace('runStrategy: Always', 'runStrategy: Halted'));
    await waitFor('Stopped', () => getPath(vm('vm-halted'), ['status', 'printableStatus']) === 'Stopped');
    assert.equal(vmi('vm-halted'), undefined);
  });
});
