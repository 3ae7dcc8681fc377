import { describeSelector, selectorMatches, toLabelSelector } from '../../k8s/label-selector.ts';
import { getPath } from '../../k8s/object.ts';
import { diagnosticAt, workloadLabel } from '../context.ts';
import { policies } from '../policies.ts';
import type { LintRule } from '../rule.ts';

export const mnpSelectorMatches: LintRule = {
  id: 'mnp-selector-matches',
  description: "A MultiNetworkPolicy's podSelector matches at least one workload in its own namespace (a VM counts with its virt-launcher pod's labels).",
  check: (ctx) =>
    policies(ctx).flatMap((p) => {
      const parsed = toLabelSelector(getPath(p.manifest.object, ['spec', 'podSelector']));
      if (!parsed.ok) return [diagnosticAt(p.manifest, ['spec', 'podSelector'], 'mnp-selector-matches', `podSelector is invalid: ${parsed.error}`, 'write podSelector: {matchLabels: {key: value}} or {} for every pod')];
      const local = ctx.workloads.filter((w) => w.namespace === p.namespace);
      if (local.some((w) => selectorMatches(parsed.selector, w.labels))) return [];
      const elsewhere = ctx.workloads.filter((w) => w.namespace !== p.namespace && selectorMatches(parsed.selector, w.labels));
      const detail = local.length > 0 ? `; workloads there: ${local.map(workloadLabel).join('; ')}` : '; no workload lives there';
      const cross = elsewhere.length > 0 ? `. It matches ${elsewhere.map((w) => `${w.namespace}/${w.name}`).join(', ')} in another namespace, but a policy only selects pods in its own` : '';
      return [diagnosticAt(p.manifest, ['spec', 'podSelector'], 'mnp-selector-matches',
        `podSelector ${describeSelector(parsed.selector)} matches no workload in ${p.namespace}${detail}${cross}`,
        `select labels a workload in ${p.namespace} has (for a VM: its template labels or vm.kubevirt.io/name), or move the policy to the workload's namespace`)];
    }),
};
