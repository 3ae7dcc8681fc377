/**
 * MultiNetworkPolicy as OVN-Kubernetes implements it for secondary networks
 * (network-semantics.md §4): policy-for resolution per network, namespace
 * scope, policyTypes taken as written, rules of an unlisted type still
 * allowing, and selector peers voiding a policy on an IPAM-less network.
 */
import { cidrContains, parseCidr, parseIPv4 } from './ipv4.ts';
import { selectorMatches, toLabelSelector } from './label-selector.ts';
import { getPath, isRecord, type KubeObject } from './object.ts';

export const POLICY_FOR = 'k8s.v1.cni.cncf.io/policy-for';
export type Direction = 'Ingress' | 'Egress';

/** The NADs a policy's policy-for names, as namespace/name. */
export function policyForTargets(policy: KubeObject): { namespace: string; name: string }[] {
  const annotation = policy.metadata.annotations?.[POLICY_FOR];
  if (!annotation) return [];
  const namespace = policy.metadata.namespace ?? 'default';
  return annotation
    .replace(/\s+/g, '')
    .split(',')
    .filter(Boolean)
    .map((ref) => (ref.includes('/') ? { namespace: ref.split('/')[0]!, name: ref.split('/')[1]! } : { namespace, name: ref }));
}

export function declaredPolicyTypes(policy: KubeObject): Direction[] {
  const types = getPath(policy, ['spec', 'policyTypes']);
  return Array.isArray(types) ? (types.filter((t) => t === 'Ingress' || t === 'Egress') as Direction[]) : [];
}

export function rulesOf(policy: KubeObject, direction: Direction): Record<string, unknown>[] {
  const rules = getPath(policy, ['spec', direction === 'Ingress' ? 'ingress' : 'egress']);
  return Array.isArray(rules) ? rules.map((r) => (isRecord(r) ? r : {})) : [];
}

/** Why OVN-K would not apply the policy on a network, or undefined when it applies. */
export function voidReason(policy: KubeObject, networkHasIpam: boolean): string | undefined {
  if (networkHasIpam) return undefined;
  for (const direction of ['Ingress', 'Egress'] as const) {
    for (const rule of rulesOf(policy, direction)) {
      const peers = rule[direction === 'Ingress' ? 'from' : 'to'];
      if (!Array.isArray(peers)) continue;
      for (const peer of peers) {
        if (isRecord(peer) && ('podSelector' in peer || 'namespaceSelector' in peer))
          return `invalid ${direction.toLowerCase()} peer ${JSON.stringify(peer)} in multi-network policy ${policy.metadata.namespace}/${policy.metadata.name}; IPAM-less networks can only have \`ipBlock\` peers`;
      }
    }
  }
  return undefined;
}

export function podSelectorMatches(policy: KubeObject, labels: Record<string, string>): boolean {
  const parsed = toLabelSelector(getPath(policy, ['spec', 'podSelector']));
  return parsed.ok && selectorMatches(parsed.selector, labels);
}

/** Whether one rule admits a peer address on a port (ipBlock peers only, as IPAM-less networks allow). */
export function ruleAllows(rule: Record<string, unknown>, direction: Direction, peerIP: string, port: number, protocol: string): boolean {
  const peers = rule[direction === 'Ingress' ? 'from' : 'to'];
  const peerOk =
    !Array.isArray(peers) || peers.length === 0 ||
    peers.some((peer) => {
      const block = getPath(peer, ['ipBlock']);
      if (!isRecord(block) || typeof block.cidr !== 'string') return false;
      const cidr = parseCidr(block.cidr);
      const ip = parseIPv4(peerIP);
      if (!cidr || ip === undefined || !cidrContains(cidr, ip)) return false;
      const except = Array.isArray(block.except) ? block.except.map((e) => parseCidr(String(e))).filter((c) => c !== undefined) : [];
      return !except.some((c) => cidrContains(c!, ip));
    });
  const ports = rule.ports;
  const portOk =
    !Array.isArray(ports) || ports.length === 0 ||
    ports.some((p) => {
      if (!isRecord(p)) return false;
      if ((p.protocol ?? 'TCP') !== protocol) return false;
      if (p.port === undefined) return true;
      const end = typeof p.endPort === 'number' ? p.endPort : p.port;
      return typeof p.port === 'number' && port >= p.port && port <= (end as number);
    });
  return peerOk && portOk;
}
