/**
 * What the scheduler, Multus/OVN-Kubernetes and the kubelet decide for a pod:
 * its node, its interfaces and addresses, and whether its images pull. Failure
 * messages follow the real components' wording (network-semantics.md §1).
 */
import { getPath, isRecord, stringMap, type KubeObject } from '../../../k8s/object.ts';
import { NETWORKS_ANNOTATION, parseNetworkSelection } from '../../../k8s/network-selection.ts';
import { hasIpam, localnetConfigProblems, networkMismatch, parseNadConfig, type NadConfig } from '../../../k8s/nad-config.ts';
import { formatIPv4, parseCidr, parseIPv4 } from '../../../k8s/ipv4.ts';
import type { ClusterView } from '../../store/cluster-view.ts';
import type { ComputationResult } from '../computation.ts';
import type { RuleEvent } from '../rule.ts';
import { findImage } from '../../images/catalogue.ts';

const kubelet = (type: RuleEvent['type'], reason: string, message: string): RuleEvent => ({ type, reason, message, source: 'kubelet' });

function containers(pod: KubeObject): { name: string; image: string }[] {
  const list = getPath(pod, ['spec', 'containers']);
  return (Array.isArray(list) ? list : []).map((c) => ({ name: String(getPath(c, ['name'])), image: String(getPath(c, ['image'])) }));
}

export function readyNodes(cluster: ClusterView): KubeObject[] {
  return cluster.store.list('/nodes').filter((n) => {
    const ready = (getPath(n, ['status', 'conditions']) as unknown[] | undefined)?.find((c) => getPath(c, ['type']) === 'Ready');
    return getPath(ready, ['status']) === 'True' && getPath(n, ['spec', 'unschedulable']) !== true;
  });
}

/** Whether a pod spec may run on a node: the control-plane taint (unless tolerated) and its nodeSelector. */
export function nodeFit(node: KubeObject, podSpec: unknown): 'fits' | 'tainted' | 'mismatched' {
  const selector = stringMap(getPath(podSpec, ['nodeSelector']));
  const tolerates = (Array.isArray(getPath(podSpec, ['tolerations'])) ? (getPath(podSpec, ['tolerations']) as unknown[]) : []).some(
    (t) => getPath(t, ['operator']) === 'Exists' && (getPath(t, ['key']) === undefined || String(getPath(t, ['key'])).startsWith('node-role.kubernetes.io/')),
  );
  const labels = node.metadata.labels ?? {};
  const controlPlane = 'node-role.kubernetes.io/master' in labels || 'node-role.kubernetes.io/control-plane' in labels;
  if (controlPlane && !tolerates && !('node-role.kubernetes.io/worker' in labels)) return 'tainted';
  if (!Object.entries(selector).every(([k, v]) => labels[k] === v)) return 'mismatched';
  return 'fits';
}

/** The default scheduler, reduced to what lessons meet: control-plane taints, nodeSelector, spreading. */
export function scheduleNode(cluster: ClusterView, pod: KubeObject): ComputationResult {
  const nodes = readyNodes(cluster);
  const fits = nodes.map((n) => nodeFit(n, pod.spec));
  const tainted = fits.filter((f) => f === 'tainted').length;
  const mismatched = fits.filter((f) => f === 'mismatched').length;
  const fit = nodes.filter((_n, i) => fits[i] === 'fits');
  if (fit.length === 0) {
    const reasons = [tainted ? `${tainted} node(s) had untolerated taint {node-role.kubernetes.io/master: }` : '', mismatched ? `${mismatched} node(s) didn't match Pod's node affinity/selector` : ''].filter(Boolean).join(', ');
    const message = `0/${nodes.length} nodes are available: ${reasons}. preemption: 0/${nodes.length} nodes are available: ${nodes.length} Preemption is not helpful for scheduling.`;
    return {
      ok: false,
      events: [{ type: 'Warning', reason: 'FailedScheduling', message, source: 'default-scheduler' }],
      patch: { status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastProbeTime: null, lastTransitionTime: '{{ now }}' }] } },
    };
  }
  const load = (node: KubeObject) => cluster.store.list('/pods').filter((p) => getPath(p, ['spec', 'nodeName']) === node.metadata.name).length;
  const chosen = [...fit].sort((a, b) => load(a) - load(b) || a.metadata.name.localeCompare(b.metadata.name))[0]!;
  return { ok: true, vars: { node: chosen.metadata.name } };
}

/** The pod network block of a node: the cluster network cut into hostPrefix-sized pieces, one per node. */
function podSubnet(cluster: ClusterView, nodeName: string): { base: number; size: number; prefix: number } | undefined {
  const network = cluster.store.get('operator.openshift.io/networks', undefined, 'cluster');
  const entry = (getPath(network, ['spec', 'clusterNetwork']) as unknown[] | undefined)?.[0];
  const cidr = parseCidr(String(getPath(entry, ['cidr']) ?? '10.128.0.0/14'));
  const hostPrefix = Number(getPath(entry, ['hostPrefix']) ?? 23);
  const index = cluster.store.list('/nodes').map((n) => n.metadata.name).sort().indexOf(nodeName);
  if (!cidr || index < 0) return undefined;
  const size = 2 ** (32 - hostPrefix);
  return { base: cidr.address + index * size, size, prefix: hostPrefix };
}

function allocatePodIP(cluster: ClusterView, pod: KubeObject, nodeName: string): { ip: string; prefix: number; gateway: string } | undefined {
  const subnet = podSubnet(cluster, nodeName);
  if (!subnet) return undefined;
  const used = new Set(cluster.store.list('/pods').filter((p) => p !== pod && getPath(p, ['spec', 'hostNetwork']) !== true).map((p) => getPath(p, ['status', 'podIP'])));
  // .1 is the node's gateway (ovn-k8s-mp0); addresses start above it.
  for (let offset = 3; offset < subnet.size - 1; offset++) {
    const ip = formatIPv4(subnet.base + offset);
    if (!used.has(ip)) return { ip, prefix: subnet.prefix, gateway: formatIPv4(subnet.base + 1) };
  }
  return undefined;
}

function macFor(ip: string): string {
  const value = parseIPv4(ip) ?? 0;
  return ['0a', '58', ...[24, 16, 8, 0].map((s) => (Math.floor(value / 2 ** s) % 256).toString(16).padStart(2, '0'))].join(':');
}

function sandboxFailure(pod: KubeObject, detail: string): ComputationResult {
  const id = String(pod.metadata.uid ?? '').replace(/-/g, '').slice(0, 12);
  const message = `Failed to create pod sandbox: rpc error: code = Unknown desc = failed to create pod network sandbox k8s_${pod.metadata.name}_${pod.metadata.namespace}_${pod.metadata.uid}_0(${id}): error adding pod ${pod.metadata.namespace}_${pod.metadata.name} to CNI network "multus-cni-network": plugin type="multus-shim" name="multus-cni-network" failed (add): CmdAdd (shim): CNI request failed with status 400: '${detail}'`;
  return {
    ok: false,
    events: [kubelet('Warning', 'FailedCreatePodSandBox', message)],
    patch: { status: { containerStatuses: waitingStatuses(pod, 'ContainerCreating') } },
  };
}

export function waitingStatuses(pod: KubeObject, reason: string, message?: string): unknown[] {
  return containers(pod).map((c) => ({
    name: c.name,
    image: c.image,
    imageID: '',
    ready: false,
    restartCount: 0,
    started: false,
    state: { waiting: { reason, ...(message ? { message } : {}) } },
  }));
}

/** Multus and OVN-Kubernetes attaching the pod's networks: eth0 on the cluster network, netN per NAD. */
export function attachNetworks(cluster: ClusterView, pod: KubeObject): ComputationResult {
  const nodeName = String(getPath(pod, ['spec', 'nodeName']));
  const namespace = pod.metadata.namespace ?? 'default';
  const node = cluster.store.get('/nodes', undefined, nodeName);
  const hostIP = String((getPath(node, ['status', 'addresses']) as unknown[] | undefined)?.map((a) => (getPath(a, ['type']) === 'InternalIP' ? getPath(a, ['address']) : undefined)).find(Boolean) ?? '');
  // In the node's network namespace: no CNI, no Multus annotations, the node's address.
  if (getPath(pod, ['spec', 'hostNetwork']) === true) return { ok: true, vars: { hostIP, podIP: hostIP, waitingStatuses: waitingStatuses(pod, 'ContainerCreating'), events: [] } };
  const primary = allocatePodIP(cluster, pod, nodeName);
  if (!primary) return sandboxFailure(pod, `failed to allocate an address for the pod on node ${nodeName}: the node's pod subnet is full`);
  const entries: Record<string, unknown>[] = [{ name: 'ovn-kubernetes', interface: 'eth0', ips: [primary.ip], mac: macFor(primary.ip), default: true, dns: {} }];
  const podNetworks: Record<string, unknown> = {
    default: { ip_addresses: [`${primary.ip}/${primary.prefix}`], mac_address: macFor(primary.ip), gateway_ips: [primary.gateway], ip_address: `${primary.ip}/${primary.prefix}`, gateway_ip: primary.gateway, role: 'primary' },
  };
  const events: RuleEvent[] = [{ type: 'Normal', reason: 'AddedInterface', message: `Add eth0 [${primary.ip}/${primary.prefix}] from ovn-kubernetes`, source: 'multus' }];

  const annotation = pod.metadata.annotations?.[NETWORKS_ANNOTATION];
  if (annotation !== undefined) {
    const parsed = parseNetworkSelection(annotation);
    if (!parsed.ok) return sandboxFailure(pod, `ERRORED: error configuring pod [${namespace}/${pod.metadata.name}] networking: Multus: [${namespace}/${pod.metadata.name}/${pod.metadata.uid}]: error loading k8s delegates k8s args: TryLoadPodDelegates: error in getting k8s network for pod: GetNetworkDelegates: parsePodNetworkAnnotation: failed to parse pod Network Attachment Selection Annotation JSON format: ${parsed.error}`);
    for (const [index, selection] of parsed.selections.entries()) {
      const nadNamespace = selection.namespace ?? namespace;
      const prefix = `ERRORED: error configuring pod [${namespace}/${pod.metadata.name}] networking: Multus: [${namespace}/${pod.metadata.name}/${pod.metadata.uid}]: error loading k8s delegates k8s args: TryLoadPodDelegates: error in getting k8s network for pod: GetNetworkDelegates: failed getting the delegate: `;
      if (nadNamespace !== namespace && !['default', 'openshift-multus', 'openshift-sriov-network-operator', 'openshift-cnv'].includes(nadNamespace))
        return sandboxFailure(pod, `${prefix}GetPodNetwork: namespace isolation violation: podnamespace: ${namespace} / target namespace: ${nadNamespace}`);
      const nad = cluster.store.get('k8s.cni.cncf.io/network-attachment-definitions', nadNamespace, selection.name);
      if (!nad) return sandboxFailure(pod, `${prefix}getKubernetesDelegate: cannot find a network-attachment-definition (${selection.name}) in namespace (${nadNamespace}): network-attachment-definitions.k8s.cni.cncf.io "${selection.name}" not found`);
      const config = parseNadConfig(getPath(nad, ['spec', 'config']));
      const iface = selection.interface ?? `net${index + 1}`;
      // What the pod sees when OVN-K never writes its annotation for this network.
      const annotationNeverComes = () => sandboxFailure(pod, `[${namespace}/${pod.metadata.name} ${pod.metadata.uid}] [${namespace}/${pod.metadata.name} ${iface} ${nadNamespace}/${selection.name}] failed to get pod annotation: timed out waiting for annotations: context deadline exceeded`);
      if (!config.ok || localnetConfigProblems(config.config, nadNamespace, selection.name).length > 0) {
        // OVN-Kubernetes ignores an invalid NAD, so the pod's annotation for it never comes.
        return annotationNeverComes();
      }
      // A NAD whose config disagrees with the network's first NAD is refused by OVN-K's NAD controller
      // ("NAD … CNI config does not match that of network …"), so the annotation never comes either.
      if (conflictingNetwork(cluster, nad, config.config))
        return annotationNeverComes();
      const ips = selection.ips ?? [];
      const bad = ips.find((ip) => !parseCidr(ip));
      if (bad) return sandboxFailure(pod, `[${namespace}/${pod.metadata.name} ${pod.metadata.uid}] failed to parse static IP "${bad}": invalid CIDR address: ${bad}`);
      if (ips.length > 0 && hasIpam(config.config)) return sandboxFailure(pod, `[${namespace}/${pod.metadata.name} ${pod.metadata.uid}] failed to update pod ${namespace}/${pod.metadata.name}: cannot allocate a static IP request with IPAM for network ${String(config.config.name)}`);
      const mac = selection.mac ?? (ips[0] ? macFor(ips[0].split('/')[0]!) : randomMac());
      entries.push({ name: `${nadNamespace}/${selection.name}`, interface: iface, ...(ips.length ? { ips: ips.map((ip) => ip.split('/')[0]) } : {}), mac, dns: {} });
      podNetworks[`${nadNamespace}/${selection.name}`] = { ip_addresses: ips, mac_address: mac, ...(ips[0] ? { ip_address: ips[0] } : {}), role: 'secondary' };
      events.push({ type: 'Normal', reason: 'AddedInterface', message: `Add ${iface} [${ips.join(',')}] from ${nadNamespace}/${selection.name}`, source: 'multus' });
    }
  }
  return {
    ok: true,
    vars: {
      hostIP,
      podIP: primary.ip,
      networkStatus: `[${entries.map((e) => JSON.stringify(e, null, 4)).join(',')}]`,
      podNetworks: JSON.stringify(podNetworks),
      waitingStatuses: waitingStatuses(pod, 'ContainerCreating'),
      events,
    },
  };
}

/**
 * The NAD whose config the network holds, when `nad` is not it and disagrees
 * with it: the one whose current version has stood longest (lowest
 * resourceVersion), since OVN-K refuses an update that breaks agreement as it
 * refuses a new NAD that does.
 */
function conflictingNetwork(cluster: ClusterView, nad: KubeObject, config: NadConfig): KubeObject | undefined {
  const first = cluster.store
    .list('k8s.cni.cncf.io/network-attachment-definitions')
    .filter((other) => {
      const parsed = parseNadConfig(getPath(other, ['spec', 'config']));
      return parsed.ok && parsed.config.name === config.name;
    })
    .sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion))[0];
  if (!first || first.metadata.uid === nad.metadata.uid) return undefined;
  const parsed = parseNadConfig(getPath(first, ['spec', 'config']));
  return parsed.ok && networkMismatch(config, parsed.config) ? first : undefined;
}

function randomMac(): string {
  return ['0a', '58', ...Array.from({ length: 4 }, () => Math.floor(Math.random() * 256).toString(16).padStart(2, '0'))].join(':');
}

/** The kubelet pulling each container's image: known images pull, others fail as a registry would. */
export function pullImages(_cluster: ClusterView, pod: KubeObject): ComputationResult {
  const list = containers(pod);
  const missing = list.find((c) => !findImage(c.image));
  const pulling = list.map((c) => kubelet('Normal', 'Pulling', `Pulling image "${c.image}"`));
  if (missing) {
    const reason = `reading manifest ${missing.image.split(':')[1] ?? 'latest'} in ${missing.image.split(':')[0]}: manifest unknown`;
    return {
      ok: false,
      events: [...pulling, kubelet('Warning', 'Failed', `Failed to pull image "${missing.image}": ${reason}`), kubelet('Warning', 'Failed', 'Error: ErrImagePull')],
      patch: { status: { containerStatuses: waitingStatuses(pod, 'ErrImagePull', `Failed to pull image "${missing.image}": ${reason}`) } },
    };
  }
  const pulled = list.map((c) => {
    const image = findImage(c.image)!;
    const seconds = (0.4 + image.size / 120_000_000).toFixed(3);
    return kubelet('Normal', 'Pulled', `Successfully pulled image "${c.image}" in ${seconds}s (${seconds}s including waiting). Image size: ${image.size} bytes.`);
  });
  const statuses = list.map((c) => ({
    name: c.name,
    image: c.image,
    imageID: `${findImage(c.image)!.image.split(':')[0]}@sha256:${Buffer.from(findImage(c.image)!.image).toString('hex').padEnd(64, '0').slice(0, 64)}`,
    ready: false,
    restartCount: 0,
    started: false,
    state: { waiting: { reason: 'ContainerCreating' } },
  }));
  return { ok: true, vars: { events: [...pulling, ...pulled], pulledStatuses: statuses } };
}

/**
 * A {{NAME}} in an image's start-up lines: the time in the program's own
 * format (TIME: RFC 3339 with microseconds; NGINX_TIME: nginx's
 * 2006/01/02 15:04:05), or the container's environment (PORT defaulting to
 * the port the image listens on).
 */
function logValue(name: string, env: Record<string, string>, defaultPort: number | undefined): string {
  const now = new Date();
  if (name === 'TIME') return now.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
  if (name === 'NGINX_TIME') return now.toISOString().replace('T', ' ').replace(/-/g, '/').replace(/\.\d{3}Z$/, '');
  return env[name] ?? (name === 'PORT' ? String(defaultPort ?? '') : '');
}

/** The kubelet starting containers whose images it has: created, started, running and ready. */
export function startContainers(cluster: ClusterView, pod: KubeObject): ComputationResult {
  // Each program writes its start-up lines to its container's log.
  for (const spec of (getPath(pod, ['spec', 'containers']) as unknown[] | undefined) ?? []) {
    const image = findImage(String(getPath(spec, ['image'])));
    const env = Object.fromEntries(((getPath(spec, ['env']) as unknown[] | undefined) ?? []).map((e) => [String(getPath(e, ['name'])), String(getPath(e, ['value']) ?? '')]));
    const lines = (image?.startupLog ?? []).map((line) => line.replace(/\{\{(\w+)\}\}/g, (_, name: string) => logValue(name, env, image?.listens?.default)));
    if (lines.length) cluster.logs.append(pod.metadata.namespace ?? 'default', pod.metadata.name, String(getPath(spec, ['name'])), lines.join('\n'));
  }
  const statuses = (getPath(pod, ['status', 'containerStatuses']) as unknown[] | undefined) ?? [];
  const time = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const running = statuses.map((s) => ({ ...(isRecord(s) ? s : {}), ready: true, started: true, state: { running: { startedAt: time } }, containerID: `cri-o://${Buffer.from(String(getPath(s, ['name'])) + pod.metadata.uid).toString('hex').slice(0, 64).padEnd(64, '0')}` }));
  const events = containers(pod).flatMap((c) => [kubelet('Normal', 'Created', `Created container: ${c.name}`), kubelet('Normal', 'Started', `Started container ${c.name}`)]);
  return { ok: true, vars: { runningStatuses: running, events } };
}

/**
 * The kubelet starting ephemeral containers that have no status yet: known
 * images run at once (there is no restart and no readiness for them); unknown
 * ones wait in ErrImagePull, as a failed pull leaves them.
 */
export function startEphemeralContainers(_cluster: ClusterView, pod: KubeObject): ComputationResult {
  const existing = ((getPath(pod, ['status', 'ephemeralContainerStatuses']) as unknown[] | undefined) ?? []).filter(isRecord);
  const added = ((getPath(pod, ['spec', 'ephemeralContainers']) as unknown[] | undefined) ?? [])
    .map((c) => ({ name: String(getPath(c, ['name'])), image: String(getPath(c, ['image'])) }))
    .filter((c) => !existing.some((s) => s.name === c.name));
  const time = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const events: RuleEvent[] = [];
  const statuses = added.map((c) => {
    const image = findImage(c.image);
    events.push(kubelet('Normal', 'Pulling', `Pulling image "${c.image}"`));
    if (!image) {
      const reason = `reading manifest ${c.image.split(':')[1] ?? 'latest'} in ${c.image.split(':')[0]}: manifest unknown`;
      events.push(kubelet('Warning', 'Failed', `Failed to pull image "${c.image}": ${reason}`), kubelet('Warning', 'Failed', 'Error: ErrImagePull'));
      return { name: c.name, image: c.image, imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ErrImagePull', message: `Failed to pull image "${c.image}": ${reason}` } } };
    }
    events.push(kubelet('Normal', 'Pulled', `Successfully pulled image "${c.image}"`), kubelet('Normal', 'Created', `Created container: ${c.name}`), kubelet('Normal', 'Started', `Started container ${c.name}`));
    return {
      name: c.name,
      image: c.image,
      imageID: `${image.image.split(':')[0]}@sha256:${Buffer.from(image.image).toString('hex').padEnd(64, '0').slice(0, 64)}`,
      containerID: `cri-o://${Buffer.from(c.name + pod.metadata.uid).toString('hex').slice(0, 64).padEnd(64, '0')}`,
      ready: false,
      restartCount: 0,
      state: { running: { startedAt: time } },
    };
  });
  return { ok: true, vars: { ephemeralStatuses: [...existing, ...statuses], events } };
}

/** After the back-off, the kubelet tries the pull again from the start. */
export function retryPull(_cluster: ClusterView, pod: KubeObject): ComputationResult {
  return { ok: true, vars: { retryStatuses: waitingStatuses(pod, 'ContainerCreating') } };
}

/** The kubelet stopping a deleted pod's running containers. */
export function stopContainers(_cluster: ClusterView, pod: KubeObject): ComputationResult {
  const running = ((getPath(pod, ['status', 'containerStatuses']) as unknown[] | undefined) ?? []).filter((s) => isRecord(getPath(s, ['state', 'running'])));
  return { ok: true, vars: { events: running.map((s) => kubelet('Normal', 'Killing', `Stopping container ${String(getPath(s, ['name']))}`)) } };
}

/** The kubelet backing off after a failed pull: ImagePullBackOff until the next try. */
export function imageBackOff(_cluster: ClusterView, pod: KubeObject): ComputationResult {
  const image = containers(pod).find((c) => !findImage(c.image))?.image ?? containers(pod)[0]?.image ?? '';
  return { ok: true, vars: { backOffStatuses: waitingStatuses(pod, 'ImagePullBackOff', `Back-off pulling image "${image}"`) } };
}
