/**
 * pods/exec over WebSocket, as kubectl (v5.channel.k8s.io) and client-node
 * (v4 and older) speak it: binary frames whose first byte is the channel
 * (0 stdin, 1 stdout, 2 stderr, 3 status, 4 resize; v5 adds [255, n] to close
 * stream n), ending with a metav1.Status on channel 3.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Cluster } from '../cluster.ts';
import type { KubeObject } from '../../k8s/object.ts';
import { REGISTRY } from '../resource-types/registry.ts';
import { routeOf } from './route.ts';
import { ApiError, errors, type Status } from '../machinery/status.ts';
import { getObject } from './resource-handlers.ts';
import { chooseContainer } from './pod-containers.ts';
import type { ProcessFactory, OutputStream } from '../workloads/process.ts';
import { CONSOLE_PROTOCOL, consoleSession, kubevirtSubresource, runningInstance } from './kubevirt-subresources.ts';

const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const CHANNEL = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

export interface ExecOptions {
  clusterFor(token: string): Cluster | undefined;
  processes: ProcessFactory;
}

export function execUpgradeHandler(options: ExecOptions): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (offered) => [...PROTOCOLS, CONSOLE_PROTOCOL].find((p) => offered.has(p)) ?? false });
  return (req, socket, head) => {
    try {
      const url = new URL(req.url ?? '/', 'https://sandbox');
      const consoleTarget = kubevirtSubresource(url.pathname);
      if (consoleTarget?.resource === 'virtualmachineinstances' && consoleTarget.action === 'console') {
        const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
        const cluster = token ? options.clusterFor(token) : undefined;
        if (!cluster) throw errors.unauthorized();
        const vmi = runningInstance(cluster, consoleTarget.namespace, consoleTarget.name);
        return wss.handleUpgrade(req, socket, head, (ws) => consoleSession(ws, cluster, vmi));
      }
      const route = routeOf(url.pathname, REGISTRY);
      if (route.kind !== 'resource' || route.type.kind !== 'Pod' || route.subresource !== 'exec' || !route.name) throw errors.pathNotFound();
      const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const cluster = token ? options.clusterFor(token) : undefined;
      if (!cluster) throw errors.unauthorized();
      // The pod and container first: kubectl retries a refused upgrade over SPDY, and the
      // learner should see what was really wrong, not a protocol complaint.
      const pod = getObject({ cluster, type: route.type, namespace: route.namespace ?? '', name: route.name, params: url.searchParams, warnings: [] });
      const container = chooseContainer(pod, url.searchParams.get('container'));
      requireRunning(pod, container);
      const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter(Boolean);
      if (String(req.headers.upgrade).toLowerCase() !== 'websocket' || !PROTOCOLS.some((p) => offered.includes(p)))
        throw errors.badRequest(`unable to upgrade connection: this server speaks exec over WebSocket with ${PROTOCOLS.join(' or ')}${offered.length ? `, not ${offered.join(', ')}` : ''}`);
      const command = url.searchParams.getAll('command');
      const tty = url.searchParams.get('tty') === 'true';
      wss.handleUpgrade(req, socket, head, (ws) => session(ws, { cluster, pod, container, command, tty, env: {} }, options.processes));
    } catch (error) {
      const status = error instanceof ApiError ? error.status : errors.internal(String(error)).status;
      refuse(socket, status);
    }
  };
}

/** The kubelet can only exec into a container that runs. */
export function requireRunning(pod: KubeObject, container: string): void {
  type Statuses = { name: string; state?: { running?: unknown } }[];
  const status = pod.status && typeof pod.status === 'object' ? (pod.status as { containerStatuses?: Statuses; ephemeralContainerStatuses?: Statuses }) : {};
  const statuses = [...(status.containerStatuses ?? []), ...(status.ephemeralContainerStatuses ?? [])];
  if (!statuses.some((s) => s.name === container && s.state?.running)) throw errors.badRequest(`container not found ("${container}")`);
}

/** Answers an upgrade we cannot accept with a plain HTTP Status, as the real server does. */
function refuse(socket: Duplex, status: Status): void {
  const body = JSON.stringify(status);
  socket.end(`HTTP/1.1 ${status.code} ${status.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

function session(ws: WebSocket, context: Parameters<ProcessFactory>[0], factory: ProcessFactory): void {
  const v5 = ws.protocol === 'v5.channel.k8s.io';
  let done = false;
  const frame = (channel: number, data: string | Buffer) => {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(Buffer.concat([Buffer.from([channel]), Buffer.isBuffer(data) ? data : Buffer.from(data)]));
  };
  // Some clients expect an empty frame on each channel first.
  frame(CHANNEL.stdout, '');
  frame(CHANNEL.stderr, '');
  const process = factory(context, {
    output(stream: OutputStream, data) {
      frame(context.tty || stream === 'stdout' ? CHANNEL.stdout : CHANNEL.stderr, data);
    },
    exit(code) {
      if (done) return;
      done = true;
      const status = code === 0
        ? { metadata: {}, status: 'Success' }
        : { metadata: {}, status: 'Failure', message: `command terminated with non-zero exit code: error executing command [${context.command.join(' ')}], exit code ${code}`, reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(code) }] } };
      frame(CHANNEL.error, JSON.stringify(status));
      ws.close(1000);
    },
    cannotStart(message) {
      if (done) return;
      done = true;
      // What the kubelet relays when CRI-O cannot exec: a 500, which kubectl prints as "error: Internal error occurred: …".
      const cause = `error executing command in container: failed to exec in container: ${message}`;
      frame(CHANNEL.error, JSON.stringify({ metadata: {}, status: 'Failure', message: `Internal error occurred: ${cause}`, reason: 'InternalError', details: { causes: [{ message: cause }] }, code: 500 }));
      ws.close(1000);
    },
  });
  ws.on('message', (data: Buffer, isBinary) => {
    if (!isBinary || data.length === 0) return;
    const channel = data[0];
    const payload = data.subarray(1);
    if (channel === CHANNEL.stdin) process.write(payload);
    else if (channel === CHANNEL.resize) {
      try {
        const size = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
        const get = (name: string) => Number(Object.entries(size).find(([k]) => k.toLowerCase() === name)?.[1] ?? 0);
        process.resize(get('width'), get('height'));
      } catch {
        // A malformed resize message is ignored, as the kubelet does.
      }
    } else if (v5 && channel === CHANNEL.close && payload[0] === CHANNEL.stdin) process.endInput();
  });
  ws.on('close', () => {
    if (!done) {
      done = true;
      process.kill();
    }
  });
}
