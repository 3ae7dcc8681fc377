/**
 * What every request to the lab must pass before anything else: a Host the
 * lab answers to (DNS rebinding turns a foreign page's requests into
 * same-origin ones otherwise), an Origin of its own for WebSockets, and the
 * headers that keep its pages out of other sites' frames and referrers.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare.endsWith('.localhost') || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare);
}

/** The names the lab answers to: loopback names on its port, the address it listens on, and its public URL. */
export class HostAllowList {
  private readonly port: number;
  private readonly names = new Set<string>();

  constructor(options: { port: number; listenHost: string; publicUrl?: URL | undefined }) {
    this.port = options.port;
    const listen = options.listenHost.includes(':') ? `[${options.listenHost}]` : options.listenHost;
    if (!['0.0.0.0', '[::]'].includes(listen)) this.names.add(`${listen.toLowerCase()}:${options.port}`);
    if (options.publicUrl) this.names.add(`${options.publicUrl.hostname.toLowerCase()}:${options.publicUrl.port || (options.publicUrl.protocol === 'https:' ? 443 : 80)}`);
  }

  /**
   * Whether the Host header names this lab. Without a port it is a scheme's
   * default, 80 or 443: behind a reverse proxy the browser's scheme is not the lab's.
   */
  allows(hostHeader: string | undefined): boolean {
    const [, name, port] = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(hostHeader?.toLowerCase() ?? '') ?? [];
    if (!name) return false;
    const ports = port ? [Number(port)] : [80, 443];
    return ports.some((p) => (isLoopback(name) && p === this.port) || this.names.has(`${name}:${p}`));
  }

  /** Whether a page of `origin` is one of the lab's own (http or https, any name the lab answers to). */
  allowsOrigin(origin: string | undefined): boolean {
    if (origin === undefined) return true;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    return this.allows(url.host);
  }
}

/** Headers on every answer: no framing, no referrer (a link may carry the token), no sniffing; HSTS under TLS. */
export function securityHeaders(secure: boolean): Record<string, string> {
  return {
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'content-security-policy': contentSecurityPolicy([]),
    ...(secure ? { 'strict-transport-security': 'max-age=31536000' } : {}),
  };
}

/**
 * The page's policy: its own scripts only (the inline ones by hash), its own
 * connections (the lab's WebSocket), inline styles (Shiki colours by
 * attribute), never in a frame.
 */
export function contentSecurityPolicy(inlineScriptHashes: string[]): string {
  return [
    "default-src 'self'",
    `script-src 'self'${inlineScriptHashes.map((h) => ` '${h}'`).join('')}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The hashes of a page's inline scripts, for its policy. */
export function inlineScriptHashes(html: string): string[] {
  const hashes: string[] = [];
  for (const match of html.matchAll(/<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)) {
    hashes.push(`sha256-${createHash('sha256').update(match[1]!).digest('base64')}`);
  }
  return hashes;
}

/**
 * A redirect target on this host: a path that starts with exactly one "/"
 * (a second slash or a backslash would make it another host's address).
 */
export function sameHostLocation(path: string): string {
  return `/${path.replace(/^[/\\]+/, '')}`;
}

/** The peer's address, as the per-address caps count it. */
export function clientAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}
