import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AstroIntegration } from 'astro';
import { formatDiagnostic } from '../../lab-server/lesson/diagnostic.ts';
import { lintDir } from '../../lab-server/lint/lint.ts';
import { LESSONS_DIR } from '../lib/content-root.ts';

/**
 * Lints every lesson before Astro builds or serves it, so a broken lesson fails
 * the build with the same file:line findings `labpath lint` prints, instead of
 * a bare schema error from the content layer.
 */
export function lessonValidation(): AstroIntegration {
  return {
    name: 'labpath:lesson-validation',
    hooks: {
      'astro:config:setup': async ({ logger }) => {
        const dirs = readdirSync(LESSONS_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(LESSONS_DIR, d.name));
        const findings = (await Promise.all(dirs.map(lintDir))).flatMap((r) => r.diagnostics);
        if (findings.length > 0) {
          throw new Error(`${findings.length} problem(s) in lesson content:\n${findings.map((d) => formatDiagnostic(d)).join('\n')}\nRun "npx labpath lint" to see them again.`);
        }
        logger.info(`${dirs.length} lesson(s) pass lint`);
      },
    },
  };
}
