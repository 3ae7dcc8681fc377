import { ACL_PROTOCOLS } from '../../k8s/multi-network-policy.ts';
import { diagnosticAt } from '../context.ts';
import { policies, ruleItems } from '../policies.ts';
import type { LintRule } from '../rule.ts';

/**
 * Ports as OVN-K reads them (network-model-audit.md D6, D13): a protocol it
 * cannot write (lowercase, ICMP) leaves the rule's ACL unparsable, a quoted
 * port is IntVal 0 and opens the whole protocol, and a missing protocol is
 * TCP only since OVN-K's fix for the nil dereference (OpenShift 4.17.z).
 */
export const mnpPortProtocol: LintRule = {
  id: 'mnp-port-protocol',
  description: 'Every port in a MultiNetworkPolicy sets protocol to TCP, UDP or SCTP, and its port as a number: OVN-K drops the rule for any other protocol and opens the whole protocol for a quoted port.',
  check: (ctx) =>
    policies(ctx).flatMap((p) =>
      ruleItems(p).flatMap(({ direction, index, rule }) => {
        const ports = rule.ports;
        if (!Array.isArray(ports)) return [];
        return ports.flatMap((port: unknown, i) => {
          const at = (field?: string) => ['spec', direction.rules, index, 'ports', i, ...(field ? [field] : [])];
          if (!port || typeof port !== 'object') return [];
          const { protocol, port: number } = port as Record<string, unknown>;
          const found = [];
          if (protocol === undefined)
            found.push(diagnosticAt(p.manifest, at(), 'mnp-port-protocol', 'a port without protocol; the CRD does not default it, OVN-K takes it as TCP only since OpenShift 4.17.z and crashed on it before', 'add protocol: TCP (or UDP, SCTP)'));
          else if (!(ACL_PROTOCOLS as readonly unknown[]).includes(protocol))
            found.push(diagnosticAt(p.manifest, at('protocol'), 'mnp-port-protocol', `protocol ${JSON.stringify(protocol)} is not one OVN-K writes an ACL for (TCP, UDP, SCTP, in capitals), so this rule allows nothing`, 'write protocol: TCP, UDP or SCTP; ICMP cannot be allowed by a MultiNetworkPolicy port'));
          if (typeof number === 'string')
            found.push(diagnosticAt(p.manifest, at('port'), 'mnp-port-protocol', `port ${JSON.stringify(number)} is a string; OVN-K reads it as 0 and opens every ${typeof protocol === 'string' ? protocol : 'TCP'} port`, /^\d+$/.test(number) ? `write port: ${number} without quotes` : 'write the port number; named ports are not resolved for MultiNetworkPolicy'));
          return found;
        });
      }),
    ),
};
