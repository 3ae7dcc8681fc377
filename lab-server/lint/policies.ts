/** MultiNetworkPolicies from the manifests, read the way OVN-Kubernetes reads them. */
import { objectsOfKind, type ManifestObject } from '../lesson/manifests.ts';
import { getPath, isRecord } from '../k8s/object.ts';
import { POLICY_FOR, policyForTargets } from '../k8s/multi-network-policy.ts';
import { namespaceOf, type LintContext, type Nad } from './context.ts';

export const POLICY_FOR_ANNOTATION = POLICY_FOR;
export const DIRECTIONS = [
  { type: 'Ingress', rules: 'ingress', peers: 'from' },
  { type: 'Egress', rules: 'egress', peers: 'to' },
] as const;

export interface PolicyTarget {
  reference: string;
  namespace: string;
  name: string;
  nad?: Nad;
}

export interface Policy {
  manifest: ManifestObject;
  namespace: string;
  /** Undefined when the annotation is missing. */
  targets?: PolicyTarget[];
}

export function policies(ctx: LintContext): Policy[] {
  return objectsOfKind(ctx.manifests, 'MultiNetworkPolicy').map((manifest) => {
    const namespace = namespaceOf(manifest.object);
    if (manifest.object.metadata.annotations?.[POLICY_FOR_ANNOTATION] === undefined) return { manifest, namespace };
    const targets = policyForTargets(manifest.object).map((t): PolicyTarget => {
      const nad = ctx.nads.find((n) => n.namespace === t.namespace && n.name === t.name);
      return { reference: `${t.namespace}/${t.name}`, namespace: t.namespace, name: t.name, ...(nad ? { nad } : {}) };
    });
    return { manifest, namespace, targets };
  });
}

export interface PolicyRuleItem {
  direction: (typeof DIRECTIONS)[number];
  index: number;
  rule: Record<string, unknown>;
}

export function ruleItems(policy: Policy): PolicyRuleItem[] {
  return DIRECTIONS.flatMap((direction) => {
    const list = getPath(policy.manifest.object, ['spec', direction.rules]);
    return Array.isArray(list) ? list.map((rule, index) => ({ direction, index, rule: isRecord(rule) ? rule : {} })) : [];
  });
}
