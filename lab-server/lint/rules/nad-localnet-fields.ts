import { localnetConfigProblems } from '../../k8s/nad-config.ts';
import { diagnosticAt } from '../context.ts';
import type { LintRule } from '../rule.ts';

export const nadLocalnetFields: LintRule = {
  id: 'nad-localnet-fields',
  description: 'A localnet NAD config has the fields OVN-Kubernetes requires: type, topology, name, netAttachDefName = namespace/name, vlanID 0–4094 (0 or none: untagged), no ipam.',
  check: (ctx) =>
    ctx.nads.flatMap((nad) =>
      nad.config
        ? localnetConfigProblems(nad.config, nad.namespace, nad.name).map((p) =>
            diagnosticAt(nad.manifest, ['spec', 'config'], 'nad-localnet-fields', `spec.config "${p.field}": ${p.message}`, p.fix),
          )
        : [],
    ),
};
