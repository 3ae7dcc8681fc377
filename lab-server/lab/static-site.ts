/** The built Astro site, served from its folder: directory URLs, content types, the 404 page, nothing outside the folder. */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, resolve, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml',
  '.yaml': 'text/yaml; charset=utf-8',
};

/** `transformHtml` rewrites HTML pages on the way out (the lab announces itself in them, and sets their policy). */
export async function serveStatic(root: string, req: IncomingMessage, res: ServerResponse, transformHtml?: (html: string, res: ServerResponse) => string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('only GET and HEAD are served here\n');
    return;
  }
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://lab').pathname);
  } catch {
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('the path is not valid percent-encoding\n');
    return;
  }
  const base = resolve(root);
  let file = resolve(join(base, pathname));
  if (file !== base && !file.startsWith(base + sep)) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
    return;
  }
  let info = await stat(file).catch(() => undefined);
  if (info?.isDirectory()) {
    if (!pathname.endsWith('/')) {
      // The folder's own path, not the request's: "//other.example/.." must not become another host's address.
      res.writeHead(301, { location: `/${relative(base, file).split(sep).join('/')}/`.replace(/^\/+/, '/') }).end();
      return;
    }
    file = join(file, 'index.html');
    info = await stat(file).catch(() => undefined);
  }
  if (!info?.isFile()) {
    const notFound = join(base, '404.html');
    const page = await stat(notFound).catch(() => undefined);
    res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
    if (page?.isFile() && req.method === 'GET') createReadStream(notFound).pipe(res);
    else res.end('<!doctype html><title>Not found</title><p>Not found.</p>\n');
    return;
  }
  if (transformHtml && extname(file) === '.html') {
    const html = Buffer.from(transformHtml(await readFile(file, 'utf8'), res));
    res.writeHead(200, { 'content-type': CONTENT_TYPES['.html']!, 'content-length': html.length, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
    res.end(req.method === 'HEAD' ? undefined : html);
    return;
  }
  // Astro's hashed assets never change under their name; pages may change with every build.
  const immutable = pathname.startsWith('/_astro/');
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': info.size,
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') res.end();
  else if (immutable && info.size <= MAX_HELD_BYTES) res.end(await heldAsset(file));
  else createReadStream(file).pipe(res);
}

/** A hashed asset up to this size is held in memory once read: the terminal's code goes out in one write, not a stream of reads that waits on a busy event loop. */
const MAX_HELD_BYTES = 2 * 1024 * 1024;
const held = new Map<string, Promise<Buffer>>();

function heldAsset(file: string): Promise<Buffer> {
  let content = held.get(file);
  if (!content) {
    content = readFile(file);
    held.set(file, content);
    content.catch(() => held.delete(file));
  }
  return content;
}
