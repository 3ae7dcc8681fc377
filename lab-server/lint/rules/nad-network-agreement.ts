import { networkMismatch } from '../../k8s/nad-config.ts';
import { diagnosticAt } from '../context.ts';
import type { LintRule } from '../rule.ts';

/**
 * NADs of one network (one config name) across namespaces must agree
 * (network-model-audit.md D4): OVN-K refuses a NAD whose topology, VLAN, MTU,
 * physicalNetworkName or subnets differ from the network's first, and pods
 * on it never start.
 */
export const nadNetworkAgreement: LintRule = {
  id: 'nad-network-agreement',
  description: 'Every NAD of one network (the same config "name") agrees on topology, vlanID, mtu, physicalNetworkName and subnets; OVN-K refuses the later one, and its pods never start.',
  check: (ctx) => {
    const first = new Map<string, (typeof ctx.nads)[number]>();
    return ctx.nads.flatMap((nad) => {
      const name = nad.config?.name;
      if (!nad.config || typeof name !== 'string') return [];
      const earlier = first.get(name);
      if (!earlier?.config) {
        first.set(name, nad);
        return [];
      }
      const mismatch = networkMismatch(nad.config, earlier.config);
      if (!mismatch) return [];
      const other = `${earlier.manifest.object.metadata.namespace ?? 'default'}/${earlier.manifest.object.metadata.name}`;
      return [
        diagnosticAt(
          nad.manifest, ['spec', 'config'], 'nad-network-agreement',
          `network "${name}" is also defined by ${other}, which has ${mismatch.field} ${JSON.stringify(mismatch.theirs)} where this NAD has ${JSON.stringify(mismatch.mine)}; OVN-K refuses this NAD ("CNI config does not match that of network ${name}") and pods on it never start`,
          `give this NAD the same ${mismatch.field} as ${other}, or give the network another "name"`,
        ),
      ];
    });
  },
};
