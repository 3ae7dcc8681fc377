/**
 * The facts the two figures draw, derived from the lesson model: which networks
 * exist, who is attached to them with which address, and which nodes carry which
 * localnet. Nothing here is hand-written per lesson.
 */
import type { Environment } from '../../lab-server/lesson/schema.ts';
import type { ManifestSet } from '../../lab-server/lesson/manifests.ts';
import { buildInventory, resolveNad } from '../../lab-server/lesson/inventory.ts';
import { physicalNetworkName } from '../../lab-server/k8s/nad-config.ts';
import { nodesMatching } from '../../lab-server/lesson/environment.ts';
import { getPath, stringMap } from '../../lab-server/k8s/object.ts';

export interface SecondaryNetwork {
  name: string;
  vlan?: number;
  subnet?: string;
  /** NADs publishing it, as namespace/name. */
  attachments: string[];
}

export interface Endpoint {
  label: string;
  detail: string;
  kind: 'pod' | 'vm' | 'host';
  /** Address on the secondary network, without prefix. */
  address?: string;
  network?: string;
}

export interface Topology {
  clusterNetwork: string;
  secondary: SecondaryNetwork[];
  endpoints: Endpoint[];
  nodes: { name: string; roles: string[]; nic: string; mappings: string[] }[];
  bridge: string;
  physicalNetworks: Environment['physicalNetworks'];
  externalHosts: Environment['externalHosts'];
}

export function deriveTopology(env: Environment, manifests: ManifestSet): Topology {
  const inventory = buildInventory(manifests);
  const secondary = new Map<string, SecondaryNetwork>();
  for (const nad of inventory.nads) {
    const name = nad.config ? physicalNetworkName(nad.config) : undefined;
    if (!name) continue;
    const vlan = nad.config?.vlanID;
    const net = secondary.get(name) ?? { name, attachments: [], ...(vlan ? { vlan } : {}), ...subnetFor(env, vlan) };
    net.attachments.push(`${nad.namespace}/${nad.name}`);
    secondary.set(name, net);
  }
  const endpoints: Endpoint[] = inventory.workloads.map((w) => {
    const net = w.networks[0];
    const nad = net ? resolveNad(inventory, w, net) : undefined;
    const address = net?.addresses[0]?.value.split('/')[0];
    const network = nad?.config ? physicalNetworkName(nad.config) : undefined;
    return {
      label: w.name,
      detail: `${w.kind === 'Pod' ? 'pod' : 'VM'} · ${w.namespace}`,
      kind: w.kind === 'Pod' ? 'pod' : 'vm',
      ...(address ? { address } : {}),
      ...(network ? { network } : {}),
    };
  });
  for (const host of env.externalHosts) {
    const vlan = env.physicalNetworks.find((n) => n.name === host.network)?.vlan;
    const network = [...secondary.values()].find((s) => s.vlan === vlan)?.name;
    const services = host.services.map((s) => `${s.kind} :${s.port}`).join(', ');
    endpoints.push({ label: host.name, detail: services || host.description, kind: 'host', address: host.ip, ...(network ? { network } : {}) });
  }
  const nodes = env.nodes.map((node) => {
    const mappings = inventory.bridgeMappings
      .filter((m) => m.state !== 'absent' && m.localnet && nodesMatching(env, stringMap(getPath(m.manifest.object, ['spec', 'nodeSelector']))).includes(node))
      .map((m) => `${m.localnet} → ${m.bridge}`);
    return { name: node.name, roles: node.roles, nic: node.nic.name, mappings };
  });
  return { clusterNetwork: env.cluster.clusterNetwork, secondary: [...secondary.values()], endpoints, nodes, bridge: env.bridge, physicalNetworks: env.physicalNetworks, externalHosts: env.externalHosts };
}

function subnetFor(env: Environment, vlan: number | undefined): { subnet?: string } {
  const net = env.physicalNetworks.find((n) => n.vlan === vlan);
  return net ? { subnet: net.subnet } : {};
}
