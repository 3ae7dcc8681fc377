/** MultiNetworkPolicies from the manifests, read the way OVN-Kubernetes reads them. */
import { objectsOfKind, type ManifestObject } from '../lesson/manifests.ts';
import { getPath, isRecord } from '../k8s/object.ts';
import { namespaceOf, type LintContext, type Nad } from './context.ts';

export const POLICY_FOR_ANNOTATION = 'k8s.v1.cni.cncf.io/policy-for';
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
    const annotation = manifest.object.metadata.annotations?.[POLICY_FOR_ANNOTATION];
    if (annotation === undefined) return { manifest, namespace };
    // Comma-separated, spaces stripped; a bare name means the policy's namespace.
    const targets = annotation
      .replace(/\s+/g, '')
      .split(',')
      .filter(Boolean)
      .map((reference): PolicyTarget => {
        const [ns, name] = reference.includes('/') ? (reference.split('/', 2) as [string, string]) : [namespace, reference];
        const nad = ctx.nads.find((n) => n.namespace === ns && n.name === name);
        return { reference, namespace: ns, name, ...(nad ? { nad } : {}) };
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
