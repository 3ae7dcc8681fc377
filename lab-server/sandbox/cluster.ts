/**
 * One sandbox cluster: its object store and the API machinery that runs inside
 * kube-apiserver and kube-controller-manager rather than in any component a
 * lesson is about — namespace finalization and each namespace's default
 * ServiceAccount. Behaviour of pods, VMs and networks is added by lifecycle rules.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { KubeObject } from '../k8s/object.ts';
import type { Environment } from '../lesson/schema.ts';
import { nodeLabels } from '../lesson/environment.ts';
import { ObjectStore, resourceKey } from './store/object-store.ts';
import { REGISTRY, type ResourceRegistry } from './resource-types/registry.ts';
import { CRD_OBJECTS } from './resource-types/crds.ts';
import { now, prepareCreate } from './machinery/object-metadata.ts';
import { signingKey, type SigningKey } from './machinery/service-account-tokens.ts';
import type { ResourceType } from './resource-types/types.ts';
import { ContainerLogs } from './store/container-logs.ts';
import { defaultsOnCreate } from './admission/create-defaults.ts';
import type { ClusterView } from './store/cluster-view.ts';
import { LifecycleEngine } from './controllers/engine.ts';
import { loadRules, type LifecycleRule } from './controllers/rule.ts';
import { COMPUTATIONS } from './controllers/computations/index.ts';
import { MainProcesses } from './workloads/main-processes.ts';
import { workloadProcesses } from './workloads/workload-processes.ts';

/** seed/openshift.yaml, read once, its {{VERSION}} and {{NOW}} filled in per cluster. */
const OPENSHIFT_SEED_TEXT = readFileSync(new URL('./seed/openshift.yaml', import.meta.url), 'utf8');
const OPENSHIFT_SEED = (version: string) => parse(OPENSHIFT_SEED_TEXT.replaceAll('{{VERSION}}', version).replaceAll('{{NOW}}', now())) as { namespaces: string[]; clusterOperators: string[]; objects: KubeObject[] };

/** The lifecycle rules, read once: they are data shipped with the sandbox. */
const RULES: LifecycleRule[] = loadRules();

/** The Kubernetes build the sandbox stands for: v1.32.5 as released upstream (its commit, build date and Go). */
export const KUBERNETES_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.5', gitCommit: '9894294ef13a5b32803e3ca2c0d620a088cc84d1', gitTreeState: 'clean', buildDate: '2025-05-15T09:12:10Z', goVersion: 'go1.23.8', compiler: 'gc', platform: 'linux/amd64' };
const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'openshift-multus', 'openshift-cnv', 'openshift-nmstate'];

function hashed(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function uuidOf(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** A stable, locally administered MAC for a node NIC, derived from its address. */
function nicMac(address: string): string {
  return ['52', '54', '00', ...address.split('.').slice(1).map((o) => Number(o).toString(16).padStart(2, '0'))].join(':');
}

export class Cluster implements ClusterView {
  readonly store = new ObjectStore();
  /** Watches open on this cluster now, held to a cap (api/quotas.ts). */
  openWatches = 0;
  readonly logs = new ContainerLogs();
  readonly registry: ResourceRegistry = REGISTRY;
  readonly name: string;
  readonly lifecycle: LifecycleEngine;
  private readonly mainProcesses: MainProcesses;
  /** The lesson environment the cluster was built from: nodes, physical networks, external hosts. */
  environment: Environment | undefined;

  /** The CA a pod trusts the API server by: kube-root-ca.crt in every namespace carries it. */
  private readonly caCert: string;
  /** What signs this cluster's service account tokens. */
  readonly tokenKey: SigningKey;

  constructor(name: string, environment?: Environment, options: { caCert?: string; tokenSecret?: Buffer } = {}) {
    this.name = name;
    this.environment = environment;
    this.caCert = options.caCert ?? '';
    this.tokenKey = signingKey(options.tokenSecret ?? randomBytes(32));
    this.lifecycle = new LifecycleEngine(this, RULES, COMPUTATIONS);
    this.lifecycle.start();
    this.mainProcesses = new MainProcesses(this, workloadProcesses);
    this.mainProcesses.start();
    this.store.subscribe((change) => {
      const { object } = change;
      // Namespace controller: a default ServiceAccount for each, and finalization on delete.
      if (change.resource === '/namespaces') {
        if (change.type === 'ADDED') this.populateNamespace(object.metadata.name);
        if (change.type !== 'DELETED' && object.metadata.deletionTimestamp) queueMicrotask(() => this.finalizeNamespace(object.metadata.name));
      } else if (change.type === 'DELETED' && object.metadata.namespace && this.store.get('/namespaces', undefined, object.metadata.namespace)?.metadata.deletionTimestamp) {
        // The last finalizer-held object leaving a terminating namespace lets it finish.
        queueMicrotask(() => this.finalizeNamespace(object.metadata.namespace!));
      }
      // The endpoints controller removes a Service's Endpoints with it.
      if (change.resource === '/services' && change.type === 'DELETED') queueMicrotask(() => this.store.remove('/endpoints', object.metadata.namespace, object.metadata.name));
      // Garbage collector: dependents follow their owner.
      if (change.type === 'DELETED' && object.metadata.uid) queueMicrotask(() => this.collectDependents(object));
    });
  }

  type(apiVersion: string, kind: string): ResourceType {
    const type = this.registry.forKind(apiVersion, kind);
    if (!type) throw new Error(`the sandbox serves no ${kind} in ${apiVersion}`);
    return type;
  }

  /** Creates an object as the cluster itself would (seeding, controllers): full metadata and defaults, no validation. */
  createSystemObject(object: KubeObject): KubeObject {
    const type = this.type(object.apiVersion, object.kind);
    const prepared = defaultsOnCreate(this, type, prepareCreate(type, object));
    return this.store.put(resourceKey(type), { ...prepared, ...(object.status ? { status: object.status } : {}) });
  }

  /** Seeds what exists on a fresh cluster: system namespaces, nodes, CRDs, OpenShift config. */
  seed(environment: Environment): void {
    this.environment = environment;
    for (const crd of CRD_OBJECTS) this.createSystemObject({ ...crd, status: { conditions: [{ type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' }] } });
    for (const name of SYSTEM_NAMESPACES) this.createSystemObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
    const created = now();
    for (const node of environment.nodes) {
      this.createSystemObject({
        apiVersion: 'v1', kind: 'Node',
        metadata: { name: node.name, labels: { 'kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux', ...nodeLabels(node) } },
        spec: {},
        status: {
          conditions: [
            { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available', lastHeartbeatTime: created, lastTransitionTime: created },
            { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure', lastHeartbeatTime: created, lastTransitionTime: created },
            { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available', lastHeartbeatTime: created, lastTransitionTime: created },
            { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: created, lastTransitionTime: created },
          ],
          addresses: [{ type: 'InternalIP', address: node.address }, { type: 'Hostname', address: node.name }],
          daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
          nodeInfo: {
            // Stable for the node across restores, as a machine's ids are; the boot id is new each boot.
            machineID: hashed(`machine/${node.name}`).slice(0, 32),
            systemUUID: uuidOf(hashed(`system/${node.name}`)),
            bootID: crypto.randomUUID(),
            kubeProxyVersion: '',
            kubeletVersion: `v1.${environment.cluster.kubernetesVersion.split('.')[1]}.5`,
            osImage: `Red Hat Enterprise Linux CoreOS ${environment.cluster.openshiftVersion.replace('4.', '4')}.94 (Plow)`,
            kernelVersion: '5.14.0-570.el9_6.x86_64',
            containerRuntimeVersion: 'cri-o://1.32.5',
            operatingSystem: 'linux',
            architecture: 'amd64',
          },
          capacity: { cpu: '8', memory: '32Gi', pods: '250' },
          allocatable: { cpu: '7500m', memory: '30Gi', pods: '250' },
        },
      });
    }
    for (const node of environment.nodes) {
      // What the nmstate handler reports for the node: its NIC enslaved to br-ex, and the
      // bridge mapping OpenShift's OVN-Kubernetes configures by default.
      this.createSystemObject({
        apiVersion: 'nmstate.io/v1beta1', kind: 'NodeNetworkState',
        metadata: { name: node.name, labels: { 'nmstate.io/node': node.name } },
        status: {
          currentState: {
            interfaces: [
              { name: node.nic.name, type: 'ethernet', state: 'up', controller: node.nic.bridge, 'mac-address': nicMac(node.address), mtu: 1500 },
              { name: node.nic.bridge, type: 'ovs-bridge', state: 'up', bridge: { port: [{ name: node.nic.name }, { name: node.nic.bridge }], options: { stp: false } } },
              { name: node.nic.bridge, type: 'ovs-interface', state: 'up', mtu: 1500, ipv4: { enabled: true, dhcp: false, address: [{ ip: node.address, 'prefix-length': 24 }] } },
            ],
            ovn: { 'bridge-mappings': [{ localnet: 'physnet', bridge: node.nic.bridge }] },
          },
          lastSuccessfulUpdateTime: created,
        },
      });
    }
    this.seedControlPlane(environment);
    const clusterNetwork = [{ cidr: environment.cluster.clusterNetwork, hostPrefix: 23 }];
    this.createSystemObject({
      apiVersion: 'operator.openshift.io/v1', kind: 'Network', metadata: { name: 'cluster' },
      spec: { clusterNetwork, serviceNetwork: [environment.cluster.serviceNetwork], defaultNetwork: { type: environment.cluster.networkType, ovnKubernetesConfig: { mtu: 1400 } }, useMultiNetworkPolicy: false, managementState: 'Managed' },
    });
    this.createSystemObject({
      apiVersion: 'config.openshift.io/v1', kind: 'Network', metadata: { name: 'cluster' },
      spec: { clusterNetwork, serviceNetwork: [environment.cluster.serviceNetwork], networkType: environment.cluster.networkType },
      status: { clusterNetwork, serviceNetwork: [environment.cluster.serviceNetwork], networkType: environment.cluster.networkType, clusterNetworkMTU: 1400 },
    });
    const version = `${environment.cluster.openshiftVersion}.0`;
    this.seedOpenShift(version);
    this.createSystemObject({
      apiVersion: 'config.openshift.io/v1', kind: 'ClusterVersion', metadata: { name: 'version' },
      spec: { channel: `stable-${environment.cluster.openshiftVersion}`, clusterID: crypto.randomUUID() },
      status: {
        desired: { version },
        history: [{ state: 'Completed', version, startedTime: created, completionTime: created }],
        conditions: [
          { type: 'Available', status: 'True', lastTransitionTime: created, message: `Done applying ${version}` },
          { type: 'Progressing', status: 'False', lastTransitionTime: created, message: `Cluster version is ${version}` },
        ],
      },
    });
  }

  /** seed/openshift.yaml: the cluster operators, the operators' CSVs and CRs, and OpenShift's own namespaces. */
  private seedOpenShift(version: string): void {
    const seed = OPENSHIFT_SEED(version);
    const time = now();
    for (const name of seed.namespaces) this.createSystemObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name, 'openshift.io/run-level': '0' } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
    for (const name of seed.clusterOperators) {
      const condition = (type: string, status: string) => ({ type, status, lastTransitionTime: time, reason: 'AsExpected', ...(type === 'Available' ? { message: `All is well` } : {}) });
      this.createSystemObject({
        apiVersion: 'config.openshift.io/v1', kind: 'ClusterOperator', metadata: { name }, spec: {},
        status: { conditions: [condition('Available', 'True'), condition('Progressing', 'False'), condition('Degraded', 'False'), condition('Upgradeable', 'True')], versions: [{ name: 'operator', version }], relatedObjects: [] },
      });
    }
    for (const object of seed.objects) this.createSystemObject(object);
  }

  /**
   * The API server's own Service (kubernetes in default, on the service
   * network's first address, backed by the control-plane nodes on 6443) and
   * each node's Lease in kube-node-lease, which the kubelet renews.
   */
  private seedControlPlane(environment: Environment): void {
    const masters = environment.nodes.filter((n) => /control-plane|master/.test(Object.keys(nodeLabels(n)).join(',')));
    this.createSystemObject({
      apiVersion: 'v1', kind: 'Service',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: { ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] },
    });
    this.createSystemObject({
      apiVersion: 'v1', kind: 'Endpoints',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets: [{ addresses: (masters.length ? masters : environment.nodes.slice(0, 1)).map((n) => ({ ip: n.address })), ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }],
    });
    for (const node of environment.nodes) {
      const holder = this.store.get('/nodes', undefined, node.name);
      this.createSystemObject({
        apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
        metadata: { name: node.name, namespace: 'kube-node-lease', ownerReferences: holder ? [{ apiVersion: 'v1', kind: 'Node', name: node.name, uid: holder.metadata.uid }] : [] },
        spec: { holderIdentity: node.name, leaseDurationSeconds: 40, renewTime: new Date().toISOString().replace('Z', '000Z') },
      });
    }
  }

  /**
   * The garbage collector's background propagation: objects whose owner is
   * gone are deleted too, gracefully where they have finalizers or run on a node.
   */
  private collectDependents(owner: KubeObject): void {
    for (const type of this.registry.types.filter((t) => t.namespaced || owner.metadata.namespace === undefined)) {
      const resource = resourceKey(type);
      for (const object of this.store.list(resource, owner.metadata.namespace)) {
        const refs = Array.isArray(object.metadata.ownerReferences) ? (object.metadata.ownerReferences as { uid?: string }[]) : [];
        if (!refs.some((r) => r.uid === owner.metadata.uid)) continue;
        const finalizers = object.metadata.finalizers as string[] | undefined;
        const onNode = type.kind === 'Pod' && (object.spec as { nodeName?: string } | undefined)?.nodeName !== undefined;
        if ((finalizers && finalizers.length > 0) || onNode) {
          if (!object.metadata.deletionTimestamp) this.store.put(resource, { ...object, metadata: { ...object.metadata, deletionTimestamp: now(), deletionGracePeriodSeconds: onNode ? 30 : 0 } });
        } else {
          this.store.remove(resource, object.metadata.namespace, object.metadata.name);
        }
      }
    }
  }

  /** After a restore: finish namespace deletions a restart interrupted. */
  resumeControllers(): void {
    for (const ns of this.store.list('/namespaces')) if (ns.metadata.deletionTimestamp) this.finalizeNamespace(ns.metadata.name);
    this.lifecycle.start();
    this.mainProcesses.start();
  }

  /** Stops timers and processes, so a removed cluster leaves nothing running. */
  stop(): void {
    this.lifecycle.stop();
    this.mainProcesses.stop();
  }

  /**
   * What every new namespace gets from the controllers: the default
   * ServiceAccount, the root CA as kube-root-ca.crt, and OpenShift's service
   * CA bundle as openshift-service-ca.crt.
   */
  private populateNamespace(namespace: string): void {
    queueMicrotask(() => {
      const ns = this.store.get('/namespaces', undefined, namespace);
      if (!ns || ns.metadata.deletionTimestamp) return;
      const missing = (resource: string, name: string) => !this.store.get(resource, namespace, name);
      if (missing('/serviceaccounts', 'default')) this.createSystemObject({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace } });
      if (missing('/configmaps', 'kube-root-ca.crt')) this.createSystemObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt', namespace, annotations: { 'kubernetes.io/description': 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.' } }, data: { 'ca.crt': this.caCert } });
      if (missing('/configmaps', 'openshift-service-ca.crt')) this.createSystemObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'openshift-service-ca.crt', namespace, annotations: { 'service.beta.openshift.io/inject-cabundle': 'true' } }, data: { 'service-ca.crt': this.caCert } });
    });
  }

  /**
   * Terminating → contents deleted → finalizer dropped → gone, as the namespace
   * controller does. Pods on a node go gracefully and objects with finalizers
   * are only marked; until they are gone the namespace stays Terminating,
   * its conditions saying what remains.
   */
  private finalizeNamespace(name: string): void {
    const ns = this.store.get('/namespaces', undefined, name);
    if (!ns?.metadata.deletionTimestamp) return;
    const remaining = new Map<string, number>();
    let finalizing = 0;
    for (const type of this.registry.types.filter((t) => t.namespaced)) {
      for (const object of this.store.list(resourceKey(type), name)) {
        const finalizers = object.metadata.finalizers as string[] | undefined;
        const onNode = type.kind === 'Pod' && (object.spec as { nodeName?: string } | undefined)?.nodeName !== undefined;
        if ((finalizers && finalizers.length > 0) || onNode) {
          // The controller names resources as plural.group, so core ones read "pods.".
          const resource = `${type.plural}.${type.group}`;
          remaining.set(resource, (remaining.get(resource) ?? 0) + 1);
          if (finalizers && finalizers.length > 0) finalizing++;
          if (!object.metadata.deletionTimestamp) this.store.put(resourceKey(type), { ...object, metadata: { ...object.metadata, deletionTimestamp: now(), deletionGracePeriodSeconds: onNode ? 30 : 0 } });
        } else {
          this.store.remove(resourceKey(type), name, object.metadata.name);
        }
      }
    }
    if (remaining.size === 0) return void this.store.remove('/namespaces', undefined, name);
    const status = { phase: 'Terminating', conditions: namespaceConditions(remaining, finalizing) };
    const current = this.store.get('/namespaces', undefined, name)!;
    // Conditions carry their transition time: only a change in what they say is written.
    const said = (value: unknown) => JSON.stringify(value, (key, v: unknown) => (key === 'lastTransitionTime' ? undefined : v));
    if (said(current.status) !== said(status)) this.store.put('/namespaces', { ...current, status });
  }
}

/** The conditions the namespace controller reports while content remains. */
function namespaceConditions(remaining: Map<string, number>, finalizing: number): unknown[] {
  const time = now();
  const ok = (type: string, reason: string, message: string) => ({ type, status: 'False', lastTransitionTime: time, reason, message });
  const counts = [...remaining].map(([resource, n]) => `${resource} has ${n} resource instances`).join(', ');
  return [
    ok('NamespaceDeletionDiscoveryFailure', 'ResourcesDiscovered', 'All resources successfully discovered'),
    ok('NamespaceDeletionGroupVersionParsingFailure', 'ParsedGroupVersions', 'All legacy kube types successfully parsed'),
    ok('NamespaceDeletionContentFailure', 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization'),
    { type: 'NamespaceContentRemaining', status: 'True', lastTransitionTime: time, reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${counts}` },
    finalizing > 0
      ? { type: 'NamespaceFinalizersRemaining', status: 'True', lastTransitionTime: time, reason: 'SomeFinalizersRemain', message: `Some content in the namespace has finalizers remaining: ${finalizing} resource instances` }
      : ok('NamespaceFinalizersRemaining', 'ContentHasNoFinalizers', 'All content-preserving finalizers finished'),
  ];
}
