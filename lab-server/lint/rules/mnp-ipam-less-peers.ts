import { hasIpam } from '../../k8s/nad-config.ts';
import { diagnosticAt } from '../context.ts';
import { policies, ruleItems } from '../policies.ts';
import type { LintRule } from '../rule.ts';

export const mnpIpamLessPeers: LintRule = {
  id: 'mnp-ipam-less-peers',
  description: 'On a network without "subnets" (IPAM-less, as static IPs require) a MultiNetworkPolicy may use only ipBlock peers; one selector peer makes OVN-K reject the whole policy.',
  check: (ctx) =>
    policies(ctx).flatMap((p) => {
      const ipamLess = (p.targets ?? []).filter((t) => t.nad?.config && !hasIpam(t.nad.config));
      if (ipamLess.length === 0) return [];
      return ruleItems(p).flatMap(({ direction, index, rule }) => {
        const peers = rule[direction.peers];
        if (!Array.isArray(peers)) return [];
        return peers.flatMap((peer, i) => {
          const selectors = ['podSelector', 'namespaceSelector'].filter((k) => peer && typeof peer === 'object' && k in peer);
          if (selectors.length === 0) return [];
          return [diagnosticAt(p.manifest, ['spec', direction.rules, index, direction.peers, i], 'mnp-ipam-less-peers',
            `a ${selectors.join(' + ')} peer on ${ipamLess[0]?.reference}, which has no subnets; OVN-K rejects the whole policy ("IPAM-less networks can only have ipBlock peers")`,
            'use ipBlock peers with the workloads\' static addresses, e.g. - ipBlock: {cidr: 192.168.200.20/32}')];
        });
      });
    }),
};
