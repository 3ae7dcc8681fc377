import { physicalNetworkName } from '../../k8s/nad-config.ts';
import { diagnosticAt } from '../context.ts';
import type { LintRule } from '../rule.ts';

export const nadBridgeMapping: LintRule = {
  id: 'nad-bridge-mapping',
  description: "A localnet NAD's network name (or physicalNetworkName) matches a localnet in an NNCP bridge mapping; otherwise no traffic leaves the nodes.",
  check: (ctx) => {
    const mapped = new Set(ctx.bridgeMappings.filter((m) => m.state !== 'absent' && m.localnet).map((m) => m.localnet));
    return ctx.nads.flatMap((nad) => {
      if (!nad.config || nad.config.topology !== 'localnet') return [];
      const network = physicalNetworkName(nad.config);
      if (network === undefined || mapped.has(network)) return [];
      const known = [...mapped].map((n) => `"${n}"`).join(', ');
      return [
        diagnosticAt(
          nad.manifest, ['spec', 'config'], 'nad-bridge-mapping',
          `network "${network}" has no bridge mapping in any NodeNetworkConfigurationPolicy${known ? ` (mapped: ${known})` : ''}; pods start but nothing reaches the physical network`,
          known ? `set the config "name" to one of ${known}, or add a bridge mapping for "${network}"` : `add an NNCP with spec.desiredState.ovn.bridge-mappings: [{localnet: ${network}, bridge: br-ex}]`,
        ),
      ];
    });
  },
};
