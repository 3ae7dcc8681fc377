import { diagnosticAt } from '../context.ts';
import { policies, POLICY_FOR_ANNOTATION } from '../policies.ts';
import type { LintRule } from '../rule.ts';

export const mnpPolicyFor: LintRule = {
  id: 'mnp-policy-for',
  description: `Every MultiNetworkPolicy has a ${POLICY_FOR_ANNOTATION} annotation naming NADs the lesson defines; otherwise OVN-K silently ignores it.`,
  check: (ctx) =>
    policies(ctx).flatMap((p) => {
      if (!p.targets || p.targets.length === 0)
        return [diagnosticAt(p.manifest, ['metadata'], 'mnp-policy-for', `has no ${POLICY_FOR_ANNOTATION} annotation, so no network enforces it`, `add annotations: {${POLICY_FOR_ANNOTATION}: ${p.namespace}/<nad-name>}`)];
      return p.targets
        .filter((t) => !t.nad)
        .map((t) =>
          /\s/.test(`${t.namespace}/${t.name}`)
            ? diagnosticAt(p.manifest, ['metadata', 'annotations', POLICY_FOR_ANNOTATION], 'mnp-policy-for', `policy-for names ${JSON.stringify(`${t.namespace}/${t.name}`)}: OVN-K strips only spaces, so a newline or tab stays part of the name and the policy is ignored`, 'write the value on one line (policy-for: ns/name), not as a block scalar (|)')
            : diagnosticAt(p.manifest, ['metadata', 'annotations', POLICY_FOR_ANNOTATION], 'mnp-policy-for', `policy-for names ${t.namespace}/${t.name}, which no manifest defines; OVN-K ignores the policy`, 'name an existing NAD as namespace/name'),
        );
    }),
};
