/** The lab's small HTTP vocabulary: cookies read and set, replies in text, JSON and plain pages, bounded request bodies. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export function cookies(req: IncomingMessage): Record<string, string> {
  const pairs = (req.headers.cookie ?? '').split(';').flatMap((part) => {
    const at = part.indexOf('=');
    if (at < 0) return [];
    try {
      return [[part.slice(0, at).trim(), decodeURIComponent(part.slice(at + 1).trim())] as const];
    } catch {
      return [];
    }
  });
  return Object.fromEntries(pairs);
}

export function cookie(name: string, value: string, options: { secure: boolean; path?: string; sameSite?: 'Lax' | 'Strict' }): string {
  return `${name}=${encodeURIComponent(value)}; Path=${options.path ?? '/'}; HttpOnly; SameSite=${options.sameSite ?? 'Lax'}; Max-Age=31536000${options.secure ? '; Secure' : ''}`;
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(`${JSON.stringify(body)}\n`);
}

export function text(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(`${message}\n`);
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A page the lab writes itself (a refusal, the join form): readable without the site's stylesheet. `body` is HTML, already escaped. */
export function plainPage(res: ServerResponse, status: number, title: string, body: string, headers: Record<string, string> = {}): void {
  const page = `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><main style="font:1rem/1.5 system-ui;max-width:36rem;margin:4rem auto;padding:0 1rem"><h1>${escapeHtml(title)}</h1>${body}</main></html>\n`;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...headers }).end(page);
}

/** A request's body, refused past `limit` bytes (a form or a JSON action is small). */
export async function readBody(req: IncomingMessage, limit: number): Promise<{ ok: true; body: string } | { ok: false; error: string }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return { ok: false, error: `the request body is larger than ${limit} bytes` };
    chunks.push(chunk);
  }
  return { ok: true, body: Buffer.concat(chunks).toString('utf8') };
}
