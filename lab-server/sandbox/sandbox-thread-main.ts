/**
 * The inside of a SandboxThread: a SandboxHost in a worker thread of its own,
 * answering the lab's requests (add, look up, remove a cluster) by message.
 * Its API server, its clusters' controllers and their store run here, on a
 * core of their own, while the lab's thread serves pages, terminals and checks.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SandboxHost, type SandboxHostOptions } from './sandbox-host.ts';
import type { SandboxAnswer, SandboxReply, SandboxRequest } from './sandbox-thread.ts';

const host = await SandboxHost.start(workerData as SandboxHostOptions);
const port = parentPort!;

function answer(request: SandboxRequest): SandboxAnswer {
  switch (request.method) {
    case 'addCluster': {
      const handle = host.addCluster(request.environment, request.name);
      return { token: handle.token, kubeconfig: handle.kubeconfig };
    }
    case 'kubeconfig':
      return host.clusterHandle(request.token)?.kubeconfig;
    case 'removeCluster':
      host.removeCluster(request.token);
      return undefined;
  }
}

port.on('message', (request: SandboxRequest | { method: 'close'; id: number }) => {
  if (request.method === 'close') {
    void host.close().then(() => {
      port.postMessage({ id: request.id, ok: true, count: 0 } satisfies SandboxReply);
      port.close();
    });
    return;
  }
  try {
    port.postMessage({ id: request.id, ok: true, value: answer(request), count: host.clusterCount } satisfies SandboxReply);
  } catch (error) {
    port.postMessage({ id: request.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error), count: host.clusterCount } satisfies SandboxReply);
  }
});
port.postMessage({ ready: true, url: host.url, count: host.clusterCount });
