import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveStatic as serveSiteFile } from '../../lab-server/lab/static-site.ts';

/** Serves a built site on a free loopback port with the lab's own static handler, and nothing else (no lab). */
export async function serveStatic(root: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => void serveSiteFile(root, req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
