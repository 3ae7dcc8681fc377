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

/** Localnet topology with MultiNetworkPolicy on OVN-Kubernetes arrived in 4.15. */
const MINIMUM_OPENSHIFT = [4, 15] as const;

/** The problems found; empty when the cluster has everything. */
export async function preflight(client: KubeClient): Promise<string[]> {
  const lookups = await Promise.all(REQUIRED_KINDS.map(async (k) => ({ ...k, lookup: await collectionPath(client, k.apiVersion, k.kind) })));
  const missing = lookups.filter((k) => !k.lookup.ok).map((k) => `${client.server} does not serve ${k.kind} (${k.apiVersion}): install ${k.provider}${k.lookup.ok ? '' : ` [${k.lookup.error}]`}`);
  const version = await openShiftVersionProblem(client);
  return version ? [version, ...missing] : missing;
}

async function openShiftVersionProblem(client: KubeClient): Promise<string | undefined> {
  const r = await client.request('GET', '/apis/config.openshift.io/v1/clusterversions/version');
  if (r.status === 404) return `${client.server} is not OpenShift (it has no ClusterVersion "version"); the lessons need OpenShift ${MINIMUM_OPENSHIFT.join('.')} or later`;
  if (r.status !== 200) return `cannot read the ClusterVersion of ${client.server} (HTTP ${r.status}): the user needs get on clusterversions.config.openshift.io`;
  const version = String((r.body as { status?: { desired?: { version?: unknown } } }).status?.desired?.version ?? '');
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const [wantMajor, wantMinor] = MINIMUM_OPENSHIFT;
  if (major > wantMajor || (major === wantMajor && minor >= wantMinor)) return undefined;
  return `${client.server} runs OpenShift ${version || '(unknown version)'}; the lessons need ${MINIMUM_OPENSHIFT.join('.')} or later (localnet MultiNetworkPolicy)`;
}
