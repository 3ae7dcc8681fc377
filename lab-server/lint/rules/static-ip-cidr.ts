import { parseCidr } from '../../k8s/ipv4.ts';
import { diagnosticAt } from '../context.ts';
import type { LintRule } from '../rule.ts';

export const staticIpCidr: LintRule = {
  id: 'static-ip-cidr',
  description: 'Static addresses are CIDRs with a prefix length (OVN-K parses them with ParseCIDR; a bare IP fails).',
  check: (ctx) =>
    ctx.workloads.flatMap((w) =>
      w.networks.flatMap((net) =>
        net.addresses
          .filter((a) => !parseCidr(a.value))
          .map((a) => diagnosticAt(w.manifest, a.path, 'static-ip-cidr', `static address "${a.value}" on ${net.reference} is not a CIDR`, `write it with its prefix length, e.g. "${a.value.split('/')[0]}/24"`)),
      ),
    ),
};
