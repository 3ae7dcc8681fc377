import { getPath, isRecord, stringMap } from '../../k8s/object.ts';
import { diagnosticAt } from '../context.ts';
import type { Diagnostic } from '../../lesson/diagnostic.ts';
import { nodesMatching } from '../../lesson/environment.ts';
import type { LintRule } from '../rule.ts';

export const nncpBridgeMappings: LintRule = {
  id: 'nncp-bridge-mappings',
  description: 'NNCP bridge mappings name a localnet and a bridge (unless absent), never repeat a localnet, use the lesson\'s bridge, and the nodeSelector matches a node of the environment.',
  check: (ctx) => {
    const out: Diagnostic[] = [];
    const seen = new Map<string, string>();
    for (const m of ctx.bridgeMappings) {
      const path = ['spec', 'desiredState', 'ovn', 'bridge-mappings', m.index];
      if (!m.localnet) out.push(diagnosticAt(m.manifest, path, 'nncp-bridge-mappings', 'a bridge mapping has no "localnet" name', 'add localnet: <network name used in the NAD config>'));
      if (!m.bridge && m.state !== 'absent') out.push(diagnosticAt(m.manifest, path, 'nncp-bridge-mappings', 'nmstate rejects a bridge mapping without a bridge ("missing the `bridge` attribute")', 'add bridge: br-ex, or state: absent to remove the mapping'));
      if (!['present', 'absent'].includes(m.state)) out.push(diagnosticAt(m.manifest, [...path, 'state'], 'nncp-bridge-mappings', `state "${m.state}" is neither present nor absent`, 'use state: present (the default) or state: absent'));
      const env = ctx.lesson?.lesson.environment;
      if (env && m.bridge && m.state !== 'absent' && m.bridge !== env.bridge)
        out.push(diagnosticAt(m.manifest, [...path, 'bridge'], 'nncp-bridge-mappings', `bridge "${m.bridge}" does not exist on the nodes; their NIC is on "${env.bridge}"`, `set bridge: ${env.bridge}`));
      if (m.localnet) {
        const key = `${m.manifest.object.metadata.name}/${m.localnet}`;
        if (seen.has(key)) out.push(diagnosticAt(m.manifest, [...path, 'localnet'], 'nncp-bridge-mappings', `localnet "${m.localnet}" is mapped twice in one policy; nmstate rejects duplicates`, 'keep one mapping per localnet'));
        seen.set(key, m.localnet);
      }
    }
    const env = ctx.lesson?.lesson.environment;
    if (env) {
      for (const manifest of ctx.manifests.objects.filter((o) => o.object.kind === 'NodeNetworkConfigurationPolicy')) {
        const rawSelector = getPath(manifest.object, ['spec', 'nodeSelector']);
        const matches = nodesMatching(env, stringMap(rawSelector));
        if (isRecord(rawSelector) && matches.length === 0)
          out.push(diagnosticAt(manifest, ['spec', 'nodeSelector'], 'nncp-bridge-mappings', 'nodeSelector matches no node of the lesson environment; the policy would report NoMatchingNode', "select with labels the nodes have, e.g. node-role.kubernetes.io/worker: ''"));
      }
    }
    return out;
  },
};
