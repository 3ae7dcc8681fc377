/** `labpath serve --workshop`'s own flags, read into the lab's workshop settings with errors that say what to type. */
import { UsageError } from './command.ts';

/** An end time as typed: an ISO date and time (2026-12-02T17:00, with or without a zone), or a duration from now (90m, 2h, 1h30m). */
export function parseEndsAt(text: string, now = Date.now()): number {
  const duration = /^(?:(\d+)h)?(?:(\d+)m)?$/.exec(text.trim());
  if (duration && (duration[1] || duration[2])) {
    const minutes = Number(duration[1] ?? 0) * 60 + Number(duration[2] ?? 0);
    if (minutes < 1 || minutes > 14 * 24 * 60) throw new UsageError(`--ends-at ${text}: a workshop lasts from 1 minute to 14 days`);
    return now + minutes * 60_000;
  }
  const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at)) throw new UsageError(`--ends-at must be a time such as 2026-12-02T17:00 (local time, or with a zone: 17:00Z, 17:00+01:00) or a duration such as 90m, 2h or 1h30m, not "${text}"`);
  if (at <= now) throw new UsageError(`--ends-at ${text} is in the past; give a later time, or a duration such as 2h`);
  return at;
}

export function parseFactor(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 1 || value > 20) throw new UsageError(`${flag} must be a number from 1 to 20 (e.g. 1.5: flag a learner at one and a half times a step's estimate), not "${text}"`);
  return value;
}

export function parseWebhook(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--events-webhook must be an absolute http:// or https:// URL, not "${text}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--events-webhook must be http:// or https://, not ${url.protocol}`);
  return url.href;
}

export function workshopName(text: string): string {
  const name = text.trim();
  if (name.length < 1 || name.length > 80 || /[\x00-\x1f\x7f]/.test(name)) throw new UsageError(`--workshop needs a name of 1 to 80 printable characters, e.g. --workshop "Networking 101"`);
  return name;
}
