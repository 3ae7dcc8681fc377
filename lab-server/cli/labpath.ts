#!/usr/bin/env node
/** `labpath`: one entry point, one module per subcommand. */
import { enableCompileCache } from 'node:module';
import { EXIT_USAGE, UsageError, type Command } from './command.ts';

// The commands load after this line, so their dependencies (client-node above all)
// come from V8's code cache on every run but the first: oc and virtctl run often.
enableCompileCache();

/**
 * Commands load on demand: `oc` and `virtctl` run once per learner command, and
 * loading every command's dependencies (client-node alone takes ~0.4 s) would
 * make each of them that much slower.
 */
const COMMANDS: readonly { name: string; summary: string; load: () => Promise<Command> }[] = [
  { name: 'lint', summary: 'check lessons (schema and cross-manifest rules) and report file:line findings', load: async () => (await import('./lint-command.ts')).lintCommand },
  { name: 'serve', summary: 'run the lab: lessons, terminals and live checks for every learner, on one origin', load: async () => (await import('./serve-command.ts')).serveCommand },
  { name: 'verify', summary: 'prove every step of a lesson: checks fail, the solution runs, checks pass', load: async () => (await import('./verify-command.ts')).verifyCommand },
  { name: 'sandbox', summary: 'run a sandbox cluster (a Kubernetes API server kubectl can use) for a lesson', load: async () => (await import('./sandbox-command.ts')).sandboxCommand },
  { name: 'virtctl', summary: 'KubeVirt client: console, ssh (through the console), start, stop, restart', load: async () => (await import('./virtctl-command.ts')).virtctlCommand },
  { name: 'oc', summary: 'OpenShift client: kubectl commands plus project, new-project, whoami', load: async () => (await import('./oc-command.ts')).ocCommand },
];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return `Usage: labpath <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join('\n')}

Run "labpath <command> --help" for a command's options.`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name === undefined ? EXIT_USAGE : 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    console.error(`labpath: unknown command "${name}"\n\n${usage()}`);
    return EXIT_USAGE;
  }
  const command = await entry.load();
  const asksHelp = (arg: string | undefined) => arg === '--help' || arg === '-h';
  if (command.forwardsHelp ? asksHelp(rest[0]) : rest.some(asksHelp)) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`labpath ${command.name}: ${error.message}\n\n${command.usage}`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
