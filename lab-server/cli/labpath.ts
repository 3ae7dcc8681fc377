#!/usr/bin/env node
/** `labpath`: one entry point, one module per subcommand. */
import { EXIT_USAGE, UsageError, type Command } from './command.ts';
import { lintCommand } from './lint-command.ts';
import { sandboxCommand } from './sandbox-command.ts';
import { virtctlCommand } from './virtctl-command.ts';
import { ocCommand } from './oc-command.ts';
import { verifyCommand } from './verify-command.ts';

const COMMANDS: readonly Command[] = [lintCommand, verifyCommand, sandboxCommand, virtctlCommand, ocCommand];

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
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    console.error(`labpath: unknown command "${name}"\n\n${usage()}`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
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
