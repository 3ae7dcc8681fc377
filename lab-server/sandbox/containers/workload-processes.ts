/**
 * What exec runs in a pod's container: the simulated shell on a machine that
 * is the pod, so its programs answer through the network model.
 */
import { getPath } from '../../k8s/object.ts';
import type { ProcessFactory } from './process.ts';
import { startShell } from './shell/shell.ts';
import { CONTAINER_PROGRAMS } from './shell/programs/index.ts';
import { osReleaseFor } from './os-release.ts';

const SHELLS = new Set(['sh', 'bash', '/bin/sh', '/bin/bash', '/usr/bin/bash']);

export const workloadProcesses: ProcessFactory = (context, io) => {
  const { pod, container, command, tty, cluster } = context;
  const spec = ((getPath(pod, ['spec', 'containers']) as unknown[] | undefined) ?? []).find((c) => getPath(c, ['name']) === container);
  const containerEnv = Object.fromEntries(((getPath(spec, ['env']) as unknown[] | undefined) ?? []).flatMap((e) => (typeof getPath(e, ['value']) === 'string' ? [[String(getPath(e, ['name'])), String(getPath(e, ['value']))]] : [])));
  const hostname = String(getPath(pod, ['spec', 'hostname']) ?? pod.metadata.name);
  const env = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOSTNAME: hostname, HOME: '/root', PWD: '/', ...(tty ? { TERM: 'xterm' } : {}), ...containerEnv, ...context.env };
  const machine = {
    cluster,
    endpoint: { namespace: pod.metadata.namespace ?? 'default', pod: pod.metadata.name },
    hostname,
    osRelease: osReleaseFor(String(getPath(spec, ['image']) ?? '')),
    installed: CONTAINER_PROGRAMS,
    shellName: command[0] && command[0].includes('bash') ? 'bash' : 'sh',
  };
  const [program, ...args] = command;
  const interactive = program !== undefined && SHELLS.has(program) && args.length === 0;
  const script = interactive ? undefined : program !== undefined && SHELLS.has(program) && args[0] === '-c' ? (args[1] ?? '') : command.map((w) => (/[\s'"$;&|]/.test(w) ? `'${w.replace(/'/g, `'\\''`)}'` : w)).join(' ');
  return startShell({ machine, env, tty, io, ...(script !== undefined ? { script } : {}) });
};
