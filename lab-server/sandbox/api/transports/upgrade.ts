/**
 * Requests that leave HTTP: exec, attach and port-forward on pods (over
 * WebSocket or SPDY/3.1, whichever the client asks for) and a VMI's serial
 * console. Each is authenticated and checked (pod, container, running) before
 * the upgrade, so a refusal reaches the client as a plain HTTP Status, as the
 * real API server sends it.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { REGISTRY } from '../../resource-types/registry.ts';
import { ApiError, errors, type Status } from '../../machinery/status.ts';
import type { ExecContext, ProcessFactory } from '../../workloads/process.ts';
import { attachProcesses } from '../../workloads/workload-processes.ts';
import { routeOf } from '../route.ts';
import { getObject } from '../resource-handlers.ts';
import { chooseContainer, requireRunning } from '../pod-containers.ts';
import { CONSOLE_PROTOCOL, consoleSession, kubevirtSubresource, runningInstance } from '../kubevirt-subresources.ts';
import { EXEC_WEBSOCKET_PROTOCOLS, websocketExec } from './websocket-exec.ts';
import { EXEC_SPDY_PROTOCOLS, spdyExec } from './spdy-exec.ts';
import { PORT_FORWARD_CHANNEL_PROTOCOLS, PORT_FORWARD_SPDY_PROTOCOL, PORT_FORWARD_TUNNEL_PROTOCOL, spdyPortForward, websocketPortForward } from './port-forward.ts';
import { SpdySession, type ByteLink } from './spdy-session.ts';
import { podPhase } from '../../controllers/computations/owners.ts';
import { queryBool } from '../query.ts';
import { requestCaller, type Caller } from '../authentication.ts';

export interface UpgradeOptions {
  authenticate(token: string): Caller | undefined;
  processes: ProcessFactory;
}

type Upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

const PORT_FORWARD_WEBSOCKET_PROTOCOLS = [PORT_FORWARD_TUNNEL_PROTOCOL, ...PORT_FORWARD_CHANNEL_PROTOCOLS];

function websocketServer(protocols: string[]): WebSocketServer {
  return new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (offered) => protocols.find((p) => offered.has(p)) ?? false });
}

export function upgradeHandler(options: UpgradeOptions): Upgrade {
  const consoles = websocketServer([CONSOLE_PROTOCOL]);
  const execs = websocketServer(EXEC_WEBSOCKET_PROTOCOLS);
  const forwards = websocketServer(PORT_FORWARD_WEBSOCKET_PROTOCOLS);
  return (req, socket, head) => {
    try {
      const url = new URL(req.url ?? '/', 'https://sandbox');
      const route = routeOf(url.pathname, REGISTRY);
      const { cluster } = requestCaller(req, route, url.pathname, false, options.authenticate);
      const consoleTarget = kubevirtSubresource(url.pathname);
      if (consoleTarget?.resource === 'virtualmachineinstances' && consoleTarget.action === 'console') {
        const vmi = runningInstance(cluster, consoleTarget.namespace, consoleTarget.name);
        return consoles.handleUpgrade(req, socket, head, (ws) => consoleSession(ws, cluster, vmi));
      }
      const subresource = route.kind === 'resource' && route.type.kind === 'Pod' && route.name ? route.subresource : undefined;
      if (route.kind !== 'resource' || !route.name || (subresource !== 'exec' && subresource !== 'attach' && subresource !== 'portforward')) throw errors.pathNotFound();
      const pod = getObject({ cluster, type: route.type, namespace: route.namespace ?? '', name: route.name, params: url.searchParams, warnings: [] });
      const transport = String(req.headers.upgrade ?? '').toLowerCase();
      if (subresource === 'portforward') {
        if (podPhase(pod) !== 'Running') throw errors.badRequest(`unable to upgrade connection: pod ${pod.metadata.name} is not running (its phase is ${podPhase(pod)})`);
        const ports = url.searchParams.getAll('ports').flatMap((p) => p.split(',')).map(Number);
        if (transport === 'websocket')
          return websocketUpgrade(forwards, req, socket, head, PORT_FORWARD_WEBSOCKET_PROTOCOLS, (ws) =>
            ws.protocol === PORT_FORWARD_TUNNEL_PROTOCOL ? spdyPortForward(new SpdySession(websocketLink(ws)), cluster, pod) : websocketPortForward(ws, cluster, pod, ports),
          );
        return spdyUpgrade(req, socket, head, [PORT_FORWARD_SPDY_PROTOCOL], (session) => spdyPortForward(session, cluster, pod));
      }
      // The pod and container first: kubectl retries a refused WebSocket over SPDY, and the
      // learner should see what was really wrong, not a protocol complaint.
      const container = chooseContainer(pod, url.searchParams.get('container'));
      requireRunning(pod, container);
      const flag = (name: string) => queryBool(url.searchParams, name);
      const tty = flag('tty');
      const context: ExecContext = { cluster, pod, container, command: url.searchParams.getAll('command'), tty, env: {} };
      const factory = subresource === 'attach' ? attachProcesses : options.processes;
      if (transport === 'websocket') return websocketUpgrade(execs, req, socket, head, EXEC_WEBSOCKET_PROTOCOLS, (ws) => websocketExec(ws, context, factory));
      return spdyUpgrade(req, socket, head, EXEC_SPDY_PROTOCOLS, (session) => spdyExec(session, context, { stdin: flag('stdin'), stdout: flag('stdout'), stderr: flag('stderr'), tty }, factory));
    } catch (error) {
      const status = error instanceof ApiError ? error.status : errors.internal(String(error)).status;
      refuse(socket, status);
    }
  };
}

function websocketUpgrade(server: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer, protocols: string[], start: (ws: WebSocket) => void): void {
  const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  if (!protocols.some((p) => offered.includes(p))) throw errors.badRequest(`unable to upgrade connection: this server speaks ${protocols.join(', ')} over WebSocket${offered.length ? `, not ${offered.join(', ')}` : ''}`);
  server.handleUpgrade(req, socket, head, start);
}

/** The SPDY/3.1 handshake: a 101 naming the stream protocol both sides speak, then frames on the same socket. */
function spdyUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, protocols: string[], start: (session: SpdySession) => void): void {
  if (String(req.headers.upgrade ?? '').toLowerCase() !== 'spdy/3.1') throw errors.badRequest(`unable to upgrade connection: the request asks for neither WebSocket nor SPDY/3.1 (Upgrade: ${req.headers.upgrade ?? ''})`);
  const offered = String(req.headers['x-stream-protocol-version'] ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  const chosen = protocols.find((p) => offered.includes(p));
  if (!chosen) throw errors.forbidden(`unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server supports [${protocols.join(' ')}]`);
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${chosen}\r\n\r\n`);
  start(new SpdySession(socketLink(socket, head)));
}

function socketLink(socket: Duplex, head: Buffer): ByteLink {
  return {
    write: (data) => void socket.write(data),
    onData: (listener) => {
      if (head.length) listener(head);
      socket.on('data', listener);
    },
    onClose: (listener) => void socket.once('close', listener),
    close: () => void socket.end(),
  };
}

/** SPDY tunnelled in a WebSocket: each binary message carries the next bytes of the session. */
function websocketLink(ws: WebSocket): ByteLink {
  return {
    write: (data) => {
      if (ws.readyState === ws.OPEN) ws.send(data);
    },
    onData: (listener) => void ws.on('message', (data: Buffer, isBinary) => isBinary && listener(data)),
    onClose: (listener) => void ws.once('close', listener),
    close: () => ws.close(1000),
  };
}

/** Answers an upgrade we cannot accept with a plain HTTP Status, as the real server does. */
function refuse(socket: Duplex, status: Status): void {
  const body = JSON.stringify(status);
  socket.end(`HTTP/1.1 ${status.code} ${status.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
