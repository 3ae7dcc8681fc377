/**
 * ovnkube-controller's view of a MultiNetworkPolicy: a policy it cannot apply
 * is only logged on a real cluster; the sandbox also puts a Warning event on
 * it, so a learner finds out why with kubectl describe.
 */
import { getPath, type KubeObject } from '../../../k8s/object.ts';
import { hasIpam, parseNadConfig } from '../../../k8s/nad-config.ts';
import { policyForTargets, voidReason } from '../../../k8s/multi-network-policy.ts';
import type { ClusterView } from '../../store/cluster-view.ts';
import type { ComputationResult } from '../computation.ts';
import type { RuleEvent } from '../rule.ts';

const warn = (reason: string, message: string): RuleEvent => ({ type: 'Warning', reason, message, source: 'ovnkube-controller' });

export function checkPolicy(cluster: ClusterView, policy: KubeObject): ComputationResult {
  const targets = policyForTargets(policy);
  const events: RuleEvent[] = [];
  if (targets.length === 0) events.push(warn('PolicyNotApplied', 'no k8s.v1.cni.cncf.io/policy-for annotation: no secondary network enforces this policy'));
  for (const target of targets) {
    const nad = cluster.store.get('k8s.cni.cncf.io/network-attachment-definitions', target.namespace, target.name);
    const config = parseNadConfig(getPath(nad, ['spec', 'config']));
    if (!nad || !config.ok) {
      events.push(warn('PolicyNotApplied', `policy-for names ${target.namespace}/${target.name}, which does not exist: the policy is ignored`));
      continue;
    }
    const reason = voidReason(policy, hasIpam(config.config));
    if (reason) events.push(warn('PolicyNotApplied', `failed to apply the policy to network ${String(config.config.name)}: ${reason}; no part of it is enforced`));
  }
  return { ok: true, vars: { events } };
}
