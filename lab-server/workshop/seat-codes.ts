/**
 * The workshop's secrets and names. The join code is short enough to read
 * out in a room (a wrong one costs a try, and tries are limited per
 * address); the instructor secret is long and never shown to a learner; each
 * learner's rejoin code lets only them take their seat from another browser.
 */
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** No 0/O, 1/I/L or U: a code read aloud or copied from a projector is typed as meant. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTVWXYZ23456789';

function code(length: number, group: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += (i > 0 && i % group === 0 ? '-' : '') + ALPHABET[randomInt(ALPHABET.length)];
  return text;
}

export const newJoinCode = (): string => code(10, 5);
export const newRejoinCode = (): string => code(8, 4);
export const newInstructorSecret = (): string => randomBytes(32).toString('base64url');

/** As typed: any case, with or without dashes and spaces. */
function normalized(text: string): string {
  return text.toUpperCase().replace(/[\s-]/g, '');
}

/** Whether a typed code is `expected`, in time that does not depend on where they differ. */
export function codeMatches(typed: string | undefined, expected: string): boolean {
  return typed !== undefined && secretMatches(normalized(typed), normalized(expected));
}

/** Whether `candidate` is the secret, in time that does not depend on where they differ. */
export function secretMatches(candidate: string | undefined, secret: string): boolean {
  if (candidate === undefined) return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(candidate), digest(secret));
}

export const MAX_NAME_LENGTH = 40;

/** A name as the workshop keeps and compares it: NFC, spaces collapsed. */
export function normalName(typed: string): string {
  return typed.normalize('NFC').trim().replace(/\s+/g, ' ');
}

/** A display name as the workshop keeps it, or why it cannot be one. */
export function displayName(typed: string): { ok: true; name: string } | { ok: false; error: string } {
  const name = normalName(typed);
  const length = [...name].length;
  if (length === 0) return { ok: false, error: 'Type the name the instructor will see, e.g. "Ada L."' };
  if (length > MAX_NAME_LENGTH) return { ok: false, error: `A name is at most ${MAX_NAME_LENGTH} characters; "${[...name].slice(0, 20).join('')}…" has ${length}.` };
  // Letters and digits of any script, spaces and a little punctuation: names, not markup or control codes.
  if (!/^[\p{L}\p{M}\p{N}][\p{L}\p{M}\p{N} .'_@()-]*$/u.test(name)) return { ok: false, error: 'A name starts with a letter or digit and holds letters, digits, spaces and . \' _ - @ ( ) only.' };
  return { ok: true, name };
}
