/**
 * Network programs that answer through the network model: a connection is
 * made, refused (nothing listens), or waits for its timeout (dropped), as
 * with real tools against OVN-Kubernetes.
 */
import { canReach, type Decision } from '../../../network/reachability.ts';
import { workloads } from '../../../network/topology.ts';
import { parseIPv4, parseCidr, formatIPv4 } from '../../../../k8s/ipv4.ts';
import type { Program, ProgramContext } from '../program.ts';
import { httpResponse } from '../../http-services.ts';

const NCAT_VERSION = 'Ncat: Version 7.92 ( https://nmap.org/ncat )\n';
/** Linux gives up on an unanswered SYN after about 130 s (tcp_syn_retries = 6). */
const KERNEL_CONNECT_TIMEOUT_MS = 130_000;

function decide(context: ProgramContext, host: string, port: number, protocol = 'TCP'): Decision {
  return canReach(context.machine.cluster, context.machine.endpoint, { host, port, protocol });
}

/** The machine's interfaces as `ip` shows them. */
function interfacesOf(context: ProgramContext): { name: string; ip: string; prefix: number; mac: string; mtu: number }[] {
  const { endpoint } = context.machine;
  const me = workloads(context.machine.cluster).find((w) => w.namespace === endpoint.namespace && w.name === (endpoint.pod ?? endpoint.vm));
  if (!me) return [];
  const list: { name: string; ip: string; prefix: number; mac: string; mtu: number }[] = [];
  if (me.kind === 'vm') list.push({ name: 'eth0', ip: '10.0.2.2', prefix: 24, mac: '02:ba:52:00:00:01', mtu: 1400 });
  else if (me.clusterIP) list.push({ name: 'eth0', ip: me.clusterIP, prefix: 23, mac: mac(me.clusterIP), mtu: 1400 });
  me.attachments.forEach((a, i) => {
    if (a.ip) list.push({ name: me.kind === 'vm' ? `eth${i + 1}` : (a.interface ?? `net${i + 1}`), ip: a.ip, prefix: a.prefix ?? 24, mac: mac(a.ip), mtu: 1500 });
  });
  return list;
}

function mac(ip: string): string {
  const value = parseIPv4(ip) ?? 0;
  return ['0a', '58', ...[24, 16, 8, 0].map((s) => (Math.floor(value / 2 ** s) % 256).toString(16).padStart(2, '0'))].join(':');
}

function network(ip: string, prefix: number): string {
  const cidr = parseCidr(`${ip}/${prefix}`)!;
  const size = 2 ** (32 - prefix);
  return `${formatIPv4(Math.floor(cidr.address / size) * size)}/${prefix}`;
}

export const ip: Program = async (context) => {
  const [, object = '', command = 'show'] = context.argv;
  const interfaces = interfacesOf(context);
  if (['addr', 'address', 'a'].includes(object) && ['show', 'list', 'ls'].includes(command)) {
    let out = '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n    inet 127.0.0.1/8 scope host lo\n       valid_lft forever preferred_lft forever\n';
    interfaces.forEach((i, n) => {
      const cidr = parseCidr(`${i.ip}/${i.prefix}`)!;
      const size = 2 ** (32 - i.prefix);
      const broadcast = formatIPv4(Math.floor(cidr.address / size) * size + size - 1);
      out += `${n + 2}: ${i.name}@if${n + 23}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu ${i.mtu} qdisc noqueue state UP group default\n    link/ether ${i.mac} brd ff:ff:ff:ff:ff:ff link-netnsid 0\n    inet ${i.ip}/${i.prefix} brd ${broadcast} scope global ${i.name}\n       valid_lft forever preferred_lft forever\n`;
    });
    context.out(out);
    return 0;
  }
  if (['route', 'r'].includes(object)) {
    const eth0 = interfaces[0];
    if (!eth0) return 0;
    const gateway = formatIPv4(parseCidr(network(eth0.ip, eth0.prefix))!.address + 1);
    let out = `default via ${gateway} dev eth0 proto static\n`;
    for (const i of interfaces) out += `${network(i.ip, i.prefix)} dev ${i.name} proto kernel scope link src ${i.ip}\n`;
    context.out(out);
    return 0;
  }
  context.err(`Object "${object}" is unknown, try "ip help".\n`);
  return 255;
};

export const ping: Program = async (context) => {
  const args = context.argv.slice(1);
  let count = Infinity;
  let host: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-c') count = Number(args[++i]);
    else if (args[i] === '-W' || args[i] === '-w' || args[i] === '-i') i++;
    else host = args[i];
  }
  if (!host || parseIPv4(host) === undefined) {
    context.err(host ? `ping: ${host}: Name or service not known\n` : 'ping: usage error: Destination address required\n');
    return 2;
  }
  const decision = decide(context, host, 0, 'ICMP');
  context.out(`PING ${host} (${host}) 56(84) bytes of data.\n`);
  let sent = 0;
  let received = 0;
  const times: number[] = [];
  const start = Date.now();
  while (sent < count) {
    sent++;
    if (decision.outcome === 'connected') {
      const time = 0.3 + Math.random() * 0.4;
      times.push(time);
      received++;
      context.out(`64 bytes from ${host}: icmp_seq=${sent} ttl=64 time=${time.toFixed(3)} ms\n`);
    }
    if (sent < count && !(await context.sleep(1000))) break;
  }
  const loss = Math.round(((sent - received) / sent) * 100);
  context.out(`\n--- ${host} ping statistics ---\n${sent} packets transmitted, ${received} received, ${loss}% packet loss, time ${Date.now() - start}ms\n`);
  if (times.length) {
    const avg = times.reduce((a, b) => a + b, 0) / times.length;
    context.out(`rtt min/avg/max/mdev = ${Math.min(...times).toFixed(3)}/${avg.toFixed(3)}/${Math.max(...times).toFixed(3)}/0.050 ms\n`);
  }
  return received > 0 ? 0 : 1;
};

export const nc: Program = async (context) => {
  const args = context.argv.slice(1);
  let verbose = false;
  let scan = false;
  let waitText = '10';
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-w') waitText = args[++i] ?? '';
    else if (a.startsWith('-') && a.length > 1) {
      for (const flag of a.slice(1)) {
        if (flag === 'v') verbose = true;
        else if (flag === 'z') scan = true;
        else if (flag === 'w') waitText = args[++i] ?? '';
      }
    } else positional.push(a);
  }
  const waitMs = ncatMilliseconds(waitText);
  if (waitMs === undefined) {
    context.err('Ncat: Invalid -w timeout (must be greater than 0). QUITTING.\n');
    return 2;
  }
  const [host, portText] = positional;
  const port = Number(portText);
  if (!host || !Number.isInteger(port) || port < 1 || port > 65535) {
    context.err(`${NCAT_VERSION}Ncat: You must specify a host to connect to and a port. QUITTING.\n`);
    return 2;
  }
  if (verbose) context.err(NCAT_VERSION);
  const decision = decide(context, host, port);
  if (decision.outcome === 'connected') {
    if (verbose) context.err(`Ncat: Connected to ${host}:${port}.\n`);
    if (!scan) while ((await context.readLine()) !== undefined) { /* sent to the peer */ }
    if (verbose) context.err(`Ncat: 0 bytes sent, 0 bytes received in 0.01 seconds.\n`);
    return 0;
  }
  if (decision.outcome === 'refused') {
    context.err('Ncat: Connection refused.\n');
    return 1;
  }
  if (!(await context.sleep(waitMs))) return 130;
  context.err('Ncat: TIMEOUT.\n');
  return 1;
};

const NCAT_TIME_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Ncat's time values: a number, seconds unless it ends in ms, s, m or h ("0.5", "500ms"). */
function ncatMilliseconds(text: string): number | undefined {
  const match = /^(\d+(?:\.\d*)?|\.\d+)(ms|s|m|h)?$/.exec(text);
  if (!match) return undefined;
  const ms = Number(match[1]) * NCAT_TIME_UNITS_MS[match[2] ?? 's']!;
  return ms > 0 ? ms : undefined;
}

export const curl: Program = async (context) => {
  const args = context.argv.slice(1);
  let silent = false;
  let url: string | undefined;
  let maxTime: number | undefined;
  let connectTimeout: number | undefined;
  let output: string | undefined;
  let writeOut: string | undefined;
  let showErrors = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-s' || a === '--silent') silent = true;
    else if (a === '-S' || a === '--show-error') showErrors = true;
    else if (a === '-sS' || a === '-Ss') silent = showErrors = true;
    else if (a === '-m' || a === '--max-time') maxTime = Number(args[++i]);
    else if (a === '--connect-timeout') connectTimeout = Number(args[++i]);
    else if (a === '-o' || a === '--output') output = args[++i];
    else if (a === '-w' || a === '--write-out') writeOut = args[++i];
    else if (a === '-v' || a === '-L' || a === '-f' || a === '-k') continue;
    else url = a;
  }
  const fail = (code: number, message: string) => {
    if (!silent || showErrors) context.err(`curl: (${code}) ${message}\n`);
    return code;
  };
  const parsed = /^(?:http:\/\/)?([^/:]+)(?::(\d+))?(\/.*)?$/.exec(url ?? '');
  if (!url || !parsed) return fail(url ? 3 : 2, url ? `URL rejected: Malformed input to a URL function` : 'no URL specified');
  const [, host = '', portText, path = '/'] = parsed;
  const port = portText ? Number(portText) : 80;
  if (parseIPv4(host) === undefined) return fail(6, `Could not resolve host: ${host}`);
  const decision = decide(context, host, port);
  if (decision.outcome === 'refused') return fail(7, `Failed to connect to ${host} port ${port} after 1 ms: Couldn't connect to server`);
  if (decision.outcome !== 'connected') {
    const limit = Math.min((connectTimeout ?? maxTime ?? KERNEL_CONNECT_TIMEOUT_MS / 1000) * 1000, KERNEL_CONNECT_TIMEOUT_MS);
    if (!(await context.sleep(limit))) return 130;
    return fail(28, connectTimeout !== undefined || maxTime !== undefined ? `Failed to connect to ${host} port ${port} after ${limit} ms: Timeout was reached` : `Failed to connect to ${host} port ${port} after ${limit} ms: Couldn't connect to server`);
  }
  const response = await httpResponse({ cluster: context.machine.cluster, sleep: context.sleep }, host, path, maxTime);
  if (response === 'interrupted') return 130;
  if (output !== '/dev/null') context.out(response.body);
  if (writeOut) context.out(writeOut.replace('%{http_code}', String(response.status)).replace(/\\n/g, '\n'));
  return 0;
};
