import { parseNadConfig } from '../../k8s/nad-config.ts';
import { getPath } from '../../k8s/object.ts';
import { diagnosticAt } from '../context.ts';
import type { LintRule } from '../rule.ts';

export const nadConfigJson: LintRule = {
  id: 'nad-config-json',
  description: "A NetworkAttachmentDefinition's spec.config is a string holding a JSON object.",
  check: (ctx) =>
    ctx.nads.flatMap((nad) => {
      const parsed = parseNadConfig(getPath(nad.manifest.object, ['spec', 'config']));
      return parsed.ok
        ? []
        : [diagnosticAt(nad.manifest, ['spec', 'config'], 'nad-config-json', parsed.error, "write spec.config as a single-quoted JSON string, e.g. '{\"cniVersion\": \"0.3.1\", ...}'")];
    }),
};
