/**
 * What KubeVirt derives from a VirtualMachine: the virt-launcher pod's labels
 * (services/template.go podLabels), the Multus networks it requests, and the
 * guest addresses cloud-init configures (network-semantics.md §3).
 */
import { parse as parseYaml } from 'yaml';
import { getPath, isRecord, stringMap, type KubeObject } from './object.ts';

export function vmTemplateLabels(vm: KubeObject): Record<string, string> {
  return stringMap(getPath(vm, ['spec', 'template', 'metadata', 'labels']));
}

/**
 * Labels of the virt-launcher pod: the VMI's labels (exactly the template's),
 * plus those KubeVirt adds. created-by carries the VMI uid, unknown before it exists.
 */
export function launcherPodLabels(vm: KubeObject, vmiUid = '<vmi-uid>'): Record<string, string> {
  const hostname = getPath(vm, ['spec', 'template', 'spec', 'hostname']);
  return {
    ...vmTemplateLabels(vm),
    'kubevirt.io': 'virt-launcher',
    'kubevirt.io/created-by': vmiUid,
    'vm.kubevirt.io/name': typeof hostname === 'string' && hostname !== '' ? hostname : vm.metadata.name,
  };
}

/** `[namespace/]name` of every Multus network the VM's template asks for. */
export function vmMultusNetworks(vm: KubeObject): { interfaceName: string; networkName: string }[] {
  const networks = getPath(vm, ['spec', 'template', 'spec', 'networks']);
  if (!Array.isArray(networks)) return [];
  return networks.flatMap((net) => {
    const networkName = getPath(net, ['multus', 'networkName']);
    const name = getPath(net, ['name']);
    return typeof networkName === 'string' ? [{ interfaceName: typeof name === 'string' ? name : '', networkName }] : [];
  });
}

export interface CloudInitNetworkData {
  /** The raw networkData text, or undefined when the VM has none. */
  text?: string;
  /** Static addresses per guest interface (eth0, eth1, …). */
  addresses: { device: string; address: string }[];
  error?: string;
}

export function vmCloudInitNetworkData(vm: KubeObject): CloudInitNetworkData {
  const volumes = getPath(vm, ['spec', 'template', 'spec', 'volumes']);
  if (!Array.isArray(volumes)) return { addresses: [] };
  for (const volume of volumes) {
    const source = getPath(volume, ['cloudInitNoCloud']) ?? getPath(volume, ['cloudInitConfigDrive']);
    const text = getPath(source, ['networkData']);
    if (typeof text !== 'string') continue;
    let data: unknown;
    try {
      data = parseYaml(text);
    } catch (error) {
      return { text, addresses: [], error: `cloud-init networkData is not valid YAML: ${(error as Error).message.split('\n')[0]}` };
    }
    const ethernets = getPath(data, ['ethernets']);
    const addresses: { device: string; address: string }[] = [];
    if (isRecord(ethernets)) {
      for (const [device, config] of Object.entries(ethernets)) {
        const list = getPath(config, ['addresses']);
        if (Array.isArray(list)) for (const address of list) addresses.push({ device, address: String(address) });
      }
    }
    return { text, addresses };
  }
  return { addresses: [] };
}

export function vmCloudInitUserData(vm: KubeObject): string | undefined {
  return cloudInitUserData(getPath(vm, ['spec', 'template', 'spec', 'volumes']));
}

export function vmiCloudInitUserData(vmi: KubeObject): string | undefined {
  return cloudInitUserData(getPath(vmi, ['spec', 'volumes']));
}

function cloudInitUserData(volumes: unknown): string | undefined {
  if (!Array.isArray(volumes)) return undefined;
  for (const volume of volumes) {
    const text = getPath(volume, ['cloudInitNoCloud', 'userData']) ?? getPath(volume, ['cloudInitConfigDrive', 'userData']);
    if (typeof text === 'string') return text;
  }
  return undefined;
}

export interface GuestAccount {
  user: string;
  password?: string;
  packages: string[];
}

/** The login cloud-init sets up from userData: `user` (default fedora), `password`, and `packages`. */
export function guestAccount(userData: string | undefined): GuestAccount {
  let config: unknown = {};
  try {
    config = userData ? parseYaml(userData) : {};
  } catch {
    config = {};
  }
  const user = isRecord(config) && typeof config.user === 'string' ? config.user : 'fedora';
  const password = isRecord(config) && (typeof config.password === 'string' || typeof config.password === 'number') ? String(config.password) : undefined;
  const packages = isRecord(config) && Array.isArray(config.packages) ? config.packages.map(String) : [];
  return { user, ...(password !== undefined ? { password } : {}), packages };
}
