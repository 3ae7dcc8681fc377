/** Facts derived from a lesson's environment that several consumers need. */
import type { Environment } from './schema.ts';

type EnvironmentNode = Environment['nodes'][number];

/** The labels a node carries on a cluster: its role labels, hostname, and those the lesson adds. */
export function nodeLabels(node: EnvironmentNode): Record<string, string> {
  return {
    ...Object.fromEntries(node.roles.map((role) => [`node-role.kubernetes.io/${role}`, ''])),
    'kubernetes.io/hostname': node.name,
    'kubernetes.io/os': 'linux',
    ...node.labels,
  };
}

/** NNCP nodeSelector semantics: a plain map, every entry must equal a node label. */
export function nodesMatching(env: Environment, nodeSelector: Record<string, string>): EnvironmentNode[] {
  return env.nodes.filter((node) => {
    const labels = nodeLabels(node);
    return Object.entries(nodeSelector).every(([key, value]) => labels[key] === value);
  });
}
