/**
 * A VM's serial console: a login prompt that takes the cloud-init user and
 * password, then the simulated shell on the guest, whose programs are those
 * of a Fedora cloud image plus the packages cloud-init installed.
 */
import { getPath, type KubeObject } from '../../k8s/object.ts';
import { guestAccount, vmiCloudInitUserData, type GuestAccount } from '../../k8s/kubevirt.ts';
import type { ClusterView } from '../store/cluster-view.ts';
import { findImage } from '../images/catalogue.ts';
import type { ContainerProcess, ProcessIO } from './process.ts';
import { startShell } from './shell/shell.ts';
import { CONTAINER_PROGRAMS } from './shell/programs/index.ts';
import { OS_RELEASE } from './os-release.ts';
import type { Machine } from './shell/program.ts';

/** Programs that come only with a package; the rest are in the cloud image. */
const PACKAGED: Record<string, string> = { psql: 'postgresql' };

export function guestMachine(cluster: ClusterView, vmi: KubeObject, account: GuestAccount): Machine {
  const installed = new Set([...CONTAINER_PROGRAMS].filter((p) => !PACKAGED[p] || account.packages.includes(PACKAGED[p]!)));
  const disk = ((getPath(vmi, ['spec', 'volumes']) as unknown[] | undefined) ?? []).map((v) => String(getPath(v, ['containerDisk', 'image']) ?? '')).find((i) => findImage(i));
  return {
    cluster,
    endpoint: { namespace: vmi.metadata.namespace ?? 'default', vm: vmi.metadata.name },
    hostname: String(getPath(vmi, ['spec', 'hostname']) ?? vmi.metadata.name),
    osRelease: disk && /fedora/.test(disk) ? OS_RELEASE.fedora40! : OS_RELEASE.rhel9!,
    installed,
    shellName: 'bash',
  };
}

/** The console session: login, then a shell; logging out returns to the login prompt. */
export function guestConsole(cluster: ClusterView, vmi: KubeObject, io: ProcessIO): ContainerProcess {
  const account = guestAccount(vmiCloudInitUserData(vmi));
  const machine = guestMachine(cluster, vmi, account);
  let stage: 'login' | 'password' | 'shell' = 'login';
  let typed = '';
  let user = '';
  let shell: ContainerProcess | undefined;
  const out = (text: string) => io.output('stdout', text.replace(/\r?\n/g, '\r\n'));
  const banner = () => out(`\n${machine.osRelease.match(/PRETTY_NAME="([^"]+)"/)?.[1] ?? 'Linux'}\nKernel 6.8.5-301.fc40.x86_64 on an x86_64 (ttyS0)\n\n${machine.hostname} login: `);
  queueMicrotask(banner);
  const startSession = () => {
    stage = 'shell';
    out(`Last login: ${new Date().toUTCString().replace('GMT', '')}on ttyS0\n`);
    const home = user === 'root' ? '/root' : `/home/${user}`;
    shell = startShell({
      machine,
      tty: true,
      env: { USER: user, LOGNAME: user, HOME: home, PWD: home, SHELL: '/bin/bash', TERM: 'vt220', PATH: '/usr/local/bin:/usr/bin:/bin', HOSTNAME: machine.hostname },
      io: {
        output: (stream, data) => io.output(stream, data),
        // Logging out ends the shell, not the console: the login prompt returns.
        exit: () => {
          shell = undefined;
          stage = 'login';
          out('\n');
          banner();
        },
      },
    });
  };
  return {
    write(data) {
      if (stage === 'shell' && shell) return shell.write(data);
      for (const char of data.toString('utf8')) {
        if (char === '\r' || char === '\n') {
          out('\n');
          if (stage === 'login') {
            user = typed.trim();
            typed = '';
            if (user === '') return banner();
            stage = 'password';
            out('Password: ');
          } else {
            const password = typed;
            typed = '';
            if (user === account.user && account.password !== undefined && password === account.password) return startSession();
            stage = 'login';
            out('Login incorrect\n\n');
            out(`${machine.hostname} login: `);
          }
        } else if (char === '\x7f' || char === '\b') {
          if (typed.length > 0) {
            typed = typed.slice(0, -1);
            if (stage === 'login') out('\b \b');
          }
        } else if (char >= ' ') {
          typed += char;
          if (stage === 'login') out(char);
        }
      }
    },
    endInput() {
      shell?.endInput();
    },
    resize(columns, rows) {
      shell?.resize(columns, rows);
    },
    kill() {
      shell?.kill();
    },
  };
}
