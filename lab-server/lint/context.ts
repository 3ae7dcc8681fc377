/** What the lint rules look at: the lesson (when there is one), its manifests and their network inventory. */
import type { Diagnostic } from '../lesson/diagnostic.ts';
import type { LoadedLesson } from '../lesson/load.ts';
import { buildInventory, type NetworkInventory, type Workload } from '../lesson/inventory.ts';
import { describeObject, type ManifestObject, type ManifestSet } from '../lesson/manifests.ts';

export { namespaceOf, resolveNad, type Nad, type Workload } from '../lesson/inventory.ts';

export interface LintContext extends NetworkInventory {
  dir: string;
  lesson?: LoadedLesson;
  manifests: ManifestSet;
}

export function buildContext(dir: string, manifests: ManifestSet, lesson?: LoadedLesson): LintContext {
  return { dir, manifests, ...buildInventory(manifests), ...(lesson ? { lesson } : {}) };
}

export function diagnosticAt(manifest: ManifestObject, path: readonly (string | number)[], rule: string, message: string, fix: string): Diagnostic {
  const { line, column } = manifest.source.locate(path);
  return { rule, file: manifest.file, line, column, field: path.map((p) => (typeof p === 'number' ? `[${p}]` : p)).join('.').replace(/\.\[/g, '['), message: `${describeObject(manifest)}: ${message}`, fix };
}

export function workloadLabel(w: Workload): string {
  const labels = Object.entries(w.labels).filter(([k]) => k !== 'kubevirt.io/created-by').map(([k, v]) => `${k}=${v}`);
  return `${w.kind === 'Pod' ? 'pod' : 'VM'} ${w.name} (${labels.join(', ') || 'no labels'})`;
}
