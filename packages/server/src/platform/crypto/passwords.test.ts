import { describe, expect, it } from 'vitest';
import { AppError } from '../http/errors';
import { assertAcceptablePassword, hashPassword, verifyPassword } from './passwords';
import { hashToken, randomToken, safeEqual } from './tokens';

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof AppError ? error.code : 'OTHER';
  }
}

describe('password policy (NIST SP 800-63B)', () => {
  it('accepts long passphrases without composition rules', () => {
    expect(codeOf(() => assertAcceptablePassword('correct horse battery staple'))).toBeUndefined();
    expect(codeOf(() => assertAcceptablePassword('alllowercaseletters'))).toBeUndefined();
    expect(codeOf(() => assertAcceptablePassword('ünïcödé pässwörd ✓'))).toBeUndefined();
  });
  it('rejects short, common, repetitive and self-referential passwords', () => {
    expect(codeOf(() => assertAcceptablePassword('elevenchars'))).toBe('PASSWORD_TOO_SHORT');
    expect(codeOf(() => assertAcceptablePassword('x'.repeat(300)))).toBe('PASSWORD_TOO_LONG');
    expect(codeOf(() => assertAcceptablePassword('123456789012'))).toBe('PASSWORD_TOO_COMMON');
    expect(codeOf(() => assertAcceptablePassword('PasswordPassword'))).toBe('PASSWORD_TOO_COMMON');
    expect(codeOf(() => assertAcceptablePassword('aaaaaaaaaaaaaaaa'))).toBe('PASSWORD_TOO_COMMON');
    expect(codeOf(() => assertAcceptablePassword('my custos password'))).toBe('PASSWORD_TOO_COMMON');
    expect(
      codeOf(() => assertAcceptablePassword('jane.doe-2024-secret', { email: 'jane.doe@example.com' })),
    ).toBe('PASSWORD_TOO_COMMON');
  });
});

describe('argon2id and tokens', () => {
  it('hashes with argon2id and verifies', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(hash, 'correct horse battery staple')).toBe(true);
    expect(await verifyPassword(hash, 'wrong')).toBe(false);
    expect(await verifyPassword('not-a-hash', 'x')).toBe(false);
  });
  it('makes 256-bit tokens and compares in constant time', () => {
    const token = randomToken();
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(randomToken()).not.toBe(token);
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
  });
});
