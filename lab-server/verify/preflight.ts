/**
 * Before verifying on a cluster we did not start: does it serve the APIs the
 * lessons use? Each gap is said in plain words, so nobody reads 40 failed
 * checks to learn that KubeVirt is not installed.
 */
import type { KubeClient } from '../kube/kube-client.ts';
import { collectionPath } from '../kube/resource-paths.ts';

const REQUIRED_KINDS: readonly { apiVersion: string; kind: string; provider: string }[] = [
  { apiVersion: 'k8s.cni.cncf.io/v1', kind: 'NetworkAttachmentDefinition', provider: 'Multus (OpenShift installs it by default)' },
  { apiVersion: 'k8s.cni.cncf.io/v1beta1', kind: 'MultiNetworkPolicy', provider: 'the multi-networkpolicy CRD (OpenShift networking)' },
  { apiVersion: 'nmstate.io/v1', kind: 'NodeNetworkConfigurationPolicy', provider: 'the Kubernetes NMState operator' },
  { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', provider: 'OpenShift Virtualization (KubeVirt)' },
  { apiVersion: 'operator.openshift.io/v1', kind: 'Network', provider: 'the OpenShift cluster network operator' },
];

/** The problems found; empty when the cluster has everything. */
export async function preflight(client: KubeClient): Promise<string[]> {
  const lookups = await Promise.all(REQUIRED_KINDS.map(async (k) => ({ ...k, lookup: await collectionPath(client, k.apiVersion, k.kind) })));
  return lookups.filter((k) => !k.lookup.ok).map((k) => `${client.server} does not serve ${k.kind} (${k.apiVersion}): install ${k.provider}${k.lookup.ok ? '' : ` [${k.lookup.error}]`}`);
}
