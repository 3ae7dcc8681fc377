import type { Diagnostic } from '../../lesson/diagnostic.ts';
import type { LintRule } from '../rule.ts';

/** `<Manifest file="x.yaml" />` in an MDX body, where the page shows a manifest. */
export const MANIFEST_TAG = /<Manifest\s+file=["']([^"']+)["']\s*\/>/g;

export const stepManifests: LintRule = {
  id: 'step-manifests',
  description: "Each manifest a step applies is a file in manifests/, shown on the step's page with <Manifest file=… /> (never on a challenge's page, which hides its solution); every manifest file is applied by some step.",
  needsLesson: true,
  check: (ctx) => {
    const lesson = ctx.lesson;
    if (!lesson) return [];
    const out: Diagnostic[] = [];
    const files = new Set(ctx.manifests.files.map((f) => f.fileName));
    const used = new Set<string>();
    for (const { step, body, bodyLine, file, source } of lesson.steps) {
      const shown = [...body.matchAll(MANIFEST_TAG)].map((m) => ({ name: m[1] ?? '', line: bodyLine + body.slice(0, m.index).split('\n').length - 1 }));
      step.manifests.forEach((name, i) => {
        used.add(name);
        const at = source.locate(['manifests', i]);
        if (!files.has(name)) out.push({ rule: 'step-manifests', file, ...at, field: `manifests[${i}]`, message: `manifest "${name}" is not in manifests/`, fix: `add manifests/${name} or correct the file name` });
        if (step.showSolution && !shown.some((s) => s.name === name)) out.push({ rule: 'step-manifests', file, ...at, field: `manifests[${i}]`, message: `step applies "${name}" but its page never shows it`, fix: `add <Manifest file="${name}" /> where the text explains it` });
      });
      for (const s of shown) {
        if (!step.showSolution) {
          out.push({ rule: 'step-manifests', file, line: s.line, column: 1, message: `the page shows "${s.name}", but this step hides its solution (showSolution: false)`, fix: 'remove the <Manifest> tag, or set showSolution: true' });
          continue;
        }
        if (!step.manifests.includes(s.name))
          out.push({ rule: 'step-manifests', file, line: s.line, column: 1, message: `the page shows "${s.name}" but the step's frontmatter does not list it under manifests`, fix: `add ${s.name} to manifests in the frontmatter` });
      }
    }
    for (const f of ctx.manifests.files)
      if (!used.has(f.fileName)) out.push({ rule: 'step-manifests', file: f.file, line: 1, column: 1, message: `no step applies ${f.fileName}`, fix: "list it under a step's manifests, or delete it" });
    return out;
  },
};

