/**
 * The smallest shell that proves exec end to end: `hostname`, `echo`, `env`,
 * `exit N`, `sh -c "…"`, and an interactive prompt with line editing when a
 * TTY is attached. Anything else is "command not found" (exit 127).
 */
import { getPath } from '../../k8s/object.ts';
import type { ContainerProcess, ExecContext, ProcessIO } from './process.ts';

const SHELLS = new Set(['sh', 'bash', '/bin/sh', '/bin/bash']);

export function minimalShell(context: ExecContext, io: ProcessIO): ContainerProcess {
  const hostname = context.pod.metadata.name;
  const env: Record<string, string> = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOSTNAME: hostname, HOME: '/root', ...containerEnv(context), ...context.env };
  let finished = false;
  const finish = (code: number) => {
    if (finished) return;
    finished = true;
    io.exit(code);
  };
  const run = (line: string): number | 'exit' => {
    const words = splitWords(line);
    if (words.length === 0) return 0;
    const [command, ...args] = words as [string, ...string[]];
    switch (command) {
      case 'hostname':
        io.output('stdout', `${hostname}\n`);
        return 0;
      case 'echo':
        io.output('stdout', `${args.map((a) => a.replace(/\$(\w+)/g, (_, name: string) => env[name] ?? '')).join(' ')}\n`);
        return 0;
      case 'env':
        io.output('stdout', Object.entries(env).map(([k, v]) => `${k}=${v}\n`).join(''));
        return 0;
      case 'true':
        return 0;
      case 'false':
        return 1;
      case 'exit': {
        const code = Number(args[0] ?? 0);
        return Number.isInteger(code) ? ((code % 256) + 256) % 256 : 2;
      }
      default:
        io.output('stderr', `sh: ${command}: command not found\n`);
        return 127;
    }
  };

  const [program, ...rest] = context.command;
  if (!program) {
    io.output('stderr', 'you must specify at least one command for the container\n');
    queueMicrotask(() => finish(1));
    return inert;
  }
  if (!SHELLS.has(program) || rest.length > 0) {
    // A one-shot command: sh -c "a; b" or a program with arguments.
    queueMicrotask(() => {
      const script = SHELLS.has(program) && rest[0] === '-c' ? (rest[1] ?? '') : context.command.map(quote).join(' ');
      let code = 0;
      for (const statement of script.split(/;|\n/)) {
        if (statement.trim().split(/\s+/)[0] === 'exit') return finish(run(statement) as number);
        code = run(statement) as number;
      }
      finish(code);
    });
    return inert;
  }

  // An interactive shell: prompt, echo and line editing when there is a TTY.
  let line = '';
  const prompt = () => io.output('stdout', context.tty ? `sh-5.2$ ` : '');
  queueMicrotask(prompt);
  return {
    write(data) {
      for (const char of data.toString('utf8')) {
        if (finished) return;
        if (char === '\r' || char === '\n') {
          if (context.tty) io.output('stdout', '\r\n');
          const trimmed = line.trim();
          line = '';
          if (trimmed.startsWith('exit')) return finish(run(trimmed) as number);
          run(trimmed);
          prompt();
        } else if (char === '\x7f' || char === '\b') {
          if (line.length > 0) {
            line = line.slice(0, -1);
            if (context.tty) io.output('stdout', '\b \b');
          }
        } else if (char === '\x03') {
          line = '';
          if (context.tty) io.output('stdout', '^C\r\n');
          prompt();
        } else if (char === '\x04' && line === '') {
          return finish(0);
        } else if (char >= ' ') {
          line += char;
          if (context.tty) io.output('stdout', char);
        }
      }
    },
    endInput() {
      if (line.trim() !== '') run(line.trim());
      finish(0);
    },
    resize(columns, rows) {
      env.COLUMNS = String(columns);
      env.LINES = String(rows);
    },
    kill() {
      finished = true;
    },
  };
}

const inert: ContainerProcess = { write() {}, endInput() {}, resize() {}, kill() {} };

function containerEnv(context: ExecContext): Record<string, string> {
  const containers = getPath(context.pod, ['spec', 'containers']);
  const container = Array.isArray(containers) ? containers.find((c) => getPath(c, ['name']) === context.container) : undefined;
  const list = getPath(container, ['env']);
  return Object.fromEntries((Array.isArray(list) ? list : []).flatMap((e) => (typeof getPath(e, ['name']) === 'string' && typeof getPath(e, ['value']) === 'string' ? [[getPath(e, ['name']) as string, getPath(e, ['value']) as string]] : [])));
}

function splitWords(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
}

function quote(word: string): string {
  return /\s/.test(word) ? `"${word}"` : word;
}
