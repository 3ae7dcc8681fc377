import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatDiagnostic } from '../lesson/diagnostic.ts';
import { lintDir, LintInputError, type LintResult } from '../lint/lint.ts';
import { LOADER_RULES, RULES } from '../lint/rules/index.ts';
import { UsageError, type Command } from './command.ts';
import { LESSONS_ROOT } from './paths.ts';

export const lintCommand: Command = {
  name: 'lint',
  usage: `Usage: labpath lint [--format text|json] [--rules] [LESSON_DIR...]

Checks each lesson folder (holding lesson.yaml) or folder of manifests.
With no folder, lints every lesson under content/lessons/.

Options:
  --format text|json  output format (default text)
  --rules             list the rules and exit
  -h, --help          show this help

Exit status: 0 clean, 1 findings, 2 usage error.`,
  async run(args) {
    const { values, positionals } = parseFlags(args);
    if (values.rules) {
      for (const rule of [...LOADER_RULES, ...RULES]) console.log(`${rule.id.padEnd(28)} ${rule.description}`);
      return 0;
    }
    const format = values.format ?? 'text';
    if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not "${format}"`);
    const dirs = positionals.length > 0 ? positionals : allLessonDirs();
    const results: LintResult[] = [];
    for (const dir of dirs) {
      try {
        results.push(await lintDir(dir));
      } catch (error) {
        if (error instanceof LintInputError) throw new UsageError(error.message);
        throw error;
      }
    }
    const total = results.reduce((n, r) => n + r.diagnostics.length, 0);
    if (format === 'json') {
      console.log(JSON.stringify(results.map((r) => ({ dir: r.dir, kind: r.kind, diagnostics: r.diagnostics })), null, 2));
    } else {
      for (const r of results) for (const d of r.diagnostics) console.log(formatDiagnostic(d));
      const summary = results.map((r) => `${r.dir.replace(process.cwd() + '/', '')}: ${r.diagnostics.length === 0 ? 'clean' : `${r.diagnostics.length} finding(s)`}`);
      console.log(`${total === 0 ? '✔' : '✘'} ${summary.join('; ')}`);
    }
    return total === 0 ? 0 : 1;
  },
};

function parseFlags(args: string[]) {
  try {
    return parseArgs({ args, allowPositionals: true, strict: true, options: { format: { type: 'string' }, rules: { type: 'boolean' } } });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function allLessonDirs(): string[] {
  const dirs = readdirSync(LESSONS_ROOT, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(LESSONS_ROOT, d.name));
  if (dirs.length === 0) throw new UsageError(`no lessons found under ${LESSONS_ROOT}`);
  return dirs;
}
