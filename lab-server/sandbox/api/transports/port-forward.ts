/**
 * pods/portforward, as the kubelet and CRI-O serve it: over SPDY/3.1
 * (portforward.k8s.io; kubectl ≤ 1.30, and tunnelled in a WebSocket as
 * SPDY/3.1+portforward.k8s.io by kubectl ≥ 1.31) each forwarded connection is
 * a pair of streams, data and error, sharing a requestid; over a plain
 * WebSocket (client-node) each port in ?ports= is a data and an error
 * channel, each opened with the port number. The connection is made inside
 * the pod, to localhost.
 */
import type { WebSocket } from 'ws';
import type { KubeObject } from '../../../k8s/object.ts';
import type { ClusterView } from '../../store/cluster-view.ts';
import { dialInPod, podSandboxId, type PodConnection } from '../../workloads/pod-connections.ts';
import type { SpdySession, SpdyStream } from './spdy-session.ts';

export const PORT_FORWARD_SPDY_PROTOCOL = 'portforward.k8s.io';
export const PORT_FORWARD_TUNNEL_PROTOCOL = `SPDY/3.1+${PORT_FORWARD_SPDY_PROTOCOL}`;
export const PORT_FORWARD_CHANNEL_PROTOCOLS = ['v4.channel.k8s.io', 'channel.k8s.io'];

/** Opens the connection, or says why not in the words kubelet and CRI-O use (kubectl prints them after "an error occurred forwarding"). */
function dial(cluster: ClusterView, pod: KubeObject, port: number): { ok: true; connection: PodConnection } | { ok: false; message: string } {
  const sandbox = podSandboxId(pod);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return { ok: false, message: `invalid port: ${port}` };
  const result = dialInPod(cluster, pod, port);
  if (result.ok) return result;
  const netns = `/var/run/netns/${String(pod.metadata.uid ?? '').slice(0, 36)}`;
  return { ok: false, message: `error forwarding port ${port} to pod ${sandbox}, uid : failed to execute portforward in network namespace "${netns}": failed to connect to localhost:${port} inside namespace "${sandbox}", IPv4: ${result.error} ` };
}

export function spdyPortForward(session: SpdySession, cluster: ClusterView, pod: KubeObject): void {
  const pairs = new Map<string, { data?: SpdyStream; error?: SpdyStream }>();
  session.onStream((stream) => {
    stream.reply();
    const requestId = stream.header('requestid') ?? '';
    const type = stream.header('streamtype');
    if (type !== 'data' && type !== 'error') return stream.end();
    const pair = pairs.get(requestId) ?? {};
    pair[type] = stream;
    pairs.set(requestId, pair);
    if (!pair.data || !pair.error) return;
    pairs.delete(requestId);
    const { data, error } = pair;
    const opened = dial(cluster, pod, Number(data.header('port')));
    if (!opened.ok) {
      error.write(opened.message);
      error.end();
      data.end();
      return;
    }
    const { connection } = opened;
    connection.onData((bytes) => data.write(bytes));
    connection.onEnd(() => {
      data.end();
      error.end();
    });
    data.onData((bytes) => connection.write(bytes));
    data.onEnd(() => connection.end());
  });
}

export function websocketPortForward(ws: WebSocket, cluster: ClusterView, pod: KubeObject, ports: number[]): void {
  const send = (channel: number, data: Buffer) => {
    if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), data]));
  };
  const portPrefix = (port: number) => Buffer.from([port & 0xff, port >> 8]);
  const connections = ports.map((port, index) => {
    send(index * 2, portPrefix(port));
    send(index * 2 + 1, portPrefix(port));
    const opened = dial(cluster, pod, port);
    if (!opened.ok) {
      send(index * 2 + 1, Buffer.from(opened.message));
      return undefined;
    }
    opened.connection.onData((bytes) => send(index * 2, bytes));
    opened.connection.onEnd(() => ws.close(1000));
    return opened.connection;
  });
  ws.on('message', (message: Buffer, isBinary) => {
    if (!isBinary || message.length === 0 || message[0]! % 2 !== 0) return;
    connections[message[0]! / 2]?.write(message.subarray(1));
  });
  ws.on('close', () => connections.forEach((c) => c?.end()));
}
