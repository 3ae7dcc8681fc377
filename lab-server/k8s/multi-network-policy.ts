/**
 * MultiNetworkPolicy as OVN-Kubernetes implements it for secondary networks
 * (network-semantics.md §4): policy-for resolution per network, namespace
 * scope, policyTypes taken as written, rules of an unlisted type still
 * allowing, and selector peers voiding a policy on an IPAM-less network.
 */
import { cidrContains, parseCidr, parseIPv4, type Cidr } from './ipv4.ts';
import { selectorMatches, toLabelSelector } from './label-selector.ts';
import { getPath, isRecord, type KubeObject } from './object.ts';

export const POLICY_FOR = 'k8s.v1.cni.cncf.io/policy-for';
export type Direction = 'Ingress' | 'Egress';

/**
 * The NADs a policy's policy-for names, as namespace/name. OVN-K strips
 * spaces only (multipolicy.go): a value written as a YAML block scalar ends
 * in a newline and names no NAD, so the policy is silently ignored.
 */
export function policyForTargets(policy: KubeObject): { namespace: string; name: string }[] {
  const annotation = policy.metadata.annotations?.[POLICY_FOR];
  if (!annotation) return [];
  const namespace = policy.metadata.namespace ?? 'default';
  return annotation
    .replaceAll(' ', '')
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
        if (isRecord(peer) && (isSet(peer.podSelector) || isSet(peer.namespaceSelector)))
          return `invalid ${direction.toLowerCase()} peer ${JSON.stringify(peer)} in multi-network policy ${policy.metadata.namespace}/${policy.metadata.name}; IPAM-less networks can only have \`ipBlock\` peers`;
      }
    }
  }
  return undefined;
}

/** Go's view of an optional field: absent and null are both nil. */
const isSet = (value: unknown) => value !== undefined && value !== null;

export function podSelectorMatches(policy: KubeObject, labels: Record<string, string>): boolean {
  const parsed = toLabelSelector(getPath(policy, ['spec', 'podSelector']));
  return parsed.ok && selectorMatches(parsed.selector, labels);
}

/** The protocols OVN-K writes an ACL match for (acl.go); any other string, lowercase included, makes none. */
export const ACL_PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;

const hasUnwritableProtocol = (ports: unknown[]) => ports.some((p) => isRecord(p) && p.protocol !== undefined && !(ACL_PROTOCOLS as readonly unknown[]).includes(p.protocol));

/**
 * An ipBlock address as OVN-K writes it into the ACL match: verbatim, so a
 * bare address is a /32 there, where Kubernetes' NetworkPolicy would refuse it.
 */
export function ipBlockCidr(text: string): Cidr | undefined {
  return parseCidr(text) ?? (parseIPv4(text) !== undefined ? parseCidr(`${text}/32`) : undefined);
}

/**
 * A peer OVN-K builds nothing from: no ipBlock and no selectors (a null
 * selector is Go's nil, so it counts as absent). It skips such a peer, and a
 * rule left with no peers matches every address.
 */
export function isEmptyPeer(peer: unknown): boolean {
  return isRecord(peer) && !isSet(peer.ipBlock) && !isSet(peer.podSelector) && !isSet(peer.namespaceSelector);
}

/**
 * Whether one rule admits a peer address on a port, as OVN-K's ACLs do for an
 * IPAM-less network: ipBlock peers only (empty peers skipped); a port written
 * as a string is IntVal 0 to OVN-K, so it opens the whole protocol (with an
 * endPort, 0..endPort); a protocol OVN-K cannot write makes the rule's ACL
 * unparsable, so the rule admits nothing.
 */
export function ruleAllows(rule: Record<string, unknown>, direction: Direction, peerIP: string, port: number, protocol: string): boolean {
  const written = rule[direction === 'Ingress' ? 'from' : 'to'];
  const peers = Array.isArray(written) ? written.filter((peer) => !isEmptyPeer(peer)) : [];
  const ip = parseIPv4(peerIP);
  const peerOk =
    peers.length === 0 ||
    peers.some((peer) => {
      const block = getPath(peer, ['ipBlock']);
      if (!isRecord(block) || typeof block.cidr !== 'string') return false;
      const cidr = ipBlockCidr(block.cidr);
      if (!cidr || ip === undefined || !cidrContains(cidr, ip)) return false;
      const except = Array.isArray(block.except) ? block.except.map((e) => ipBlockCidr(String(e))).filter((c) => c !== undefined) : [];
      return !except.some((c) => cidrContains(c, ip));
    });
  const ports = Array.isArray(rule.ports) ? rule.ports : [];
  if (hasUnwritableProtocol(ports)) return false;
  const portOk =
    ports.length === 0 ||
    ports.some((p) => {
      if (!isRecord(p)) return false;
      if ((p.protocol ?? 'TCP') !== protocol) return false;
      const start = typeof p.port === 'number' ? p.port : 0;
      const end = typeof p.endPort === 'number' ? p.endPort : typeof p.port === 'number' ? p.port : undefined;
      return end === undefined || (port >= start && port <= end);
    });
  return peerOk && portOk;
}

/**
 * Whether OVN-K writes an allow ACL for a rule on an IPAM-less network: not
 * when a port's protocol makes the match unparsable, nor when every peer it
 * names is an ipBlock OVN cannot parse (empty peers are skipped: a rule left
 * with none allows every address).
 */
export function makesAllowAcl(rule: Record<string, unknown>): boolean {
  const ports = Array.isArray(rule.ports) ? rule.ports : [];
  if (hasUnwritableProtocol(ports)) return false;
  const peers = [...(Array.isArray(rule.from) ? rule.from : []), ...(Array.isArray(rule.to) ? rule.to : [])].filter((peer) => !isEmptyPeer(peer));
  return peers.length === 0 || peers.some((peer) => {
    const cidr = getPath(peer, ['ipBlock', 'cidr']);
    return typeof cidr === 'string' && ipBlockCidr(cidr) !== undefined;
  });
}
