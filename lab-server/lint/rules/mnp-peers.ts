import { ipBlockCidr, isEmptyPeer } from '../../k8s/multi-network-policy.ts';
import { parseCidr } from '../../k8s/ipv4.ts';
import { isRecord } from '../../k8s/object.ts';
import { diagnosticAt } from '../context.ts';
import { policies, ruleItems } from '../policies.ts';
import type { LintRule } from '../rule.ts';

/**
 * Peers OVN-K accepts but reads otherwise than Kubernetes' NetworkPolicy
 * would (network-model-audit.md D2, D7): an empty peer matches everything,
 * and a bare address in an ipBlock is a /32.
 */
export const mnpPeers: LintRule = {
  id: 'mnp-peers',
  description: 'MultiNetworkPolicy peers name something, and ipBlock cidr/except entries carry a prefix length: OVN-K lets an empty peer {} match every address and reads a bare address as /32.',
  check: (ctx) =>
    policies(ctx).flatMap((p) =>
      ruleItems(p).flatMap(({ direction, index, rule }) => {
        const peers = rule[direction.peers];
        if (!Array.isArray(peers)) return [];
        return peers.flatMap((peer: unknown, i) => {
          const at = ['spec', direction.rules, index, direction.peers, i];
          if (isEmptyPeer(peer))
            return [diagnosticAt(p.manifest, at, 'mnp-peers', 'an empty peer; OVN-K skips it, and a rule left with no peers allows every address (Kubernetes NetworkPolicy would reject it)', 'name an ipBlock, or remove the peer')];
          const block = isRecord(peer) && isRecord(peer.ipBlock) ? peer.ipBlock : undefined;
          if (!block) return [];
          const entries: { path: (string | number)[]; value: unknown }[] = [
            { path: [...at, 'ipBlock', 'cidr'], value: block.cidr },
            ...(Array.isArray(block.except) ? block.except.map((value, j) => ({ path: [...at, 'ipBlock', 'except', j], value })) : []),
          ];
          return entries
            .filter((e) => typeof e.value === 'string' && !parseCidr(e.value) && ipBlockCidr(e.value) !== undefined)
            .map((e) => diagnosticAt(p.manifest, e.path, 'mnp-peers', `${String(e.value)} has no prefix length; OVN-K reads it as ${String(e.value)}/32, Kubernetes NetworkPolicy would reject it`, `write ${String(e.value)}/32`));
        });
      }),
    ),
};
