import { NETWORKS_ANNOTATION } from '../../k8s/network-selection.ts';
import { diagnosticAt } from '../context.ts';
import type { LintRule } from '../rule.ts';

export const networkSelectionSyntax: LintRule = {
  id: 'network-selection-syntax',
  description: `The ${NETWORKS_ANNOTATION} annotation is a JSON list of selection elements or the short form [namespace/]name[@interface].`,
  check: (ctx) =>
    ctx.workloads.flatMap((w) =>
      w.networkError
        ? [diagnosticAt(w.manifest, w.kind === 'Pod' ? ['metadata', 'annotations', NETWORKS_ANNOTATION] : ['spec', 'template', 'spec', 'volumes'], 'network-selection-syntax', w.networkError,
            w.kind === 'Pod' ? 'write the annotation as \'[{"name": "db-access-net", "ips": ["192.168.200.10/24"]}]\' or as db-access-net' : 'correct the cloud-init networkData YAML')]
        : [],
    ),
};
