/** The images the sandbox's registries hold, and image reference normalisation. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface KnownImage {
  image: string;
  size: number;
  description?: string;
  /**
   * The TCP port the image's program listens on: from an environment variable,
   * or a default; and the address it binds, from an environment variable when
   * the program reads one (all addresses otherwise).
   */
  listens?: { env?: string; default: number; bindEnv?: string };
  /** For a VM disk image: the TCP ports its guest listens on once booted. */
  guestListens?: number[];
  /** What the program writes when it starts, in its own format; {{VAR}} is the container's environment, {{TIME}} and {{NGINX_TIME}} the time. */
  startupLog?: string[];
  /** The executables the image holds (sh, bash, nc …); every one the sandbox simulates when absent. */
  programs?: string[];
}

const CATALOGUE = new Map((parse(readFileSync(new URL('./images.yaml', import.meta.url), 'utf8')) as KnownImage[]).map((i) => [i.image, i]));

/** nginx → docker.io/library/nginx:latest, as container runtimes read references. */
export function normaliseImage(reference: string): string {
  let ref = reference.trim();
  const first = ref.split('/')[0] ?? '';
  const hasRegistry = ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasRegistry) ref = `docker.io/${ref.includes('/') ? '' : 'library/'}${ref}`;
  const lastSegment = ref.slice(ref.lastIndexOf('/') + 1);
  if (!lastSegment.includes(':') && !ref.includes('@')) ref = `${ref}:latest`;
  return ref;
}

export function findImage(reference: string): KnownImage | undefined {
  return CATALOGUE.get(normaliseImage(reference));
}
