/** The small programs every container and guest has. */
import type { Program } from '../program.ts';

export const echo: Program = async ({ argv, out }) => {
  const newline = argv[1] !== '-n';
  out(`${argv.slice(newline ? 1 : 2).join(' ')}${newline ? '\n' : ''}`);
  return 0;
};

export const env: Program = async ({ env: vars, out }) => {
  out(Object.entries(vars).filter(([k]) => k !== '?').map(([k, v]) => `${k}=${v}\n`).join(''));
  return 0;
};

export const hostname: Program = async ({ machine, out }) => {
  out(`${machine.hostname}\n`);
  return 0;
};

export const trueProgram: Program = async () => 0;
export const falseProgram: Program = async () => 1;

export const sleep: Program = async ({ argv, err, sleep: wait, signal }) => {
  // GNU sleep takes "infinity": until interrupted.
  if (argv[1] === 'infinity' || argv[1] === 'inf') return new Promise((resolve) => signal.addEventListener('abort', () => resolve(130), { once: true }));
  const seconds = Number(argv[1]);
  if (!Number.isFinite(seconds) || seconds < 0) {
    err(`sleep: invalid time interval '${argv[1] ?? ''}'\nTry 'sleep --help' for more information.\n`);
    return 1;
  }
  return (await wait(seconds * 1000)) ? 0 : 130;
};

export const cat: Program = async ({ argv, machine, out, err, readLine }) => {
  const files = argv.slice(1);
  if (files.length === 0) {
    for (let line = await readLine(); line !== undefined; line = await readLine()) out(`${line}\n`);
    return 0;
  }
  let code = 0;
  for (const file of files) {
    if (file === '/etc/os-release') out(machine.osRelease);
    else if (file === '/etc/hostname') out(`${machine.hostname}\n`);
    else {
      err(`cat: ${file}: No such file or directory\n`);
      code = 1;
    }
  }
  return code;
};

export const whoami: Program = async ({ env: vars, out }) => {
  out(`${vars.USER ?? 'root'}\n`);
  return 0;
};
