/**
 * kubernetes-nmstate: a policy's enactment per matching node, the handler
 * applying OVN bridge mappings to each node's state, and the policy's
 * conditions aggregated from its enactments (network-semantics.md §2).
 */
import { getPath, isRecord, stringMap, type KubeObject } from '../../../k8s/object.ts';
import type { ClusterView } from '../../store/cluster-view.ts';
import { now } from '../../machinery/object-metadata.ts';
import type { ComputationResult } from '../computation.ts';

const NNCE = 'nmstate.io/nodenetworkconfigurationenactments';
const NNS = 'nmstate.io/nodenetworkstates';
const NNCP = 'nmstate.io/nodenetworkconfigurationpolicies';
const CONDITION_TYPES = ['Available', 'Degraded', 'Progressing', 'Ignored'] as const;

type Status = 'True' | 'False' | 'Unknown';

function conditions(types: readonly string[], active: { type: string; reason: string; message: string }, others: Status = 'False'): unknown[] {
  const time = now();
  return types.map((type) =>
    type === active.type
      ? { type, status: 'True', reason: active.reason, message: active.message, lastHeartbeatTime: time, lastTransitionTime: time }
      : { type, status: others, reason: '', message: '', lastHeartbeatTime: time, lastTransitionTime: time },
  );
}

function trueCondition(object: KubeObject | undefined): string | undefined {
  const list = getPath(object, ['status', 'conditions']);
  return Array.isArray(list) ? (list.find((c) => getPath(c, ['status']) === 'True') as { type?: string } | undefined)?.type : undefined;
}

export function matchingNodes(cluster: ClusterView, policy: KubeObject): KubeObject[] {
  const selector = stringMap(getPath(policy, ['spec', 'nodeSelector']));
  return cluster.store.list('/nodes').filter((node) => Object.entries(selector).every(([k, v]) => node.metadata.labels?.[k] === v));
}

/** The policy controller: an enactment per matching node at this generation; the policy's status from theirs. */
export function reconcilePolicy(cluster: ClusterView, policy: KubeObject): ComputationResult {
  const name = policy.metadata.name;
  const generation = Number(policy.metadata.generation ?? 1);
  const nodes = matchingNodes(cluster, policy);
  const wanted = new Set(nodes.map((n) => `${n.metadata.name}.${name}`));
  for (const stale of cluster.store.list(NNCE).filter((e) => e.metadata.labels?.['nmstate.io/policy'] === name && !wanted.has(e.metadata.name))) {
    // A node that stops matching loses its enactment; its configuration stays as it was.
    cluster.store.remove(NNCE, undefined, stale.metadata.name);
  }
  for (const node of nodes) {
    const enactmentName = `${node.metadata.name}.${name}`;
    const current = cluster.store.get(NNCE, undefined, enactmentName);
    if (current && getPath(current, ['status', 'policyGeneration']) === generation) continue;
    const base = current ?? {
      apiVersion: 'nmstate.io/v1beta1',
      kind: 'NodeNetworkConfigurationEnactment',
      metadata: {
        name: enactmentName,
        labels: { 'nmstate.io/node': node.metadata.name, 'nmstate.io/policy': name },
        ownerReferences: [{ apiVersion: policy.apiVersion, kind: policy.kind, name, uid: policy.metadata.uid }],
      },
    };
    const status = {
      desiredState: getPath(policy, ['spec', 'desiredState']) ?? {},
      policyGeneration: generation,
      conditions: conditions(['Failing', 'Available', 'Progressing', 'Pending', 'Aborted'], { type: 'Progressing', reason: 'ConfigurationProgressing', message: 'Applying desired state' }, 'Unknown'),
    };
    if (current) cluster.store.put(NNCE, { ...current, status });
    else cluster.createSystemObject({ ...(base as KubeObject), status });
  }
  const enactments = [...wanted].map((n) => cluster.store.get(NNCE, undefined, n));
  const states = enactments.map(trueCondition);
  const total = nodes.length;
  const failed = states.filter((s) => s === 'Failing' || s === 'Aborted').length;
  const done = states.filter((s) => s === 'Available').length;
  let status: unknown[];
  if (total === 0) status = conditions(CONDITION_TYPES, { type: 'Ignored', reason: 'NoMatchingNode', message: 'Policy does not match any node' }, 'Unknown');
  else if (done + failed < total) status = conditions(CONDITION_TYPES, { type: 'Progressing', reason: 'ConfigurationProgressing', message: `Policy is progressing ${done + failed}/${total} nodes finished` }, 'Unknown');
  else if (failed > 0) status = conditions(CONDITION_TYPES, { type: 'Degraded', reason: 'FailedToConfigure', message: `${failed}/${total} nodes failed to configure` });
  else status = conditions(CONDITION_TYPES, { type: 'Available', reason: 'SuccessfullyConfigured', message: `${done}/${total} nodes successfully configured` });
  // Keep the timestamps of conditions that did not change, so a settled policy stops writing.
  const previous = getPath(policy, ['status', 'conditions']);
  if (Array.isArray(previous) && sameConditions(previous, status)) status = previous;
  return { ok: true, vars: { conditions: status } };
}

function sameConditions(a: unknown[], b: unknown[]): boolean {
  const key = (list: unknown[]) => JSON.stringify(list.map((c) => [getPath(c, ['type']), getPath(c, ['status']), getPath(c, ['reason']), getPath(c, ['message'])]));
  return key(a) === key(b);
}

interface BridgeMapping {
  localnet?: string;
  bridge?: string;
  state?: string;
}

/** nmstate validating and applying `ovn.bridge-mappings`: merged into the node's, `absent` removes one. */
export function applyBridgeMappings(current: BridgeMapping[], desired: unknown): { mappings: BridgeMapping[] } | { error: string } {
  if (desired === undefined) return { mappings: current };
  if (!Array.isArray(desired)) return { error: 'NmstateError: InvalidArgument: ovn.bridge-mappings must be a list' };
  const seen = new Set<string>();
  let mappings = [...current];
  for (const item of desired as BridgeMapping[]) {
    if (!isRecord(item) || typeof item.localnet !== 'string' || item.localnet === '') return { error: 'NmstateError: InvalidArgument: bridge-mappings entries need a localnet name' };
    if (seen.has(item.localnet)) return { error: `NmstateError: InvalidArgument: Duplicate localnet ${item.localnet} in ovn bridge-mappings` };
    seen.add(item.localnet);
    const state = item.state ?? 'present';
    if (state !== 'present' && state !== 'absent') return { error: `NmstateError: InvalidArgument: Invalid state ${state} for bridge mapping ${item.localnet}: use present or absent` };
    if (state === 'absent') {
      mappings = mappings.filter((m) => m.localnet !== item.localnet);
      continue;
    }
    if (typeof item.bridge !== 'string' || item.bridge === '') return { error: `NmstateError: InvalidArgument: bridge mapping for localnet ${item.localnet} is missing the \`bridge\` attribute` };
    mappings = [...mappings.filter((m) => m.localnet !== item.localnet), { localnet: item.localnet, bridge: item.bridge }];
  }
  return { mappings };
}

/** The nmstate handler on a node: applies the enactment's desired state to the node's NodeNetworkState. */
export function configureNode(cluster: ClusterView, enactment: KubeObject): ComputationResult {
  const nodeName = enactment.metadata.labels?.['nmstate.io/node'] ?? '';
  const policyName = enactment.metadata.labels?.['nmstate.io/policy'] ?? '';
  const state = cluster.store.get(NNS, undefined, nodeName);
  const current = (getPath(state, ['status', 'currentState', 'ovn', 'bridge-mappings']) as BridgeMapping[] | undefined) ?? [];
  const result = applyBridgeMappings(current, getPath(enactment, ['status', 'desiredState', 'ovn', 'bridge-mappings']));
  let enactmentConditions: unknown[];
  if ('error' in result) {
    enactmentConditions = conditions(['Failing', 'Available', 'Progressing', 'Pending', 'Aborted'], {
      type: 'Failing',
      reason: 'FailedToConfigure',
      message: `error reconciling NodeNetworkConfigurationPolicy on node ${nodeName} at desired state apply: "", failed to execute nmstatectl set --no-commit --timeout 480: 'exit status 1' '' '${result.error}'`,
    });
  } else {
    if (state) {
      const currentState = { ...(getPath(state, ['status', 'currentState']) as object), ovn: { 'bridge-mappings': result.mappings } };
      cluster.store.put(NNS, { ...state, status: { ...(state.status as object), currentState, lastSuccessfulUpdateTime: now() } });
    }
    enactmentConditions = conditions(['Failing', 'Available', 'Progressing', 'Pending', 'Aborted'], { type: 'Available', reason: 'SuccessfullyConfigured', message: 'successfully reconciled' });
  }
  cluster.store.put(NNCE, { ...enactment, status: { ...(enactment.status as object), conditions: enactmentConditions } });
  // The policy's status follows from its enactments: let its controller look again.
  const policy = cluster.store.get(NNCP, undefined, policyName);
  if (policy) {
    const aggregated = reconcilePolicy(cluster, policy);
    if (aggregated.ok) cluster.store.put(NNCP, { ...policy, status: { ...(policy.status as object), conditions: aggregated.vars.conditions } });
  }
  return { ok: true, vars: {} };
}
