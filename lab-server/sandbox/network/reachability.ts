/**
 * "Can A reach B:port/TCP?" — one decision procedure, as network-semantics.md
 * §6 sets it out: the path (interface, bridge mappings, VLAN, subnet), then
 * egress policy on the source and ingress policy on the destination, enforced
 * only while useMultiNetworkPolicy is on, then whether anything listens.
 * Every step is recorded, so the answer explains itself.
 */
import { cidrContains, parseCidr, parseIPv4 } from '../../k8s/ipv4.ts';
import { hasIpam, parseNadConfig } from '../../k8s/nad-config.ts';
import { declaredPolicyTypes, makesAllowAcl, podSelectorMatches, policyForTargets, ruleAllows, rulesOf, voidReason, type Direction } from '../../k8s/multi-network-policy.ts';
import { getPath, type KubeObject } from '../../k8s/object.ts';
import type { ClusterView } from '../store/cluster-view.ts';
import { bridgeMappings, externalHosts, workloads, type Attachment, type ExternalHost, type Workload } from './topology.ts';

export type Outcome = 'connected' | 'refused' | 'timeout' | 'unavailable';

export interface Decision {
  outcome: Outcome;
  /** What decided the outcome, in a sentence a learner can act on. */
  reason: string;
  /** Which kind of thing decided: the path, a policy (by name), or the listener. */
  decidedBy: { kind: 'source' | 'path' | 'policy' | 'listener'; name?: string };
  /** Every step taken, in order. */
  steps: string[];
}

export interface Endpoint {
  namespace: string;
  pod?: string;
  vm?: string;
}

export function enforcementOn(cluster: ClusterView): boolean {
  return getPath(cluster.store.get('operator.openshift.io/networks', undefined, 'cluster'), ['spec', 'useMultiNetworkPolicy']) === true;
}

function contains(attachment: Attachment, ip: string): boolean {
  if (!attachment.ip || attachment.prefix === undefined) return false;
  const net = parseCidr(`${attachment.ip}/${attachment.prefix}`);
  const address = parseIPv4(ip);
  return net !== undefined && address !== undefined && cidrContains(net, address);
}

export function canReach(cluster: ClusterView, from: Endpoint, to: { host: string; port: number; protocol?: string }): Decision {
  const protocol = to.protocol ?? 'TCP';
  const steps: string[] = [];
  const all = workloads(cluster);
  const source = all.find((w) => w.namespace === from.namespace && w.name === (from.pod ?? from.vm) && w.kind === (from.pod ? 'pod' : 'vm'));
  const label = `${from.pod ? 'pod' : 'VM'} ${from.namespace}/${from.pod ?? from.vm}`;
  const done = (outcome: Outcome, reason: string, decidedBy: Decision['decidedBy']): Decision => ({ outcome, reason, decidedBy, steps: [...steps, reason] });
  if (!source) return done('unavailable', `${label} does not exist`, { kind: 'source' });
  if (!source.running) return done('unavailable', `${label} is not running, so it cannot open connections`, { kind: 'source' });

  // 1. The path: the interface whose subnet holds the destination, else the default route.
  const via = source.attachments.find((a) => contains(a, to.host));
  if (!via) {
    const onNetwork = source.attachments.map((a) => `${a.nad} (${a.ip ?? 'no address'})`).join(', ');
    return done('timeout', `${label} has no interface in ${to.host}'s subnet${onNetwork ? ` (it has ${onNetwork})` : ''}; the packet leaves by the default route on the cluster network, which does not reach it`, { kind: 'path' });
  }
  steps.push(`${label} sends from ${via.ip} on ${via.nad} (network ${via.network}${via.physicalNetwork !== via.network ? ` on localnet ${via.physicalNetwork}` : ''}${via.vlan ? `, VLAN ${via.vlan}` : ', untagged'})`);
  const localnet = via.physicalNetwork;
  const mapped = (node: string | undefined) => (node ? bridgeMappings(cluster, node).find((m) => m.localnet === localnet) : undefined);
  const sourceMapped = mapped(source.node);

  const host = externalHosts(cluster).find((h) => h.ip === to.host);
  // Each network is a logical switch of its own; another network is reached only across the
  // physical network, on the same localnet and the same VLAN.
  const sameSegment = (a: Attachment) => a.network === via.network || (a.physicalNetwork === localnet && a.vlan === via.vlan);
  const peer = all.find((w) => w !== source && w.attachments.some((a) => sameSegment(a) && a.ip === to.host));
  let destination: { workload?: Workload; host?: ExternalHost; attachment?: Attachment };
  if (host) {
    if (!sourceMapped) return done('timeout', `node ${source.node} has no bridge mapping for localnet ${localnet}, so traffic on that network never leaves the node (apply an NNCP mapping ${localnet} to br-ex)`, { kind: 'path' });
    steps.push(`node ${source.node} maps localnet ${localnet} to ${sourceMapped.bridge}`);
    const hostVlan = host.vlan;
    if ((via.vlan ?? 'untagged') !== hostVlan)
      return done('timeout', `${via.nad} tags frames ${via.vlan ? `with VLAN ${via.vlan}` : 'with no VLAN'}, but ${host.name} (${host.ip}) is on ${hostVlan === 'untagged' ? 'the untagged network' : `VLAN ${hostVlan}`}`, { kind: 'path' });
    steps.push(`VLAN ${hostVlan} reaches ${host.name} (${host.ip})`);
    destination = { host };
  } else if (peer) {
    const attachment = peer.attachments.find((a) => sameSegment(a) && a.ip === to.host)!;
    const peerLabel = `${peer.kind === 'pod' ? 'pod' : 'VM'} ${peer.namespace}/${peer.name}`;
    if (!peer.running) return done('timeout', `${peerLabel} holds ${to.host} but is not running`, { kind: 'path' });
    const otherNetwork = attachment.network !== via.network;
    if (peer.node !== source.node || otherNetwork) {
      // Across nodes, or into another network's switch: the frames cross the physical network, which needs both mappings.
      const across = otherNetwork ? `${peerLabel} on network ${attachment.network}` : `${peerLabel} on node ${peer.node}`;
      if (!sourceMapped) return done('timeout', `node ${source.node} has no bridge mapping for localnet ${localnet}, so traffic to ${across} never leaves it`, { kind: 'path' });
      if (!mapped(peer.node)) return done('timeout', `node ${peer.node} has no bridge mapping for localnet ${localnet}, so ${peerLabel} cannot be reached from another node`, { kind: 'path' });
      steps.push(otherNetwork ? `${attachment.nad} is network ${attachment.network} on the same localnet and VLAN, so the frames cross the physical network to it` : `nodes ${source.node} and ${peer.node} both map localnet ${localnet}`);
    } else {
      steps.push(`${label} and ${peerLabel} share node ${source.node}, so no bridge mapping is needed`);
    }
    destination = { workload: peer, attachment };
  } else {
    const elsewhere = all.find((w) => w !== source && w.attachments.some((a) => a.physicalNetwork === localnet && a.ip === to.host));
    if (elsewhere) {
      const other = elsewhere.attachments.find((a) => a.physicalNetwork === localnet && a.ip === to.host)!;
      return done('timeout', `${to.host} is on network ${other.network} (${other.vlan ? `VLAN ${other.vlan}` : 'untagged'}), a switch of its own: ${via.nad} is network ${via.network} (${via.vlan ? `VLAN ${via.vlan}` : 'untagged'}), and the two share no segment`, { kind: 'path' });
    }
    return done('timeout', `nothing on ${via.network} answers at ${to.host}`, { kind: 'path' });
  }

  // 2. Policy: egress on the source, then ingress on the destination; then the replies, which
  // pass on a switch that keeps connection state and are judged as new packets on one that does not.
  // What let the packets through is kept, so that a connection that should have been denied explains itself.
  const policyVerdicts: string[] = [];
  if (!enforcementOn(cluster)) {
    policyVerdicts.push('MultiNetworkPolicy is off (useMultiNetworkPolicy is not true), so no policy applies');
    steps.push(...policyVerdicts);
  } else {
    const egress = judge(cluster, source, via, 'Egress', to.host, to.port, protocol);
    steps.push(...egress.steps);
    if (!egress.allowed) return done('timeout', egress.reason, { kind: 'policy', ...(egress.policy ? { name: egress.policy } : {}) });
    policyVerdicts.push(egress.steps.at(-1)!);
    if (destination.workload && destination.attachment && via.ip) {
      const ingress = judge(cluster, destination.workload, destination.attachment, 'Ingress', via.ip, to.port, protocol);
      steps.push(...ingress.steps);
      if (!ingress.allowed) return done('timeout', ingress.reason, { kind: 'policy', ...(ingress.policy ? { name: ingress.policy } : {}) });
      policyVerdicts.push(ingress.steps.at(-1)!);
    }
    const replies = judgeReplies(cluster, all, { workload: source, attachment: via }, destination.workload && destination.attachment ? { workload: destination.workload, attachment: destination.attachment } : undefined, to.host, protocol);
    steps.push(...replies.steps);
    if (!replies.allowed) return done('timeout', replies.reason, { kind: 'policy', ...(replies.policy ? { name: replies.policy } : {}) });
  }

  // 3. Someone must listen; a closed port is refused, not dropped. Every host answers ping.
  if (protocol === 'ICMP') return done('connected', `${destination.host?.name ?? `${destination.workload!.namespace}/${destination.workload!.name}`} answers ICMP echo`, { kind: 'listener' });
  // Every program the sandbox runs (and every external service) listens on TCP: a UDP or SCTP probe finds the port closed.
  const listens = protocol === 'TCP' ? (destination.host?.listens ?? destination.workload?.listens ?? []) : [];
  const name = destination.host ? destination.host.name : `${destination.workload!.kind} ${destination.workload!.namespace}/${destination.workload!.name}`;
  if (!listens.includes(to.port)) return done('refused', `${name} does not listen on ${protocol} ${to.port}`, { kind: 'listener' });
  return done('connected', `${name} accepts ${protocol} ${to.port} from ${via.ip}; ${policyVerdicts.join('; ')}`, { kind: 'listener' });
}

/** Where a reply goes back to: a port from Linux's ephemeral range (ip_local_port_range 32768–60999). */
const EPHEMERAL_PORT = 40_000;

interface End {
  workload: Workload;
  attachment: Attachment;
}

/**
 * OCPBUGS-25928: OVN conntracks a logical switch only when some allow ACL
 * applies on it, and a localnet switch has none of its own (no management
 * port, no load balancers). Where a network's switch on a node carries only
 * drop ACLs, the replies of an allowed connection meet those drops as new
 * packets: the destination's egress policy and the source's ingress policy
 * judge them, ports swapped.
 */
function judgeReplies(cluster: ClusterView, all: Workload[], source: End, destination: End | undefined, destinationIP: string, protocol: string): Judgement {
  const steps: string[] = [];
  if (cluster.environment?.cluster.fixedBugs.includes('OCPBUGS-25928')) return { allowed: true, reason: '', steps: ['replies pass: the environment models OVN-K with OCPBUGS-25928 fixed'] };
  const ends: { end: End; direction: Direction; peer: string }[] = [
    ...(destination && source.attachment.ip ? [{ end: destination, direction: 'Egress' as const, peer: source.attachment.ip }] : []),
    { end: source, direction: 'Ingress', peer: destinationIP },
  ];
  for (const { end, direction, peer } of ends) {
    const label = `${end.workload.kind === 'pod' ? 'pod' : 'VM'} ${end.workload.namespace}/${end.workload.name}`;
    if (statefulSwitch(cluster, all, end.attachment.network, end.workload.node)) continue;
    const reply = judge(cluster, end.workload, end.attachment, direction, peer, EPHEMERAL_PORT, protocol);
    if (reply.allowed) continue;
    steps.push(`network ${end.attachment.network} on node ${end.workload.node} has no allow ACL, so OVN keeps no connection state there (OCPBUGS-25928)`);
    return {
      allowed: false,
      ...(reply.policy ? { policy: reply.policy } : {}),
      reason: `the connection is allowed, but its replies are dropped: ${label} is isolated for ${direction === 'Ingress' ? 'ingress' : 'egress'} and network ${end.attachment.network} on node ${end.workload.node} carries no allow ACL, so OVN keeps no connection state there and judges each reply as a new packet (OCPBUGS-25928; add a rule that allows the other direction)`,
      steps,
    };
  }
  return { allowed: true, reason: '', steps };
}

/** Whether a valid policy on the network selects a workload on the node and has a rule that makes an allow ACL. */
function statefulSwitch(cluster: ClusterView, all: Workload[], network: string, node: string | undefined): boolean {
  const onSwitch = all.filter((w) => w.node === node && w.attachments.some((a) => a.network === network));
  return cluster.store.list('k8s.cni.cncf.io/multi-networkpolicies').some((policy) => {
    const nads = policyForTargets(policy).map((t) => cluster.store.get('k8s.cni.cncf.io/network-attachment-definitions', t.namespace, t.name));
    const nad = nads.find((n) => n !== undefined && networkOf(n) === network);
    if (!nad) return false;
    const attachment = onSwitch.flatMap((w) => w.attachments).find((a) => a.network === network);
    if (attachment && voidReason(policy, hasIpam(attachment.config))) return false;
    const selects = onSwitch.some((w) => w.namespace === policy.metadata.namespace && podSelectorMatches(policy, w.labels));
    return selects && (['Ingress', 'Egress'] as const).some((direction) => rulesOf(policy, direction).some(makesAllowAcl));
  });
}

interface Judgement {
  allowed: boolean;
  reason: string;
  policy?: string;
  steps: string[];
}

/**
 * One direction of policy for one workload on one network: isolated if a
 * valid policy selecting it lists the direction; then allowed if any rule of
 * any valid policy selecting it, of either listed type, admits the peer.
 */
function judge(cluster: ClusterView, workload: Workload, attachment: Attachment, direction: Direction, peerIP: string, port: number, protocol: string): Judgement {
  const steps: string[] = [];
  const label = `${workload.kind === 'pod' ? 'pod' : 'VM'} ${workload.namespace}/${workload.name}`;
  const selecting: KubeObject[] = [];
  for (const policy of cluster.store.list('k8s.cni.cncf.io/multi-networkpolicies', workload.namespace)) {
    const id = `${policy.metadata.namespace}/${policy.metadata.name}`;
    const targets = policyForTargets(policy);
    // OVN-K resolves policy-for per network: any NAD of the same network counts.
    const onNetwork = targets.some((t) => {
      const nad = cluster.store.get('k8s.cni.cncf.io/network-attachment-definitions', t.namespace, t.name);
      return nad !== undefined && networkOf(nad) === attachment.network;
    });
    if (!onNetwork) continue;
    const invalid = voidReason(policy, hasIpam(attachment.config));
    if (invalid) {
      steps.push(`policy ${id} is void: ${invalid}`);
      continue;
    }
    if (podSelectorMatches(policy, workload.labels)) selecting.push(policy);
  }
  const isolating = selecting.filter((p) => declaredPolicyTypes(p).includes(direction));
  const verb = direction === 'Egress' ? 'egress' : 'ingress';
  if (isolating.length === 0) {
    const note = selecting.length > 0 ? ` (policies ${selecting.map((p) => p.metadata.name).join(', ')} select it but list no ${direction} in policyTypes)` : '';
    steps.push(`${label} is not isolated for ${verb}${note}`);
    return { allowed: true, reason: '', steps };
  }
  steps.push(`${label} is isolated for ${verb} by ${isolating.map((p) => p.metadata.name).join(', ')}`);
  for (const policy of selecting) {
    // OVN-K builds allow ACLs for both directions whatever policyTypes lists.
    for (const rule of rulesOf(policy, direction)) {
      if (ruleAllows(rule, direction, peerIP, port, protocol)) {
        steps.push(`${policy.metadata.name} allows ${verb} ${direction === 'Egress' ? 'to' : 'from'} ${peerIP} on ${protocol} ${port}`);
        return { allowed: true, reason: '', steps };
      }
    }
  }
  const peer = direction === 'Egress' ? `to ${peerIP}:${port}/${protocol}` : `from ${peerIP} on ${protocol} ${port}`;
  return {
    allowed: false,
    policy: isolating[0]!.metadata.name,
    reason: `${label} is isolated for ${verb} by ${isolating.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).join(', ')}, and no rule of a policy selecting it allows ${verb} ${peer}; the packets are dropped`,
    steps,
  };
}

/** A network is its config name; physicalNetworkName only picks the bridge mapping. */
function networkOf(nad: KubeObject): string | undefined {
  const parsed = parseNadConfig(getPath(nad, ['spec', 'config']));
  return parsed.ok ? parsed.config.name : undefined;
}
