import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { RecoveryCode } from '@custos/shared';
import { describe, expect, it } from 'vitest';
import { Keyring } from '../../platform/crypto/keyring';
import { createMfaSecrets, formatRecoveryCode, newRecoveryCode, RECOVERY_CODE_COUNT } from './secrets';
import { matchTotpStep, newTotpSecret, TOTP_PERIOD_SECONDS, totpCodeAt, totpUri } from './totp';

/** RFC 6238 Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890". */
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const RFC_VECTORS: [seconds: number, eightDigits: string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];
const stepOf = (seconds: number) => Math.floor(seconds / TOTP_PERIOD_SECONDS);

function oathtool(secret: string, now: string, extra: string[] = []): string {
  return execFileSync('/usr/bin/oathtool', ['--totp', '-b', '--now', now, ...extra, secret], {
    encoding: 'utf8',
  }).trim();
}

describe('TOTP (RFC 6238, SHA-1, 6 digits, 30 s)', () => {
  it('the seed of Appendix B is the base32 of its ASCII string', () => {
    expect(Buffer.from('12345678901234567890', 'ascii').toString('hex')).toBe(
      '3132333435363738393031323334353637383930',
    );
    // base32 of the 20 bytes, computed independently of the library.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    const bits = [...Buffer.from('12345678901234567890')].map((b) => b.toString(2).padStart(8, '0')).join('');
    const encoded = (bits.match(/.{5}/g) ?? []).map((c) => alphabet[Number.parseInt(c, 2)]).join('');
    expect(encoded).toBe(RFC_SECRET);
  });

  it.each(RFC_VECTORS)('at %i s the code is the last six digits of %s', (seconds, eight) => {
    expect(totpCodeAt(RFC_SECRET, seconds * 1000)).toBe(eight.slice(-6));
  });

  it.each(RFC_VECTORS)('matchTotpStep accepts the vector of %i s and returns its step', (seconds, eight) => {
    expect(matchTotpStep(RFC_SECRET, eight.slice(-6), seconds * 1000)).toBe(stepOf(seconds));
  });

  it('accepts one step either side and returns the step the code belongs to, not now', () => {
    const at = 1234567890 * 1000;
    const step = stepOf(1234567890);
    const period = TOTP_PERIOD_SECONDS * 1000;
    const previous = totpCodeAt(RFC_SECRET, at - period);
    const next = totpCodeAt(RFC_SECRET, at + period);
    expect(matchTotpStep(RFC_SECRET, previous, at)).toBe(step - 1);
    expect(matchTotpStep(RFC_SECRET, next, at)).toBe(step + 1);
    // The RFC code of 1234567890 s is still good half a minute later (one step late).
    expect(matchTotpStep(RFC_SECRET, '005924', at + period)).toBe(step);
  });

  it('refuses codes two steps away, wrong codes and malformed ones', () => {
    const at = 2000000000 * 1000;
    const period = TOTP_PERIOD_SECONDS * 1000;
    const twoBack = totpCodeAt(RFC_SECRET, at - 2 * period);
    const twoAhead = totpCodeAt(RFC_SECRET, at + 2 * period);
    const window = [-1, 0, 1].map((d) => totpCodeAt(RFC_SECRET, at + d * period));
    // Only meaningful when the far codes do not collide with one inside the window.
    expect(window).not.toContain(twoBack);
    expect(window).not.toContain(twoAhead);
    expect(matchTotpStep(RFC_SECRET, twoBack, at)).toBeNull();
    expect(matchTotpStep(RFC_SECRET, twoAhead, at)).toBeNull();
    const wrong = String((Number(totpCodeAt(RFC_SECRET, at)) + 1) % 1_000_000).padStart(6, '0');
    if (!window.includes(wrong)) expect(matchTotpStep(RFC_SECRET, wrong, at)).toBeNull();
    expect(matchTotpStep(RFC_SECRET, '69279037', at)).toBeNull(); // eight digits
    expect(matchTotpStep(RFC_SECRET, '', at)).toBeNull();
    expect(matchTotpStep(RFC_SECRET, '27903', at)).toBeNull();
  });

  it('a code of one secret is no code of another', () => {
    const other = newTotpSecret();
    const at = 1111111111 * 1000;
    const code = totpCodeAt(RFC_SECRET, at);
    const otherWindow = [-1, 0, 1].map((d) => totpCodeAt(other, at + d * 30_000));
    if (!otherWindow.includes(code)) expect(matchTotpStep(other, code, at)).toBeNull();
  });

  it('agrees with oathtool on the RFC seed and on fresh secrets', () => {
    const now = '2026-01-01 00:00:00 UTC';
    const at = Date.parse('2026-01-01T00:00:00Z');
    for (const secret of [RFC_SECRET, newTotpSecret(), newTotpSecret()]) {
      const code = oathtool(secret, now);
      expect(code).toMatch(/^\d{6}$/);
      expect(code).toBe(totpCodeAt(secret, at));
      expect(matchTotpStep(secret, code, at)).toBe(stepOf(at / 1000));
      // oathtool's code for a minute later is two steps ahead: refused now.
      const later = oathtool(secret, '2026-01-01 00:01:00 UTC');
      const window = [-1, 0, 1].map((d) => totpCodeAt(secret, at + d * 30_000));
      if (!window.includes(later)) expect(matchTotpStep(secret, later, at)).toBeNull();
      // ...and oathtool's code for 30 s earlier is still accepted, as the previous step.
      const earlier = oathtool(secret, '2025-12-31 23:59:30 UTC');
      expect(matchTotpStep(secret, earlier, at)).toBe(stepOf(at / 1000) - 1);
    }
    expect(oathtool(RFC_SECRET, '1970-01-01 00:00:59 UTC', ['-d', '8'])).toBe('94287082');
  });

  it('new secrets are 160-bit base32 and the otpauth URI names issuer, account and parameters', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(newTotpSecret()).not.toBe(secret);
    const uri = new URL(totpUri(secret, 'alice@example.com', 'Custos (custos.test)'));
    expect(uri.protocol).toBe('otpauth:');
    expect(decodeURIComponent(uri.pathname)).toContain('alice@example.com');
    expect(uri.searchParams.get('issuer')).toBe('Custos (custos.test)');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('algorithm')).toBe('SHA1');
    expect(uri.searchParams.get('digits')).toBe('6');
    expect(uri.searchParams.get('period')).toBe('30');
  });
});

describe('MFA secrets at rest', () => {
  const secrets = createMfaSecrets(new Keyring(randomBytes(32)));

  it('a sealed TOTP seed opens only with the factor id it was sealed for', () => {
    const secret = newTotpSecret();
    const sealed = secrets.sealTotpSecret('factor-a', secret);
    expect(sealed).not.toContain(secret);
    expect(secrets.openTotpSecret('factor-a', sealed)).toBe(secret);
    expect(secrets.openTotpSecret('factor-b', sealed)).toBeNull();
    // Sealing is randomized: the same seed twice gives different ciphertexts.
    expect(secrets.sealTotpSecret('factor-a', secret)).not.toBe(sealed);
  });

  it('a tampered seal or another master key opens nothing', () => {
    const sealed = secrets.sealTotpSecret('factor-a', RFC_SECRET);
    const last = sealed.at(-2) === 'A' ? 'B' : 'A';
    const tampered = `${sealed.slice(0, -2)}${last}${sealed.slice(-1)}`;
    expect(secrets.openTotpSecret('factor-a', tampered)).toBeNull();
    const stranger = createMfaSecrets(new Keyring(randomBytes(32)));
    expect(stranger.openTotpSecret('factor-a', sealed)).toBeNull();
  });

  it('recovery-code hashes differ per user and per master key, and are stable', () => {
    const code = newRecoveryCode();
    const a = secrets.hashRecoveryCode('user-a', code);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(secrets.hashRecoveryCode('user-a', code)).toBe(a);
    expect(secrets.hashRecoveryCode('user-b', code)).not.toBe(a);
    expect(a).not.toContain(code);
    expect(createMfaSecrets(new Keyring(randomBytes(32))).hashRecoveryCode('user-a', code)).not.toBe(a);
  });

  it('recovery codes are 10 characters of the look-alike-free alphabet, shown as two groups', () => {
    const codes = Array.from({ length: 500 }, newRecoveryCode);
    for (const code of codes) expect(code).toMatch(/^[abcdefghijkmnpqrstuvwxyz23456789]{10}$/);
    const used = new Set(codes.join(''));
    for (const lookAlike of ['l', 'o', '0', '1']) expect(used.has(lookAlike)).toBe(false);
    // 5000 draws from 32 symbols: every symbol shows up.
    expect(used.size).toBe(32);
    expect(new Set(codes).size).toBe(codes.length);
    expect(RECOVERY_CODE_COUNT).toBe(10);
    const [first] = codes;
    const shown = formatRecoveryCode(first ?? '');
    expect(shown).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    // What the user types back (any case, dashes, spaces) parses to the stored form.
    expect(RecoveryCode.parse(` ${shown.toUpperCase().replace('-', ' - ')} `)).toBe(first);
  });
});
