import type { Diagnostic } from '../../lesson/diagnostic.ts';
import type { LintRule } from '../rule.ts';

export const stepReferences: LintRule = {
  id: 'step-references',
  description: "Step ids are unique, each step's persona is one of the lesson's, and every connect or command check names a pod or VM that a manifest defines.",
  needsLesson: true,
  check: (ctx) => {
    const lesson = ctx.lesson;
    if (!lesson) return [];
    const out: Diagnostic[] = [];
    const ids = new Map<string, string>();
    const personas = lesson.lesson.personas.map((p) => p.id);
    for (const { step, file, source } of lesson.steps) {
      const other = ids.get(step.id);
      if (other) out.push({ rule: 'step-references', file, ...source.locate(['id']), field: 'id', message: `step id "${step.id}" is also used by ${other}`, fix: 'give every step its own id' });
      ids.set(step.id, file);
      if (!personas.includes(step.persona))
        out.push({ rule: 'step-references', file, ...source.locate(['persona']), field: 'persona', message: `persona "${step.persona}" is not one of the lesson's personas (${personas.join(', ')})`, fix: 'add the persona to lesson.yaml or pick one it lists' });
      step.checks.forEach((check, i) => {
        if (check.type !== 'connect' && check.type !== 'command') return;
        const from = check.type === 'connect' ? check.from : check.in;
        const field = check.type === 'connect' ? 'from' : 'in';
        const kind = 'pod' in from ? 'Pod' : 'VirtualMachine';
        const name = 'pod' in from ? from.pod : from.vm;
        const found = ctx.workloads.some((w) => w.kind === kind && w.namespace === from.namespace && w.name === name);
        if (!found)
          out.push({ rule: 'step-references', file, ...source.locate(['checks', i, field]), field: `checks[${i}].${field}`, message: `${check.type} check ${check.type === 'connect' ? 'starts from' : 'runs in'} ${kind} ${from.namespace}/${name}, which no manifest defines`, fix: 'name a pod or VM from the lesson\'s manifests' });
      });
    }
    return out;
  },
};
