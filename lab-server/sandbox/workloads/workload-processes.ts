/**
 * What exec runs in a pod's container: the simulated shell on a machine that
 * is the pod, so its programs answer through the network model.
 */
import { createHash } from 'node:crypto';
import { getPath, type KubeObject } from '../../k8s/object.ts';
import { findImage } from '../images/catalogue.ts';
import type { ProcessFactory } from './process.ts';
import { startShell } from './shell/shell.ts';
import { CONTAINER_PROGRAMS } from './shell/programs/index.ts';
import { osReleaseFor } from './os-release.ts';
import { containerExited } from './container-exit.ts';

const SHELLS = new Set(['sh', 'bash']);

/** Whether the sandbox runs this command itself (a shell or a program it simulates) rather than taking it for an image's own long-lived program. */
export function simulatesCommand(command: string[]): boolean {
  const executable = command[0]?.slice(command[0].lastIndexOf('/') + 1) ?? '';
  return SHELLS.has(executable) || CONTAINER_PROGRAMS.has(executable);
}

export const workloadProcesses: ProcessFactory = (context, io) => {
  const { pod, container, command, tty, cluster } = context;
  // An ephemeral container (kubectl debug) is exec'd into like any other, with its own image.
  const specs = [...((getPath(pod, ['spec', 'containers']) as unknown[] | undefined) ?? []), ...((getPath(pod, ['spec', 'ephemeralContainers']) as unknown[] | undefined) ?? [])];
  const spec = specs.find((c) => getPath(c, ['name']) === container);
  const containerEnv = Object.fromEntries(((getPath(spec, ['env']) as unknown[] | undefined) ?? []).flatMap((e) => (typeof getPath(e, ['value']) === 'string' ? [[String(getPath(e, ['name'])), String(getPath(e, ['value']))]] : [])));
  const hostname = String(getPath(pod, ['spec', 'hostname']) ?? pod.metadata.name);
  const env = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOSTNAME: hostname, HOME: '/root', PWD: '/', ...(tty ? { TERM: 'xterm' } : {}), ...containerEnv, ...context.env };
  const image = String(getPath(spec, ['image']) ?? '');
  const listed = findImage(image)?.programs;
  const holds = (program: string) => listed === undefined || listed.includes(program);
  const [program, ...args] = command;
  const executable = program?.slice(program.lastIndexOf('/') + 1) ?? '';
  // The runtime execs the program itself, so a missing one fails before any shell runs.
  if (program === undefined || !holds(executable) || (!SHELLS.has(executable) && !CONTAINER_PROGRAMS.has(executable))) {
    io.cannotStart(`failed to start exec "${execId(pod, container)}": OCI runtime exec failed: exec failed: unable to start container process: exec: "${program ?? ''}": executable file not found in $PATH: unknown`);
    return { write: () => undefined, endInput: () => undefined, resize: () => undefined, kill: () => undefined };
  }
  const machine = {
    cluster,
    endpoint: { namespace: pod.metadata.namespace ?? 'default', pod: pod.metadata.name },
    hostname,
    osRelease: osReleaseFor(image),
    installed: new Set([...CONTAINER_PROGRAMS].filter(holds)),
    shellName: executable === 'bash' || (!SHELLS.has(executable) && holds('bash') && !holds('sh')) ? 'bash' : 'sh',
  };
  const interactive = SHELLS.has(executable) && args.length === 0;
  const script = interactive ? undefined : SHELLS.has(executable) && args[0] === '-c' ? (args[1] ?? '') : command.map((w) => (/[\s'"$;&|]/.test(w) ? `'${w.replace(/'/g, `'\\''`)}'` : w)).join(' ');
  return startShell({ machine, env, tty, io, ...(script !== undefined ? { script } : {}) });
};

/** An exec id shaped like CRI-O's: 64 hex digits. */
function execId(pod: KubeObject, container: string): string {
  return createHash('sha256').update(`${pod.metadata.uid}/${container}/${Date.now()}`).digest('hex');
}

/**
 * What attach reaches: the container's main process. A container started with
 * a shell (kubectl run -i, kubectl debug -it) is that shell, talking to the
 * one who attached; a server's main process writes nothing to an attached
 * client and runs until the client detaches.
 */
export const attachProcesses: ProcessFactory = (context, io) => {
  const specs = [...((getPath(context.pod, ['spec', 'containers']) as unknown[] | undefined) ?? []), ...((getPath(context.pod, ['spec', 'ephemeralContainers']) as unknown[] | undefined) ?? [])];
  const spec = specs.find((c) => getPath(c, ['name']) === context.container);
  const list = (field: string) => ((getPath(spec, [field]) as unknown[] | undefined) ?? []).map(String);
  const main = [...list('command'), ...list('args')];
  const image = findImage(String(getPath(spec, ['image']) ?? ''));
  const command = main.length > 0 ? main : image?.listens ? [] : ['sh'];
  const executable = command[0]?.slice(command[0].lastIndexOf('/') + 1) ?? '';
  if (SHELLS.has(executable)) {
    const { pod, container, cluster } = context;
    return workloadProcesses({ ...context, command }, {
      ...io,
      exit: (code) => {
        io.exit(code);
        containerExited(cluster, pod.metadata.namespace ?? 'default', pod.metadata.name, container, code);
      },
    });
  }
  return { write: () => undefined, endInput: () => undefined, resize: () => undefined, kill: () => undefined };
};
