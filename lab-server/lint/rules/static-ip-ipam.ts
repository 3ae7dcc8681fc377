import { hasIpam } from '../../k8s/nad-config.ts';
import { diagnosticAt, resolveNad } from '../context.ts';
import type { LintRule } from '../rule.ts';

export const staticIpIpam: LintRule = {
  id: 'static-ip-ipam',
  description: 'Static ips are requested only on NADs without "subnets" (OVN-K: "cannot allocate a static IP request with IPAM").',
  check: (ctx) =>
    ctx.workloads
      .filter((w) => w.kind === 'Pod')
      .flatMap((w) =>
        w.networks.flatMap((net) => {
          const nad = resolveNad(ctx, w, net);
          if (!nad?.config || !hasIpam(nad.config) || net.addresses.length === 0) return [];
          return [diagnosticAt(w.manifest, net.path, 'static-ip-ipam',
            `requests static ips on ${nad.namespace}/${nad.name}, whose config sets subnets "${nad.config.subnets}"; OVN-K refuses: "cannot allocate a static IP request with IPAM"`,
            'remove "ips" and let OVN-K assign an address, or remove "subnets" from the NAD config')];
        }),
      ),
};
