/** Writing API responses, and reading the bodies some verbs only may carry. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeObject, mediaType, readBody } from './body.ts';

export function send(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = { 'content-type': contentType, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-cache, private' };
  // Answering before the body was read leaves bytes on a keep-alive socket; end that connection instead.
  // A GET has no body, yet is not `complete` while it is being answered synchronously: that one may stay open.
  const unread = !res.req.complete && hasBody(res.req);
  if (unread) headers.connection = 'close';
  res.writeHead(code, headers);
  res.end(text);
  if (unread) res.req.resume();
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/** Like send, with the request's warnings as Warning headers (299, as the real server writes them). */
export function sendWithWarnings(res: ServerResponse, warnings: string[], code: number, body: unknown): void {
  if (warnings.length > 0) res.setHeader('Warning', warnings.map((w) => `299 - ${JSON.stringify(w)}`));
  send(res, code, body);
}

/** A DELETE's optional DeleteOptions body, decoded when present. */
export async function optionalBody(req: IncomingMessage): Promise<unknown | undefined> {
  const body = await readBody(req);
  return body.length === 0 ? undefined : decodeObject(body, mediaType(req));
}
