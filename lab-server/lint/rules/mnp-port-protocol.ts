import { diagnosticAt } from '../context.ts';
import { policies, ruleItems } from '../policies.ts';
import type { LintRule } from '../rule.ts';

export const mnpPortProtocol: LintRule = {
  id: 'mnp-port-protocol',
  description: 'Every port in a MultiNetworkPolicy sets protocol: the CRD does not default it and OVN-K dereferences it.',
  check: (ctx) =>
    policies(ctx).flatMap((p) =>
      ruleItems(p).flatMap(({ direction, index, rule }) => {
        const ports = rule.ports;
        if (!Array.isArray(ports)) return [];
        return ports.flatMap((port, i) =>
          port && typeof port === 'object' && 'protocol' in port
            ? []
            : [diagnosticAt(p.manifest, ['spec', direction.rules, index, 'ports', i], 'mnp-port-protocol', 'a port without protocol; MultiNetworkPolicy does not default it to TCP', 'add protocol: TCP (or UDP, SCTP)')],
        );
      }),
    ),
};
