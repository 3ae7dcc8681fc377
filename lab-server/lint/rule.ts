import type { Diagnostic } from '../lesson/diagnostic.ts';
import type { LintContext } from './context.ts';

/** A lint rule: an id that names it in findings, what it guards, and the check. */
export interface LintRule {
  id: string;
  description: string;
  /** Rules about steps and checks need lesson.yaml; they skip a bare manifest folder. */
  needsLesson?: boolean;
  check(ctx: LintContext): Diagnostic[];
}
