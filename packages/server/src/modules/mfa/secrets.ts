import { createHmac, randomInt } from 'node:crypto';
import { type Keyring, open, seal } from '../../platform/crypto/keyring';

/**
 * Custos' own MFA secrets at rest. TOTP seeds are sealed (AES-256-GCM, the factor id as associated
 * data, so a sealed seed cannot be moved to another factor row). Recovery codes are peppered here
 * (HMAC-SHA256 under a key derived from the master key, with the user id) and then hashed with
 * argon2id and a random salt by the service, so neither a stolen database alone nor one with the
 * master key can be searched for them cheaply.
 */
export function createMfaSecrets(keyring: Keyring) {
  const totpKey = { id: 'mfa-totp-v1', key: keyring.derivedKey('mfa totp seeds v1') };
  const recoveryPepper = keyring.derivedKey('mfa recovery codes v1');
  return {
    sealTotpSecret: (factorId: string, secret: string) => seal(totpKey, secret, `totp:${factorId}`),
    openTotpSecret: (factorId: string, sealed: string) => open(totpKey.key, sealed, `totp:${factorId}`),
    hashRecoveryCode: (userId: string, code: string) =>
      createHmac('sha256', recoveryPepper).update(`${userId}:${code}`).digest('hex'),
  };
}

export type MfaSecrets = ReturnType<typeof createMfaSecrets>;

/** 32 letters and digits without the look-alikes l, o, 0 and 1: 10 of them are 50 bits. */
const RECOVERY_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';
export const RECOVERY_CODE_COUNT = 10;

export function newRecoveryCode(): string {
  let code = '';
  for (let i = 0; i < 10; i++) code += RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)];
  return code;
}

/** As shown to the user: two groups of five. */
export const formatRecoveryCode = (code: string) => `${code.slice(0, 5)}-${code.slice(5)}`;
