import { getPath } from '../../k8s/object.ts';
import { diagnosticAt } from '../context.ts';
import { policies } from '../policies.ts';
import type { Diagnostic } from '../../lesson/diagnostic.ts';
import type { LintRule } from '../rule.ts';

export const mnpPolicyTypes: LintRule = {
  id: 'mnp-policy-types',
  description: 'Every MultiNetworkPolicy lists policyTypes explicitly: OVN-K does not default them, so a policy without them isolates nothing.',
  check: (ctx) =>
    policies(ctx).flatMap((p): Diagnostic[] => {
      const types = getPath(p.manifest.object, ['spec', 'policyTypes']);
      if (!Array.isArray(types) || types.length === 0)
        return [diagnosticAt(p.manifest, ['spec'], 'mnp-policy-types', 'policyTypes is missing; under OVN-K the policy then isolates nothing (Kubernetes NetworkPolicy would default it, MultiNetworkPolicy does not)', 'add policyTypes: [Ingress, Egress], or just the direction you mean to isolate')];
      return types.flatMap((t, i) =>
        t === 'Ingress' || t === 'Egress' ? [] : [diagnosticAt(p.manifest, ['spec', 'policyTypes', i], 'mnp-policy-types', `policy type ${JSON.stringify(t)} is neither Ingress nor Egress`, 'use Ingress and/or Egress')],
      );
    }),
};
