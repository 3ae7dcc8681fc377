import { getPath } from '../../k8s/object.ts';
import { diagnosticAt } from '../context.ts';
import { DIRECTIONS, policies } from '../policies.ts';
import type { LintRule } from '../rule.ts';

export const mnpUnlistedRules: LintRule = {
  id: 'mnp-unlisted-rules',
  description: 'A MultiNetworkPolicy gives no rules for a direction its policyTypes does not list: the spec ignores them, OVN-K still builds allow ACLs for them, so the outcome depends on the implementation.',
  check: (ctx) =>
    policies(ctx).flatMap((p) => {
      const types = getPath(p.manifest.object, ['spec', 'policyTypes']);
      if (!Array.isArray(types) || types.length === 0) return []; // mnp-policy-types reports that
      return DIRECTIONS.flatMap((d) => {
        const rules = getPath(p.manifest.object, ['spec', d.rules]);
        if (!Array.isArray(rules) || rules.length === 0 || types.includes(d.type)) return [];
        return [diagnosticAt(p.manifest, ['spec', d.rules], 'mnp-unlisted-rules',
          `has ${d.rules} rules but policyTypes is [${types.join(', ')}] without ${d.type}; Kubernetes semantics ignore them, OVN-K turns them into a latent allow`,
          `add ${d.type} to policyTypes if the ${d.rules} rules are meant, or remove them`)];
      });
    }),
};
