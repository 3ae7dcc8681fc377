/**
 * The CNI config inside a NetworkAttachmentDefinition's `spec.config`, and the
 * rules OVN-Kubernetes applies to a localnet one (ValidateNetConf and friends;
 * see shared/reference/network-semantics.md §1).
 */
import { isRecord } from './object.ts';
import { parseCidr } from './ipv4.ts';

export interface NadConfig {
  cniVersion?: string;
  type?: string;
  name?: string;
  topology?: string;
  netAttachDefName?: string;
  vlanID?: number;
  mtu?: number;
  subnets?: string;
  excludeSubnets?: string;
  physicalNetworkName?: string;
  [key: string]: unknown;
}

export interface NadConfigProblem {
  field: string;
  message: string;
  fix: string;
}

export type NadConfigParse = { ok: true; config: NadConfig } | { ok: false; error: string };

export const OVN_CNI_TYPE = 'ovn-k8s-cni-overlay';

export function parseNadConfig(text: unknown): NadConfigParse {
  if (typeof text !== 'string') return { ok: false, error: 'spec.config must be a string holding JSON' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `spec.config is not valid JSON: ${(error as Error).message}` };
  }
  if (!isRecord(value)) return { ok: false, error: 'spec.config must be a JSON object' };
  return { ok: true, config: value as NadConfig };
}

/** The name ovn-controller looks up in a node's ovn-bridge-mappings. */
export function physicalNetworkName(config: NadConfig): string | undefined {
  return config.physicalNetworkName ?? config.name;
}

/** True when the network allocates IPs itself, which forbids static `ips`. */
export function hasIpam(config: NadConfig): boolean {
  return typeof config.subnets === 'string' && config.subnets.trim() !== '';
}

export function localnetConfigProblems(config: NadConfig, namespace: string, name: string): NadConfigProblem[] {
  const problems: NadConfigProblem[] = [];
  if (config.type !== OVN_CNI_TYPE)
    problems.push({ field: 'type', message: `type is ${JSON.stringify(config.type)}; OVN-Kubernetes ignores NADs of any type but "${OVN_CNI_TYPE}"`, fix: `set "type": "${OVN_CNI_TYPE}"` });
  if (config.topology !== 'localnet')
    problems.push({ field: 'topology', message: `topology is ${JSON.stringify(config.topology)}, not "localnet"; only a localnet network reaches the physical network`, fix: 'set "topology": "localnet"' });
  if (typeof config.name !== 'string' || config.name === '' || config.name === 'default' || config.name === 'ovn-kubernetes')
    problems.push({ field: 'name', message: `network name ${JSON.stringify(config.name)} is missing or reserved`, fix: 'set "name" to the localnet name in the NNCP bridge mapping, e.g. "data-net"' });
  const expected = `${namespace}/${name}`;
  if (config.netAttachDefName !== expected)
    problems.push({ field: 'netAttachDefName', message: `netAttachDefName is ${JSON.stringify(config.netAttachDefName)} but this NAD is ${expected}; OVN-K rejects the NAD as inconsistent`, fix: `set "netAttachDefName": "${expected}"` });
  // 0 is valid and means untagged: OVN-K sets a tag only for a non-zero vlanID.
  if (config.vlanID !== undefined && (!Number.isInteger(config.vlanID) || config.vlanID < 0 || config.vlanID > 4094))
    problems.push({ field: 'vlanID', message: `vlanID ${JSON.stringify(config.vlanID)} is not a VLAN ID`, fix: 'use a whole number from 1 to 4094, e.g. 123 (or 0, or no vlanID, for untagged)' });
  if ('ipam' in config)
    problems.push({ field: 'ipam', message: 'OVN-Kubernetes rejects an "ipam" key', fix: 'remove "ipam"; use "subnets" for OVN-managed IPs, or static "ips" in the pod annotation' });
  if (config.subnets !== undefined && (typeof config.subnets !== 'string' || config.subnets.split(',').some((s) => !parseCidr(s.trim()))))
    problems.push({ field: 'subnets', message: `subnets ${JSON.stringify(config.subnets)} is not a comma-separated list of CIDRs`, fix: 'write e.g. "192.168.200.0/24"' });
  return problems;
}

/** A localnet network's MTU when its NAD sets none. */
const LOCALNET_DEFAULT_MTU = 1500;

/**
 * The fields OVN-K requires every NAD of one network to agree on
 * (util/multi_network.go canReconcile, and subnets in the 4.19 generation),
 * as each reads them: an unset vlanID is 0, an unset mtu the default.
 */
const NETWORK_FIELDS: { field: string; value: (c: NadConfig) => unknown }[] = [
  { field: 'topology', value: (c) => c.topology },
  { field: 'mtu', value: (c) => c.mtu ?? LOCALNET_DEFAULT_MTU },
  { field: 'vlanID', value: (c) => c.vlanID ?? 0 },
  { field: 'physicalNetworkName', value: (c) => c.physicalNetworkName ?? '' },
  { field: 'allowPersistentIPs', value: (c) => c.allowPersistentIPs ?? false },
  { field: 'subnets', value: (c) => c.subnets ?? '' },
  { field: 'excludeSubnets', value: (c) => c.excludeSubnets ?? '' },
];

/** The first field on which `config` disagrees with `network`'s config (the network's first NAD), or undefined. */
export function networkMismatch(config: NadConfig, network: NadConfig): { field: string; mine: unknown; theirs: unknown } | undefined {
  for (const { field, value } of NETWORK_FIELDS) {
    if (value(config) !== value(network)) return { field, mine: value(config), theirs: value(network) };
  }
  return undefined;
}
