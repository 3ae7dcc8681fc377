/**
 * A shell for simulated machines: runs command lines (pipelines, ; && ||,
 * quotes, $VARS, exit codes) one-shot or interactively with a prompt and line
 * editing when a TTY is attached. Ctrl-C interrupts the running program.
 */
import type { ContainerProcess, ProcessIO } from '../process.ts';
import type { Machine, Program, ProgramContext } from './program.ts';
import { expandCommand, splitLine, type SimpleCommand } from './parse.ts';
import { PROGRAMS } from './programs/index.ts';

export interface ShellOptions {
  machine: Machine;
  env: Record<string, string>;
  tty: boolean;
  /** sh -c "…" or a program with arguments; undefined for an interactive shell. */
  script?: string;
  io: ProcessIO;
}

export function startShell(options: ShellOptions): ContainerProcess {
  const { machine, tty, io } = options;
  const env: Record<string, string> = { ...options.env, '?': '0' };
  const input: string[] = [];
  let inputEnded = false;
  let waiting: ((line: string | undefined) => void) | undefined;
  let editing = '';
  let echoInput = true;
  let running: AbortController | undefined;
  let finished = false;

  const write = (data: string) => io.output('stdout', tty ? data.replace(/\r?\n/g, '\r\n') : data);
  const finish = (code: number) => {
    if (finished) return;
    finished = true;
    io.exit(code);
  };
  const deliver = (line: string | undefined) => {
    if (waiting) {
      const resolve = waiting;
      waiting = undefined;
      resolve(line);
    } else if (line !== undefined) input.push(line);
  };
  const readLine = (opts: { echo?: boolean } = {}): Promise<string | undefined> => {
    echoInput = opts.echo ?? true;
    if (input.length > 0) return Promise.resolve(input.shift());
    if (inputEnded) return Promise.resolve(undefined);
    return new Promise((resolve) => (waiting = resolve));
  };

  const runCommand = async (raw: string, stdinLines: string[] | undefined, capture: string[] | undefined, signal: AbortSignal): Promise<number> => {
    const expanded = expandCommand(raw, env);
    if (!expanded.ok) {
      io.output('stderr', `${machine.shellName}: ${expanded.error}${tty ? '\r\n' : '\n'}`);
      return 2;
    }
    const command: SimpleCommand = expanded.command;
    if (command.argv.length === 0) {
      // Only assignments: they set shell variables.
      Object.assign(env, expanded.command.assignments);
      return 0;
    }
    const programEnv = { ...env, ...expanded.command.assignments };
    const [name, ...args] = command.argv as [string, ...string[]];
    if (name === 'exit') return Number.isInteger(Number(args[0] ?? 0)) ? ((Number(args[0] ?? 0) % 256) + 256) % 256 : 2;
    if (name === 'export') {
      for (const a of args) {
        const [k, ...v] = a.split('=');
        if (k && v.length) env[k] = v.join('=');
      }
      return 0;
    }
    const program: Program | undefined = machine.installed.has(name) ? PROGRAMS[name] : undefined;
    const out = (data: string) => {
      if (command.discardStdout) return;
      if (capture) capture.push(data);
      else write(data);
    };
    const err = (data: string) => {
      if (command.stderrToStdout) return out(data);
      if (!command.discardStderr) io.output('stderr', tty ? data.replace(/\r?\n/g, '\r\n') : data);
    };
    if (!program) {
      err(`${machine.shellName}: ${name}: command not found\n`);
      return 127;
    }
    const pipedInput = stdinLines ? [...stdinLines] : undefined;
    const context: ProgramContext = {
      argv: command.argv,
      env: programEnv,
      machine,
      out,
      err,
      readLine: (opts) => (pipedInput ? Promise.resolve(pipedInput.shift()) : readLine(opts)),
      sleep: (ms) =>
        new Promise((resolve) => {
          if (signal.aborted) return resolve(false);
          const timer = setTimeout(() => resolve(true), ms);
          signal.addEventListener('abort', () => {
            clearTimeout(timer);
            resolve(false);
          }, { once: true });
        }),
      signal,
    };
    try {
      return await program(context);
    } catch (error) {
      err(`${name}: ${(error as Error).message}\n`);
      return 1;
    }
  };

  /** Runs one command line; resolves to its exit status, or 'exit' with a code. */
  const runLine = async (line: string): Promise<{ code: number; exit: boolean }> => {
    const parsed = splitLine(line);
    if (!parsed.ok) {
      io.output('stderr', `${machine.shellName}: ${parsed.error}${tty ? '\r\n' : '\n'}`);
      return { code: 2, exit: false };
    }
    let code = 0;
    let skip = false;
    for (const item of parsed.list) {
      if (!skip) {
        if (item.pipeline.length === 1 && /^\s*exit(\s|$)/.test(item.pipeline[0]!)) return { code: await runCommand(item.pipeline[0]!, undefined, undefined, new AbortController().signal), exit: true };
        running = new AbortController();
        let piped: string[] | undefined;
        for (const [index, command] of item.pipeline.entries()) {
          const last = index === item.pipeline.length - 1;
          const captured: string[] | undefined = last ? undefined : [];
          code = await runCommand(command, piped, captured, running.signal);
          piped = captured ? captured.join('').split('\n').filter((l, i, all) => l !== '' || i < all.length - 1) : undefined;
          if (running.signal.aborted) break;
        }
        running = undefined;
        env['?'] = String(code);
      }
      skip = (item.then === '&&' && code !== 0) || (item.then === '||' && code === 0);
    }
    return { code, exit: false };
  };

  if (options.script !== undefined) {
    const script = options.script;
    queueMicrotask(async () => {
      let code = 0;
      for (const line of script.split('\n')) {
        const result = await runLine(line);
        code = result.code;
        if (result.exit) break;
      }
      finish(code);
    });
  } else {
    // Interactive: a prompt per line; the input reader feeds both the shell and the programs it runs.
    const prompt = () => write(tty ? `[${env.USER ?? 'root'}@${machine.hostname} ${env.PWD === env.HOME ? '~' : (env.PWD ?? '/')}]${env.USER && env.USER !== 'root' ? '$' : '#'} ` : '');
    queueMicrotask(async () => {
      for (;;) {
        prompt();
        const line = await readLine();
        if (line === undefined) return finish(Number(env['?']));
        const result = await runLine(line);
        if (result.exit) return finish(result.code);
      }
    });
  }

  return {
    write(data) {
      for (const char of data.toString('utf8')) {
        if (finished) return;
        if (char === '\x03') {
          editing = '';
          if (tty) write('^C\n');
          if (running) running.abort();
          else deliver('');
        } else if (char === '\r' || char === '\n') {
          if (tty) write('\n');
          const line = editing;
          editing = '';
          echoInput = true;
          deliver(line);
        } else if (char === '\x7f' || char === '\b') {
          if (editing.length > 0) {
            editing = editing.slice(0, -1);
            if (tty && echoInput) write('\b \b');
          }
        } else if (char === '\x04' && editing === '') {
          inputEnded = true;
          deliver(undefined);
        } else if (char === '\x15') {
          if (tty && echoInput) write('\b \b'.repeat(editing.length));
          editing = '';
        } else if (char >= ' ' || char === '\t') {
          editing += char;
          if (tty && echoInput) write(char);
        }
      }
    },
    endInput() {
      if (editing !== '') deliver(editing);
      editing = '';
      inputEnded = true;
      deliver(undefined);
    },
    resize(columns, rows) {
      env.COLUMNS = String(columns);
      env.LINES = String(rows);
    },
    kill() {
      finished = true;
      running?.abort();
    },
  };
}
