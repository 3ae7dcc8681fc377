/**
 * What a lesson's manifests put on the network: NADs with their parsed config,
 * NNCP bridge mappings, and workloads with their attachments, static addresses
 * and the labels a policy would see. Lint rules and the site's figures read it.
 */
import { objectsOfKind, type ManifestObject, type ManifestSet } from './manifests.ts';
import { parseNadConfig, type NadConfig } from '../k8s/nad-config.ts';
import { NETWORKS_ANNOTATION, parseNetworkSelection, type NetworkSelection } from '../k8s/network-selection.ts';
import { launcherPodLabels, vmCloudInitNetworkData, vmMultusNetworks } from '../k8s/kubevirt.ts';
import { getPath, isRecord, type KubeObject } from '../k8s/object.ts';

export interface Nad {
  manifest: ManifestObject;
  namespace: string;
  name: string;
  /** Undefined when spec.config is not valid JSON (its own rule reports that). */
  config?: NadConfig;
}

export interface BridgeMapping {
  manifest: ManifestObject;
  index: number;
  localnet?: string;
  bridge?: string;
  state: string;
}

export interface WorkloadNetwork {
  /** The reference as written: `name` or `namespace/name`. */
  reference: string;
  selection: NetworkSelection;
  /** Field path of the reference inside the manifest, for positions. */
  path: (string | number)[];
  /** Static addresses with prefix as written, with their own field paths. */
  addresses: { value: string; path: (string | number)[] }[];
}

export interface Workload {
  manifest: ManifestObject;
  kind: 'Pod' | 'VirtualMachine';
  namespace: string;
  name: string;
  /** The labels policies see: a pod's own, or the virt-launcher pod's for a VM. */
  labels: Record<string, string>;
  networks: WorkloadNetwork[];
  /** Set when the networks annotation cannot be parsed. */
  networkError?: string;
}

export interface NetworkInventory {
  nads: Nad[];
  bridgeMappings: BridgeMapping[];
  workloads: Workload[];
}

export const DEFAULT_NAMESPACE = 'default';

export function buildInventory(manifests: ManifestSet): NetworkInventory {
  const nads = objectsOfKind(manifests, 'NetworkAttachmentDefinition').map((manifest): Nad => {
    const parsed = parseNadConfig(getPath(manifest.object, ['spec', 'config']));
    return { manifest, namespace: namespaceOf(manifest.object), name: manifest.object.metadata.name, ...(parsed.ok ? { config: parsed.config } : {}) };
  });
  const bridgeMappings = objectsOfKind(manifests, 'NodeNetworkConfigurationPolicy').flatMap((manifest) => {
    const items = getPath(manifest.object, ['spec', 'desiredState', 'ovn', 'bridge-mappings']);
    if (!Array.isArray(items)) return [];
    return items.map((item, index): BridgeMapping => ({
      manifest,
      index,
      ...(isRecord(item) && typeof item.localnet === 'string' ? { localnet: item.localnet } : {}),
      ...(isRecord(item) && typeof item.bridge === 'string' ? { bridge: item.bridge } : {}),
      state: isRecord(item) && typeof item.state === 'string' ? item.state : 'present',
    }));
  });
  const workloads = [
    ...objectsOfKind(manifests, 'Pod').map(podWorkload),
    ...objectsOfKind(manifests, 'VirtualMachine').map(vmWorkload),
  ];
  return { nads, bridgeMappings, workloads };
}

export function namespaceOf(object: KubeObject): string {
  return object.metadata.namespace ?? DEFAULT_NAMESPACE;
}

function podWorkload(manifest: ManifestObject): Workload {
  const object = manifest.object;
  const base = { manifest, kind: 'Pod' as const, namespace: namespaceOf(object), name: object.metadata.name, labels: object.metadata.labels ?? {} };
  const annotation = object.metadata.annotations?.[NETWORKS_ANNOTATION];
  if (annotation === undefined) return { ...base, networks: [] };
  const path = ['metadata', 'annotations', NETWORKS_ANNOTATION];
  const parsed = parseNetworkSelection(annotation);
  if (!parsed.ok) return { ...base, networks: [], networkError: parsed.error };
  return {
    ...base,
    networks: parsed.selections.map((selection) => ({
      reference: selection.namespace ? `${selection.namespace}/${selection.name}` : selection.name,
      selection,
      path,
      addresses: (selection.ips ?? []).map((value) => ({ value, path })),
    })),
  };
}

function vmWorkload(manifest: ManifestObject): Workload {
  const object = manifest.object;
  const guest = vmCloudInitNetworkData(object);
  const networks = vmMultusNetworks(object);
  const specNetworks = getPath(object, ['spec', 'template', 'spec', 'networks']);
  const volumesPath = ['spec', 'template', 'spec', 'volumes'];
  return {
    manifest,
    kind: 'VirtualMachine',
    namespace: namespaceOf(object),
    name: object.metadata.name,
    labels: launcherPodLabels(object),
    networks: networks.map(({ networkName }) => {
      const [ns, name] = networkName.includes('/') ? networkName.split('/', 2) : [undefined, networkName];
      const index = Array.isArray(specNetworks) ? specNetworks.findIndex((n) => getPath(n, ['multus', 'networkName']) === networkName) : 0;
      return {
        reference: networkName,
        selection: { name: name ?? '', ...(ns ? { namespace: ns } : {}) },
        path: ['spec', 'template', 'spec', 'networks', index, 'multus', 'networkName'],
        // KubeVirt never sets `ips`; the guest's cloud-init owns the address.
        addresses: guest.addresses.filter((a) => a.device !== 'eth0').map((a) => ({ value: a.address, path: volumesPath })),
      };
    }),
    ...(guest.error ? { networkError: guest.error } : {}),
  };
}

/** The NAD a workload's network reference resolves to under Multus namespace isolation. */
export function resolveNad(ctx: NetworkInventory, workload: Workload, network: WorkloadNetwork): Nad | undefined {
  const namespace = network.selection.namespace ?? workload.namespace;
  return ctx.nads.find((n) => n.namespace === namespace && n.name === network.selection.name);
}

