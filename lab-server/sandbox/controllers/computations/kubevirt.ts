/**
 * KubeVirt's controllers: a VirtualMachine's instance (VMI) per its
 * runStrategy, the VMI's virt-launcher pod, and the VMI's and VM's status as
 * the launcher pod and the booting guest progress (network-semantics.md §3).
 */
import { createHash } from 'node:crypto';
import { getPath, isRecord, type KubeObject } from '../../../k8s/object.ts';
import { launcherPodLabels, vmCloudInitNetworkData } from '../../../k8s/kubevirt.ts';
import type { ClusterView } from '../../store/cluster-view.ts';
import { now } from '../../machinery/object-metadata.ts';
import { transitionTime } from './conditions.ts';
import type { ComputationResult } from '../computation.ts';
import type { RuleEvent } from '../rule.ts';
import { ownerRef } from './owners.ts';

const VMIS = 'kubevirt.io/virtualmachineinstances';
const LAUNCHER_IMAGE = 'registry.redhat.io/container-native-virtualization/virt-launcher-rhel9:v4.19.0';
const RUNNING_STRATEGIES = new Set(['Always', 'RerunOnFailure', 'Once']);

function runStrategy(vm: KubeObject): string {
  const strategy = getPath(vm, ['spec', 'runStrategy']);
  if (typeof strategy === 'string') return strategy;
  const running = getPath(vm, ['spec', 'running']);
  return running === true ? 'Always' : 'Halted';
}

const controller = (type: RuleEvent['type'], reason: string, message: string): RuleEvent => ({ type, reason, message, source: 'virtualmachine-controller' });

/** The VM controller: makes or removes the VMI as the run strategy says, and mirrors the VMI into the VM's status. */
export function reconcileVirtualMachine(cluster: ClusterView, vm: KubeObject): ComputationResult {
  const namespace = vm.metadata.namespace ?? 'default';
  const strategy = runStrategy(vm);
  let vmi = cluster.store.get(VMIS, namespace, vm.metadata.name);
  const events: RuleEvent[] = [];
  if (!vmi && RUNNING_STRATEGIES.has(strategy) && !vm.metadata.deletionTimestamp) {
    const template = getPath(vm, ['spec', 'template']);
    vmi = cluster.createSystemObject({
      apiVersion: 'kubevirt.io/v1',
      kind: 'VirtualMachineInstance',
      metadata: {
        name: vm.metadata.name,
        namespace,
        // Exactly the template's labels and annotations: the VM's own are not copied.
        labels: { ...((getPath(template, ['metadata', 'labels']) as Record<string, string> | undefined) ?? {}) },
        annotations: { ...((getPath(template, ['metadata', 'annotations']) as Record<string, string> | undefined) ?? {}), 'kubevirt.io/vm-generation': String(vm.metadata.generation ?? 1) },
        ownerReferences: [ownerRef(vm)],
        finalizers: ['kubevirt.io/virtualMachineControllerFinalize', 'foregroundDeleteVirtualMachine'],
      },
      spec: structuredClone(getPath(template, ['spec']) ?? {}),
      status: { phase: 'Pending', conditions: [] },
    });
    events.push(controller('Normal', 'SuccessfulCreate', `Started the virtual machine by creating the new virtual machine instance ${vm.metadata.name}`));
  } else if (vmi && !vmi.metadata.deletionTimestamp && finishedFor(strategy, String(getPath(vmi, ['status', 'phase'])))) {
    // A finished instance the run strategy wants running is removed; the next reconcile makes a new one.
    stopInstance(cluster, vmi);
    events.push(controller('Normal', 'SuccessfulDelete', `Stopped the virtual machine by deleting the virtual machine instance ${vmi.metadata.uid}`));
    vmi = cluster.store.get(VMIS, namespace, vm.metadata.name);
  } else if (vmi && strategy === 'Halted' && !vmi.metadata.deletionTimestamp) {
    stopInstance(cluster, vmi);
    events.push(controller('Normal', 'SuccessfulDelete', `Stopped the virtual machine by deleting the virtual machine instance ${vmi.metadata.uid}`));
    vmi = cluster.store.get(VMIS, namespace, vm.metadata.name);
  }
  const phase = getPath(vmi, ['status', 'phase']);
  const ready = (getPath(vmi, ['status', 'conditions']) as unknown[] | undefined)?.some((c) => getPath(c, ['type']) === 'Ready' && getPath(c, ['status']) === 'True') ?? false;
  const printableStatus = !vmi ? 'Stopped' : vmi.metadata.deletionTimestamp ? 'Stopping' : phase === 'Running' ? 'Running' : (launcherProblem(cluster, vmi) ?? 'Starting');
  const status = {
    printableStatus,
    runStrategy: strategy,
    ready,
    ...(vmi ? { created: true } : {}),
    desiredGeneration: vm.metadata.generation ?? 1,
    observedGeneration: vm.metadata.generation ?? 1,
    conditions: vmi
      ? [{ type: 'Ready', status: ready ? 'True' : 'False', ...(ready ? {} : { reason: 'PodNotExists', message: 'virt-launcher pod is not running' }), lastProbeTime: null, lastTransitionTime: transitionTime(vm, 'Ready', ready ? 'True' : 'False') }]
      : [{ type: 'Ready', status: 'False', reason: 'VMINotExists', message: 'VMI does not exist', lastProbeTime: null, lastTransitionTime: transitionTime(vm, 'Ready', 'False') }],
  };
  return { ok: true, vars: { status, events } };
}

/** Whether the run strategy replaces an instance that ended in this phase. */
function finishedFor(strategy: string, phase: string): boolean {
  return (strategy === 'Always' && (phase === 'Failed' || phase === 'Succeeded')) || (strategy === 'RerunOnFailure' && phase === 'Failed');
}

/** virt-handler: the launcher pod of a Running VMI is gone or going, so the guest is. */
export function launcherLost(cluster: ClusterView, vmi: KubeObject): ComputationResult {
  const pod = launcherPod(cluster, vmi);
  if (pod && !pod.metadata.deletionTimestamp && getPath(pod, ['status', 'phase']) === 'Running') return { ok: false, events: [] };
  return { ok: true, vars: {} };
}


/** ErrImagePull and friends show on the VM when its launcher pod cannot start. */
function launcherProblem(cluster: ClusterView, vmi: KubeObject): string | undefined {
  const pod = launcherPod(cluster, vmi);
  const reasons = ((getPath(pod, ['status', 'containerStatuses']) as unknown[] | undefined) ?? []).map((s) => getPath(s, ['state', 'waiting', 'reason']));
  return reasons.find((r) => r === 'ErrImagePull' || r === 'ImagePullBackOff') as string | undefined;
}

export function launcherPod(cluster: ClusterView, vmi: KubeObject): KubeObject | undefined {
  return cluster.store.list('/pods', vmi.metadata.namespace).find((p) => p.metadata.labels?.['kubevirt.io/created-by'] === vmi.metadata.uid);
}

function stopInstance(cluster: ClusterView, vmi: KubeObject): void {
  cluster.store.put(VMIS, { ...vmi, metadata: { ...vmi.metadata, deletionTimestamp: now(), deletionGracePeriodSeconds: 0 } });
}

function interfaceHash(network: string): string {
  return `pod${createHash('sha256').update(network).digest('hex').slice(0, 11)}`;
}

/** The VMI controller: the virt-launcher pod, with the labels and Multus annotation KubeVirt gives it. */
export function createLauncherPod(cluster: ClusterView, vmi: KubeObject): ComputationResult {
  if (launcherPod(cluster, vmi)) return { ok: true, vars: { events: [] } };
  const namespace = vmi.metadata.namespace ?? 'default';
  const networks = (getPath(vmi, ['spec', 'networks']) as unknown[] | undefined) ?? [];
  const multus = networks.flatMap((n) => {
    const name = getPath(n, ['multus', 'networkName']);
    if (typeof name !== 'string') return [];
    const [ns, nad] = name.includes('/') ? name.split('/', 2) : [namespace, name];
    // KubeVirt sets name, namespace and a hashed interface name, never ips.
    return [{ name: nad, namespace: ns, interface: interfaceHash(String(getPath(n, ['name']))) }];
  });
  const vmShape = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: vmi.metadata.name }, spec: { template: { metadata: { labels: vmi.metadata.labels ?? {} }, spec: vmi.spec } } } as KubeObject;
  const suffix = createHash('sha256').update(String(vmi.metadata.uid)).digest('hex').replace(/[^a-z0-9]/g, '').slice(0, 5);
  const disks = ((getPath(vmi, ['spec', 'volumes']) as unknown[] | undefined) ?? []).flatMap((v) => {
    const image = getPath(v, ['containerDisk', 'image']);
    return typeof image === 'string' ? [{ name: `volume${String(getPath(v, ['name']))}`, image }] : [];
  });
  const memory = String(getPath(vmi, ['spec', 'domain', 'resources', 'requests', 'memory']) ?? '1Gi');
  const pod = cluster.createSystemObject({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `virt-launcher-${vmi.metadata.name}-${suffix}`,
      namespace,
      labels: { ...launcherPodLabels(vmShape, String(vmi.metadata.uid)), 'vmi.kubevirt.io/id': vmi.metadata.name },
      annotations: {
        'kubevirt.io/domain': vmi.metadata.name,
        'kubectl.kubernetes.io/default-container': 'compute',
        ...(multus.length ? { 'k8s.v1.cni.cncf.io/networks': JSON.stringify(multus) } : {}),
      },
      ownerReferences: [ownerRef(vmi)],
    },
    spec: {
      containers: [
        { name: 'compute', image: LAUNCHER_IMAGE, command: ['/usr/bin/virt-launcher-monitor', '--qemu-timeout', '330s', '--name', vmi.metadata.name, '--uid', vmi.metadata.uid, '--namespace', namespace], resources: { requests: { memory } } },
        ...disks.map((d) => ({ name: d.name, image: d.image, command: ['/usr/bin/container-disk'], args: ['--copy-path', `/var/run/kubevirt-ephemeral-disks/container-disk-data/${vmi.metadata.uid}/disk_0`] })),
      ],
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 30,
      ...(typeof getPath(vmi, ['spec', 'hostname']) === 'string' ? { hostname: getPath(vmi, ['spec', 'hostname']) } : { hostname: vmi.metadata.name }),
    },
  });
  return { ok: true, vars: { podName: pod.metadata.name, events: [{ type: 'Normal', reason: 'SuccessfulCreate', message: `Created virtual machine pod ${pod.metadata.name}`, source: 'virtualmachine-controller' }] } };
}

/** virt-handler: once the launcher pod runs, the domain is defined and the guest boots; the VMI reports it. */
export function startInstance(cluster: ClusterView, vmi: KubeObject): ComputationResult {
  const pod = launcherPod(cluster, vmi);
  if (getPath(pod, ['status', 'phase']) !== 'Running') return { ok: false, events: [] };
  const networkStatus = JSON.parse(pod!.metadata.annotations?.['k8s.v1.cni.cncf.io/network-status'] ?? '[]') as { name: string; interface: string; ips?: string[]; mac?: string }[];
  const guest = vmCloudInitNetworkData({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: vmi.metadata.name }, spec: { template: { spec: vmi.spec } } } as KubeObject);
  const networks = (getPath(vmi, ['spec', 'networks']) as unknown[] | undefined) ?? [];
  const interfaces = networks.map((n, index) => {
    const name = String(getPath(n, ['name']));
    const isPod = isRecord(getPath(n, ['pod']));
    const attachment = isPod ? undefined : networkStatus.find((s) => s.interface === interfaceHash(name));
    const device = `eth${index}`;
    // masquerade: KubeVirt reports the pod's address (the guest is NATed behind it); bridge: the guest's own.
    const guestAddress = isPod ? String(getPath(pod, ['status', 'podIP'])) : guest.addresses.find((a) => a.device === device)?.address.split('/')[0];
    return {
      name,
      interfaceName: device,
      ...(guestAddress ? { ipAddress: guestAddress, ipAddresses: [guestAddress] } : {}),
      mac: attachment?.mac ?? `02:${createHash('sha256').update(`${vmi.metadata.uid}${name}`).digest('hex').slice(0, 10).match(/../g)!.join(':')}`,
      infoSource: isPod ? 'domain, guest-agent' : 'domain, guest-agent, multus-status',
      ...(isPod ? {} : { podInterfaceName: attachment?.interface }),
      queueCount: 1,
      linkState: 'up',
    };
  });
  const time = now();
  return {
    ok: true,
    vars: {
      nodeName: getPath(pod, ['spec', 'nodeName']),
      interfaces,
      conditions: [
        { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: time },
        { type: 'LiveMigratable', status: 'False', reason: 'InterfaceNotLiveMigratable', message: 'cannot migrate VMI which does not use masquerade, bridge with kubevirt.io/allow-pod-bridge-network-live-migration VM annotation or a migratable plugin to connect to the pod network', lastProbeTime: null, lastTransitionTime: time },
        { type: 'AgentConnected', status: 'True', lastProbeTime: null, lastTransitionTime: time },
      ],
      events: [
        { type: 'Normal', reason: 'Created', message: 'VirtualMachineInstance defined.', source: `virt-handler` },
        { type: 'Normal', reason: 'Started', message: 'VirtualMachineInstance started.', source: `virt-handler` },
      ],
    },
  };
}

/** A stopping VMI: its launcher pod goes; when it is gone the VMI's finalizers are released. */
export function finishInstance(cluster: ClusterView, vmi: KubeObject): ComputationResult {
  const pod = launcherPod(cluster, vmi);
  if (pod) {
    if (!pod.metadata.deletionTimestamp) cluster.store.put('/pods', { ...pod, metadata: { ...pod.metadata, deletionTimestamp: now(), deletionGracePeriodSeconds: 30 } });
    return { ok: false, events: [] };
  }
  cluster.store.remove(VMIS, vmi.metadata.namespace, vmi.metadata.name);
  // The VM controller looks again now that its instance is gone.
  const vm = cluster.store.get('kubevirt.io/virtualmachines', vmi.metadata.namespace, vmi.metadata.name);
  if (vm) cluster.store.put('kubevirt.io/virtualmachines', { ...vm });
  return { ok: true, vars: { events: [] } };
}
