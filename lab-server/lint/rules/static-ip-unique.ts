import { parseCidr, formatIPv4 } from '../../k8s/ipv4.ts';
import { diagnosticAt, resolveNad, type Workload } from '../context.ts';
import type { Diagnostic } from '../../lesson/diagnostic.ts';
import type { LintRule } from '../rule.ts';

export const staticIpUnique: LintRule = {
  id: 'static-ip-unique',
  description: 'No two workloads (pod ips or VM cloud-init addresses) share an address on the same network, nor use an external host\'s address.',
  check: (ctx) => {
    const out: Diagnostic[] = [];
    const owners = new Map<string, string>();
    for (const host of ctx.lesson?.lesson.environment.externalHosts ?? []) owners.set(`*|${host.ip}`, `external host ${host.name}`);
    for (const w of ctx.workloads) {
      for (const net of w.networks) {
        const nad = resolveNad(ctx, w, net);
        // A network is its config name: two networks on one localnet (other VLANs) may reuse an address.
        const network = nad?.config?.name ?? net.reference;
        for (const a of net.addresses) {
          const cidr = parseCidr(a.value);
          if (!cidr) continue;
          const ip = formatIPv4(cidr.address);
          const owner = owners.get(`${network}|${ip}`) ?? owners.get(`*|${ip}`);
          if (owner) out.push(diagnosticAt(w.manifest, a.path, 'static-ip-unique', `address ${ip} on network ${network} is already used by ${owner}`, 'give every workload its own address in the subnet'));
          else owners.set(`${network}|${ip}`, describe(w));
        }
      }
    }
    return out;
  },
};

function describe(w: Workload): string {
  return `${w.kind === 'Pod' ? 'pod' : 'VM'} ${w.namespace}/${w.name}`;
}
