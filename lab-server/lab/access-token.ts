/**
 * The lab's access token: what a workshop's link carries. It is compared in
 * constant time, and the browser keeps not the token but a MAC of it, so
 * that a new token (the token file rewritten) revokes every old link and
 * cookie at once.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { log } from '../log.ts';

export const MIN_TOKEN_LENGTH = 16;

export class AccessToken {
  private token: string | undefined;
  private readonly revoked = new Set<() => void>();
  private readonly file: string | undefined;

  /** `file`: a token file, read again whenever it changes; an empty or too short one locks the lab. */
  constructor(source: { token?: string | undefined; file?: string | undefined }) {
    this.file = source.file;
    this.token = source.file ? readToken(source.file) : source.token;
    if (source.file) {
      watchFile(source.file, { interval: 1000, persistent: false }, () => {
        const next = readToken(source.file!);
        if (next === this.token) return;
        this.token = next;
        log.info('lab access token changed: earlier links and cookies no longer open the lab', { file: source.file });
        for (const listener of this.revoked) listener();
      });
    }
  }

  /** Whether the lab needs a token at all. */
  get required(): boolean {
    return this.token !== undefined || this.file !== undefined;
  }

  /** Whether `candidate` is the token, in time that does not depend on where they differ. */
  matches(candidate: string | undefined): boolean {
    if (!this.token || candidate === undefined) return false;
    return timingSafeEqual(digest(candidate), digest(this.token));
  }

  /** What the access cookie holds: a MAC of the token, useless once the token changes. */
  cookieValue(): string | undefined {
    return this.token && createHmac('sha256', this.token).update('labpath-access-cookie').digest('base64url');
  }

  cookieMatches(candidate: string | undefined): boolean {
    const expected = this.cookieValue();
    if (!expected || candidate === undefined) return false;
    return timingSafeEqual(digest(candidate), digest(expected));
  }

  /** Called when the token changes, so that connections opened with the old one can be closed. */
  onRevoked(listener: () => void): () => void {
    this.revoked.add(listener);
    return () => this.revoked.delete(listener);
  }

  close(): void {
    if (this.file) unwatchFile(this.file);
    this.revoked.clear();
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function readToken(file: string): string | undefined {
  try {
    const token = readFileSync(file, 'utf8').trim();
    return token.length >= MIN_TOKEN_LENGTH ? token : undefined;
  } catch {
    return undefined;
  }
}
