import { diagnosticAt, resolveNad } from '../context.ts';
import type { LintRule } from '../rule.ts';

export const networkSelectionNamespace: LintRule = {
  id: 'network-selection-namespace',
  description: "A workload's network references name a NAD in its own namespace (OpenShift's Multus enforces namespace isolation) that the lesson defines.",
  check: (ctx) =>
    ctx.workloads.flatMap((w) =>
      w.networks.flatMap((net) => {
        const namespace = net.selection.namespace ?? w.namespace;
        if (namespace !== w.namespace)
          return [diagnosticAt(w.manifest, net.path, 'network-selection-namespace',
            `references NAD ${namespace}/${net.selection.name} from namespace ${w.namespace}; OpenShift's Multus refuses it ("namespace isolation violation")`,
            `create the NAD in ${w.namespace} (same config name, its own netAttachDefName) and reference it as ${net.selection.name}`)];
        if (!resolveNad(ctx, w, net))
          return [diagnosticAt(w.manifest, net.path, 'network-selection-namespace',
            `references NAD ${namespace}/${net.selection.name}, which no manifest defines; the pod would stay in ContainerCreating`,
            `add a NetworkAttachmentDefinition ${net.selection.name} in namespace ${namespace}, or correct the name`)];
        return [];
      }),
    ),
};
