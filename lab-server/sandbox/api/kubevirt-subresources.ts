/**
 * subresources.kubevirt.io/v1, which virtctl uses: a VMI's serial console
 * over WebSocket (plain.kubevirt.io), and start, stop and restart on a VM.
 */
import type { WebSocket } from 'ws';
import { getPath, type KubeObject } from '../../k8s/object.ts';
import type { Cluster } from '../cluster.ts';
import { guestConsole } from '../workloads/guest-console.ts';
import { now } from '../machinery/object-metadata.ts';
import { errors } from '../machinery/status.ts';

export const CONSOLE_PROTOCOL = 'plain.kubevirt.io';
const PREFIX = /^\/apis\/subresources\.kubevirt\.io\/v1\/namespaces\/([a-z0-9-]+)\/(virtualmachineinstances|virtualmachines)\/([a-z0-9.-]+)\/([a-z]+)$/;

export interface KubevirtSubresource {
  namespace: string;
  resource: 'virtualmachineinstances' | 'virtualmachines';
  name: string;
  action: string;
}

export function kubevirtSubresource(pathname: string): KubevirtSubresource | undefined {
  const match = PREFIX.exec(pathname);
  if (!match) return undefined;
  return { namespace: match[1]!, resource: match[2] as KubevirtSubresource['resource'], name: match[3]!, action: match[4]! };
}

const VM = { group: 'kubevirt.io', plural: 'virtualmachines', kind: 'VirtualMachine' };
const VMI = { group: 'kubevirt.io', plural: 'virtualmachineinstances', kind: 'VirtualMachineInstance' };

export function runningInstance(cluster: Cluster, namespace: string, name: string): KubeObject {
  const vmi = cluster.store.get('kubevirt.io/virtualmachineinstances', namespace, name);
  if (!vmi) throw errors.notFound(VMI, name);
  if (getPath(vmi, ['status', 'phase']) !== 'Running') throw errors.conflict(VMI, name, 'VMI is not running');
  return vmi;
}

/** start, stop and restart, as virt-api carries them out on the VM's run strategy and instance. */
export function vmAction(cluster: Cluster, target: KubevirtSubresource): void {
  const vm = cluster.store.get('kubevirt.io/virtualmachines', target.namespace, target.name);
  if (!vm) throw errors.notFound(VM, target.name);
  const vmi = cluster.store.get('kubevirt.io/virtualmachineinstances', target.namespace, target.name);
  const strategy = String(getPath(vm, ['spec', 'runStrategy']) ?? (getPath(vm, ['spec', 'running']) === true ? 'Always' : 'Halted'));
  const setStrategy = (runStrategy: string) => cluster.store.put('kubevirt.io/virtualmachines', { ...vm, metadata: { ...vm.metadata, generation: Number(vm.metadata.generation ?? 1) + 1 }, spec: { ...(vm.spec as object), runStrategy } });
  const stopInstance = () => vmi && cluster.store.put('kubevirt.io/virtualmachineinstances', { ...vmi, metadata: { ...vmi.metadata, deletionTimestamp: now(), deletionGracePeriodSeconds: 0 } });
  switch (target.action) {
    case 'start':
      if (vmi && !vmi.metadata.deletionTimestamp) throw errors.conflict(VM, target.name, 'VM is already running');
      setStrategy(strategy === 'Manual' ? 'Manual' : 'Always');
      return;
    case 'stop':
      if (!vmi && strategy === 'Halted') throw errors.conflict(VM, target.name, 'VM is not running');
      if (strategy !== 'Manual') setStrategy('Halted');
      stopInstance();
      return;
    case 'restart':
      if (!vmi) throw errors.conflict(VM, target.name, 'VM is not running');
      // The VM controller makes a new instance once this one is gone.
      stopInstance();
      return;
    default:
      throw errors.pathNotFound();
  }
}

/** Raw serial bytes both ways, as binary frames. */
export function consoleSession(ws: WebSocket, cluster: Cluster, vmi: KubeObject): void {
  const console = guestConsole(cluster, vmi, {
    output: (_stream, data) => {
      if (ws.readyState === ws.OPEN) ws.send(Buffer.isBuffer(data) ? data : Buffer.from(data));
    },
    exit: () => ws.close(1000),
  });
  ws.on('message', (data: Buffer) => console.write(data));
  ws.on('close', () => console.kill());
}
