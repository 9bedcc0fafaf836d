import { MIN_PASSWORD_LENGTH } from '@custos/shared';
import { hash, verify } from '@node-rs/argon2';
import { dictionary } from '@zxcvbn-ts/language-common';
import { badRequest } from '../http/errors';

/** argon2id parameters (OWASP: m=19 MiB, t=2, p=1 is the floor; we take a little more memory). */
export const ARGON2_OPTIONS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export { MIN_PASSWORD_LENGTH };

export const MAX_PASSWORD_LENGTH = 256;

const COMMON_PASSWORDS = new Set(dictionary.passwords.map((p: string) => p.toLowerCase()));

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;
/** A hash to verify against when the account does not exist, so both paths cost the same. */
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword('custos-dummy-password-for-timing-equality');
  return dummyHash;
}

/**
 * NIST SP 800-63B: at least 12 characters, not a known common password, not built from the
 * account's own identifiers; no composition rules. Throws a 400 with a specific code.
 */
export function assertAcceptablePassword(
  password: string,
  context: { email?: string; minLength?: number } = {},
): void {
  const length = [...password].length;
  // An organization may ask for longer passwords, never shorter than the NIST floor.
  const minLength = Math.max(MIN_PASSWORD_LENGTH, context.minLength ?? 0);
  if (length < minLength) {
    throw badRequest('PASSWORD_TOO_SHORT', `Use at least ${minLength} characters.`);
  }
  if (length > MAX_PASSWORD_LENGTH) {
    throw badRequest('PASSWORD_TOO_LONG', `Use at most ${MAX_PASSWORD_LENGTH} characters.`);
  }
  const lower = password.toLowerCase();
  const localPart = context.email?.split('@')[0]?.toLowerCase();
  const squeezed = lower.replace(/(.)\1+/g, '$1');
  if (
    COMMON_PASSWORDS.has(lower) ||
    squeezed.length <= 2 ||
    lower.includes('custos') ||
    (localPart !== undefined && localPart.length >= 4 && lower.includes(localPart))
  ) {
    throw badRequest(
      'PASSWORD_TOO_COMMON',
      'That password is too easy to guess (common, repetitive, or contains your e-mail or the product name). Try a longer phrase.',
    );
  }
}
