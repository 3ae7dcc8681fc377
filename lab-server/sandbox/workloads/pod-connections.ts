/**
 * A TCP connection opened inside a pod's network namespace to localhost, as
 * CRI-O's port-forward opens one: it reaches a program that listens on that
 * port on all addresses or on localhost, and is refused otherwise — also when
 * the program binds another address only. The programs here speak HTTP/1.1.
 */
import { createHash } from 'node:crypto';
import { getPath, type KubeObject } from '../../k8s/object.ts';
import { podListeners } from '../images/listeners.ts';
import type { ClusterView } from '../store/cluster-view.ts';
import { podHttpResponse } from './http-services.ts';

export interface PodConnection {
  write(data: Buffer): void;
  /** The client will send no more; the connection closes once pending answers are out. */
  end(): void;
  onData(listener: (data: Buffer) => void): void;
  onEnd(listener: () => void): void;
}

export type Dial = { ok: true; connection: PodConnection } | { ok: false; error: string };

const LOCAL = new Set(['0.0.0.0', '127.0.0.1', 'localhost', '::', '::1']);
const REASONS: Record<number, string> = { 200: 'OK', 404: 'Not Found', 500: 'Internal Server Error' };
/** A request head longer than this is not a client we serve; nginx's large_client_header_buffers is 32k. */
const MAX_HEAD = 32 * 1024;

export function dialInPod(cluster: ClusterView, pod: KubeObject, port: number): Dial {
  const listener = podListeners(pod).find((l) => l.port === port && LOCAL.has(l.address));
  if (!listener) return { ok: false, error: `dial tcp4 127.0.0.1:${port}: connect: connection refused IPv6 dial tcp6 [::1]:${port}: connect: connection refused` };
  return { ok: true, connection: httpConnection(cluster, pod, listener.image.image.includes('nginx') ? 'nginx/1.27.3' : undefined) };
}

function httpConnection(cluster: ClusterView, pod: KubeObject, server: string | undefined): PodConnection {
  let dataListener: (data: Buffer) => void = () => undefined;
  let endListener: () => void = () => undefined;
  let buffered = Buffer.alloc(0);
  let answering: Promise<void> = Promise.resolve();
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    endListener();
  };
  const client = { cluster, sleep: (ms: number) => new Promise<boolean>((resolve) => setTimeout(() => resolve(true), ms).unref()) };
  const answer = async (method: string, path: string, keepAlive: boolean) => {
    const response = await podHttpResponse(client, pod, path);
    if (closed || response === 'interrupted') return;
    const body = method === 'HEAD' ? '' : response.body;
    const type = response.body.startsWith('<') ? 'text/html' : response.body.trimStart().startsWith('[') ? 'application/json' : 'text/plain';
    const head = [
      `HTTP/1.1 ${response.status} ${REASONS[response.status] ?? ''}`,
      ...(server ? [`Server: ${server}`] : []),
      `Date: ${new Date().toUTCString()}`,
      `Content-Type: ${type}`,
      `Content-Length: ${Buffer.byteLength(response.body)}`,
      `Connection: ${keepAlive ? 'keep-alive' : 'close'}`,
    ];
    dataListener(Buffer.from(`${head.join('\r\n')}\r\n\r\n${body}`));
    if (!keepAlive) close();
  };
  return {
    write(data) {
      if (closed) return;
      buffered = Buffer.concat([buffered, data]);
      for (let end = buffered.indexOf('\r\n\r\n'); end >= 0; end = buffered.indexOf('\r\n\r\n')) {
        const head = buffered.subarray(0, end).toString('latin1').split('\r\n');
        const length = Number(/^content-length:\s*(\d+)$/im.exec(head.join('\n'))?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        buffered = buffered.subarray(end + 4 + length);
        const [method = 'GET', target = '/', version = 'HTTP/1.0'] = (head[0] ?? '').split(' ');
        const connection = /^connection:\s*(\S+)$/im.exec(head.join('\n'))?.[1]?.toLowerCase();
        const keepAlive = version === 'HTTP/1.1' ? connection !== 'close' : connection === 'keep-alive';
        answering = answering.then(() => answer(method, target, keepAlive));
      }
      if (buffered.length > MAX_HEAD) {
        dataListener(Buffer.from('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'));
        close();
      }
    },
    end() {
      void answering.then(close);
    },
    onData(listener) {
      dataListener = listener;
    },
    onEnd(listener) {
      endListener = listener;
    },
  };
}

/** The pod sandbox id CRI-O names in its port-forward errors: 64 hex digits, stable for the pod. */
export function podSandboxId(pod: KubeObject): string {
  return createHash('sha256').update(String(getPath(pod, ['metadata', 'uid']) ?? pod.metadata.name)).digest('hex');
}
