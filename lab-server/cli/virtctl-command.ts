import { parseArgs } from 'node:util';
import type WebSocket from 'ws';
import { UsageError, type Command } from './command.ts';
import { statusMessage, type KubeClient } from '../kube/kube-client.ts';
import { consolePath, SerialConsoleSession } from '../kube/serial-console.ts';
import { cliKubeClient } from './kube-config.ts';

const ESCAPE = 0x1d; // ^]

export const virtctlCommand: Command = {
  name: 'virtctl',
  usage: `Usage: labpath virtctl <command> [options]

Commands:
  console VM                      connect to the VM's serial console (^] leaves)
  ssh [USER@]vm/VM [--command C]  log in through the console; run C and exit with its code
  start VM | stop VM | restart VM

Options:
  -n, --namespace NS   the VM's namespace (default: the kubeconfig context's)
  --kubeconfig FILE    kubeconfig to use (default: $KUBECONFIG, ~/.kube/config)
  -c, --command C      with ssh: the command to run
  -h, --help           show this help

ssh asks for the guest password (from the VM's cloud-init) on the terminal, or
reads it from the first line of standard input when that is not a terminal.`,
  async run(args) {
    let parsed;
    try {
      parsed = parseArgs({ args, allowPositionals: true, strict: true, options: { namespace: { type: 'string', short: 'n' }, kubeconfig: { type: 'string' }, command: { type: 'string', short: 'c' }, 'local-ssh': { type: 'boolean' }, identity_file: { type: 'string', short: 'i' } } });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const [verb, target] = parsed.positionals;
    if (!verb || !target) throw new UsageError('give a command and a VM, e.g. virtctl console vm-workload');
    const client = cliKubeClient(parsed.values.kubeconfig ?? process.env.KUBECONFIG?.split(':')[0]);
    const namespace = parsed.values.namespace ?? client.namespace;
    switch (verb) {
      case 'start':
      case 'stop':
      case 'restart':
        return vmAction(client, verb, namespace, target);
      case 'console':
        return consoleCommand(client, namespace, target);
      case 'ssh':
        return sshCommand(client, namespace, target, parsed.values.command);
      default:
        throw new UsageError(`unknown command "${verb}"`);
    }
  },
};

async function vmAction(client: KubeClient, verb: string, namespace: string, name: string): Promise<number> {
  const r = await client.request('PUT', `/apis/subresources.kubevirt.io/v1/namespaces/${namespace}/virtualmachines/${name}/${verb}`, {});
  if (r.status >= 300) {
    console.error(`Error ${verb === 'stop' ? 'stopping' : verb === 'start' ? 'starting' : 'restarting'} VirtualMachine ${statusMessage(r.body, r.text)}`);
    return 1;
  }
  console.log(`VM ${name} was scheduled to ${verb}`);
  return 0;
}

async function connect(client: KubeClient, namespace: string, name: string): Promise<WebSocket | undefined> {
  try {
    return await client.websocket(consolePath(namespace, name), ['plain.kubevirt.io']);
  } catch (error) {
    console.error(`can't access VMI ${name}: ${(error as Error).message}`);
    return undefined;
  }
}

async function consoleCommand(client: KubeClient, namespace: string, name: string): Promise<number> {
  const ws = await connect(client, namespace, name);
  if (!ws) return 1;
  console.error(`Successfully connected to ${name} console. The escape sequence is ^]`);
  const stdin = process.stdin;
  if (stdin.isTTY) stdin.setRawMode(true);
  return new Promise((resolve) => {
    const leave = (code: number) => {
      if (stdin.isTTY) stdin.setRawMode(false);
      stdin.pause();
      ws.close();
      resolve(code);
    };
    stdin.on('data', (data: Buffer) => {
      if (data.includes(ESCAPE)) return leave(0);
      ws.send(data);
    });
    stdin.on('end', () => leave(0));
    ws.on('message', (data: Buffer) => process.stdout.write(data));
    ws.on('close', () => leave(0));
  });
}

async function readPassword(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    let data = '';
    for await (const chunk of stdin) {
      data += chunk;
      if (data.includes('\n')) break;
    }
    return data.split('\n')[0] ?? '';
  }
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  return new Promise((resolve) => {
    let typed = '';
    const onData = (data: Buffer) => {
      for (const char of data.toString('utf8')) {
        if (char === '\r' || char === '\n') {
          stdin.setRawMode(false);
          stdin.off('data', onData);
          stdin.pause();
          process.stderr.write('\n');
          return resolve(typed);
        }
        if (char === '\x03') process.exit(130);
        typed = char === '\x7f' ? typed.slice(0, -1) : typed + char;
      }
    };
    stdin.on('data', onData);
  });
}

async function sshCommand(client: KubeClient, namespace: string, target: string, command: string | undefined): Promise<number> {
  const match = /^(?:([^@]+)@)?(?:vm\/|vmi\/)?([a-z0-9.-]+)$/.exec(target);
  if (!match) throw new UsageError(`"${target}" is not a VM target; write [USER@]vm/NAME`);
  const [, user = 'fedora', name = ''] = match;
  let session: SerialConsoleSession;
  try {
    session = await SerialConsoleSession.open(client, namespace, name);
  } catch (error) {
    console.error(`can't access VMI ${name}: ${(error as Error).message}`);
    return 255;
  }
  try {
    if (!(await session.logIn(user, () => readPassword(`${user}@vm/${name}'s password: `)))) {
      console.error(`${user}@vm/${name}: Permission denied (publickey,gssapi-keyex,gssapi-with-mic,password).`);
      return 255;
    }
    if (command === undefined) {
      console.error('an interactive ssh session goes through "virtctl console"; give --command to run one command');
      return 2;
    }
    const { code, output } = await session.run(command, 180_000);
    process.stdout.write(output);
    return code;
  } catch (error) {
    console.error(`virtctl ssh: ${(error as Error).message}`);
    return 255;
  } finally {
    session.close();
  }
}
