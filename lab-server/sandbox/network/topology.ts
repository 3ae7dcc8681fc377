/**
 * The network model's view of a cluster: workloads with their interfaces on
 * secondary networks (pods directly; VMs through their virt-launcher pods and
 * the guest's own addresses), external hosts from the lesson environment, and
 * what each one listens on.
 */
import { getPath, isRecord, type KubeObject } from '../../k8s/object.ts';
import { NETWORKS_ANNOTATION, parseNetworkSelection } from '../../k8s/network-selection.ts';
import { parseNadConfig, physicalNetworkName, type NadConfig } from '../../k8s/nad-config.ts';
import { parseCidr } from '../../k8s/ipv4.ts';
import { findImage } from '../images/catalogue.ts';
import { podListeners } from '../images/listeners.ts';
import type { ClusterView } from '../store/cluster-view.ts';

export interface Attachment {
  /** namespace/name of the NAD. */
  nad: string;
  config: NadConfig;
  /** The network's identity, the config's name: policy-for, peers and one logical switch go by it. */
  network: string;
  /** The localnet name the node's bridge mapping must carry: physicalNetworkName, else the name. */
  physicalNetwork: string;
  vlan?: number;
  /** Address and prefix on this network, when the workload has one. */
  ip?: string;
  prefix?: number;
  /** The pod interface name Multus gave it (net1, or KubeVirt's hashed name). */
  interface?: string;
}

export interface Workload {
  kind: 'pod' | 'vm';
  namespace: string;
  name: string;
  /** The labels policies select by: the pod's, or the VM's launcher pod's. */
  labels: Record<string, string>;
  node?: string;
  running: boolean;
  clusterIP?: string;
  attachments: Attachment[];
  listens: number[];
}

export interface ExternalHost {
  name: string;
  ip: string;
  network: string;
  vlan: number | 'untagged';
  listens: number[];
}

function nadOf(cluster: ClusterView, namespace: string, name: string): { config: NadConfig } | undefined {
  const nad = cluster.store.get('k8s.cni.cncf.io/network-attachment-definitions', namespace, name);
  const parsed = parseNadConfig(getPath(nad, ['spec', 'config']));
  return nad && parsed.ok ? { config: parsed.config } : undefined;
}

function podAttachments(cluster: ClusterView, pod: KubeObject): Attachment[] {
  const status = pod.metadata.annotations?.['k8s.v1.cni.cncf.io/network-status'];
  if (!status) return [];
  let entries: { name: string; interface: string; ips?: string[] }[];
  try {
    entries = JSON.parse(status) as typeof entries;
  } catch {
    return [];
  }
  const requested = parseNetworkSelection(pod.metadata.annotations?.[NETWORKS_ANNOTATION] ?? '');
  return entries
    .filter((e) => e.name !== 'ovn-kubernetes')
    .flatMap((e) => {
      const [namespace = '', name = ''] = e.name.split('/');
      const nad = nadOf(cluster, namespace, name);
      if (!nad) return [];
      const selection = requested.ok ? requested.selections.find((s) => s.name === name && (s.namespace ?? pod.metadata.namespace) === namespace) : undefined;
      const cidr = selection?.ips?.[0] ? parseCidr(selection.ips[0]) : undefined;
      return [{
        nad: e.name,
        config: nad.config,
        network: nad.config.name ?? '',
        physicalNetwork: physicalNetworkName(nad.config) ?? '',
        // vlanID 0 is untagged, as no vlanID is.
        ...(typeof nad.config.vlanID === 'number' && nad.config.vlanID !== 0 ? { vlan: nad.config.vlanID } : {}),
        ...(e.ips?.[0] ? { ip: e.ips[0] } : {}),
        ...(cidr ? { prefix: cidr.prefix } : {}),
        interface: e.interface,
      }];
    });
}

export function workloads(cluster: ClusterView): Workload[] {
  const out: Workload[] = [];
  for (const pod of cluster.store.list('/pods')) {
    if (pod.metadata.labels?.['kubevirt.io'] === 'virt-launcher') continue;
    out.push({
      kind: 'pod',
      namespace: pod.metadata.namespace ?? 'default',
      name: pod.metadata.name,
      labels: pod.metadata.labels ?? {},
      ...(typeof getPath(pod, ['spec', 'nodeName']) === 'string' ? { node: String(getPath(pod, ['spec', 'nodeName'])) } : {}),
      running: getPath(pod, ['status', 'phase']) === 'Running' && !pod.metadata.deletionTimestamp,
      ...(typeof getPath(pod, ['status', 'podIP']) === 'string' ? { clusterIP: String(getPath(pod, ['status', 'podIP'])) } : {}),
      attachments: podAttachments(cluster, pod),
      listens: podListeners(pod).map((l) => l.port),
    });
  }
  for (const vmi of cluster.store.list('kubevirt.io/virtualmachineinstances')) {
    const launcher = cluster.store.list('/pods', vmi.metadata.namespace).find((p) => p.metadata.labels?.['kubevirt.io/created-by'] === vmi.metadata.uid);
    const interfaces = (getPath(vmi, ['status', 'interfaces']) as unknown[] | undefined) ?? [];
    const launcherAttachments = launcher ? podAttachments(cluster, launcher) : [];
    const attachments = launcherAttachments.map((a) => {
      // The launcher pod carries no address for a bridged network: the guest's own is the VM's.
      const reported = interfaces.find((i) => getPath(i, ['podInterfaceName']) === a.interface);
      const ip = getPath(reported, ['ipAddress']);
      const guestPrefix = guestPrefixFor(vmi, String(getPath(reported, ['interfaceName']) ?? ''));
      return { ...a, ...(typeof ip === 'string' ? { ip } : {}), ...(guestPrefix ? { prefix: guestPrefix } : {}) };
    });
    const disks = ((getPath(vmi, ['spec', 'volumes']) as unknown[] | undefined) ?? []).map((v) => findImage(String(getPath(v, ['containerDisk', 'image']) ?? ''))).filter(Boolean);
    out.push({
      kind: 'vm',
      namespace: vmi.metadata.namespace ?? 'default',
      name: vmi.metadata.name,
      labels: launcher?.metadata.labels ?? {},
      ...(typeof getPath(vmi, ['status', 'nodeName']) === 'string' ? { node: String(getPath(vmi, ['status', 'nodeName'])) } : {}),
      running: getPath(vmi, ['status', 'phase']) === 'Running' && !vmi.metadata.deletionTimestamp,
      ...(typeof getPath(launcher, ['status', 'podIP']) === 'string' ? { clusterIP: String(getPath(launcher, ['status', 'podIP'])) } : {}),
      attachments,
      listens: disks.flatMap((d) => d!.guestListens ?? []),
    });
  }
  return out;
}

function guestPrefixFor(vmi: KubeObject, device: string): number | undefined {
  const volumes = getPath(vmi, ['spec', 'volumes']);
  for (const volume of Array.isArray(volumes) ? volumes : []) {
    const text = getPath(volume, ['cloudInitNoCloud', 'networkData']);
    if (typeof text !== 'string') continue;
    const match = new RegExp(`${device}:[\\s\\S]*?addresses:\\s*\\[\\s*([0-9./]+)`).exec(text);
    const cidr = match?.[1] ? parseCidr(match[1]) : undefined;
    if (cidr) return cidr.prefix;
  }
  return undefined;
}

export function externalHosts(cluster: ClusterView): ExternalHost[] {
  const env = cluster.environment;
  if (!env) return [];
  return env.externalHosts.map((host) => {
    const network = env.physicalNetworks.find((n) => n.name === host.network);
    return { name: host.name, ip: host.ip, network: host.network, vlan: network?.vlan ?? 'untagged', listens: host.services.map((s) => s.port) };
  });
}

/** A node's OVN bridge mappings, from its NodeNetworkState. */
export function bridgeMappings(cluster: ClusterView, node: string): { localnet: string; bridge: string }[] {
  const list = getPath(cluster.store.get('nmstate.io/nodenetworkstates', undefined, node), ['status', 'currentState', 'ovn', 'bridge-mappings']);
  return Array.isArray(list) ? list.filter(isRecord).map((m) => ({ localnet: String(m.localnet), bridge: String(m.bridge) })) : [];
}
