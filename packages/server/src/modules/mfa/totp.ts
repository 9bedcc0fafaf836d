import { createHmac } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';

/** RFC 6238 with the parameters every authenticator app supports: SHA-1, 6 digits, 30 s. */
export const TOTP_PERIOD_SECONDS = 30;
const DIGITS = 6;
/** One step either side of now, for clock drift and typing time. */
const WINDOW = 1;

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totpFor(secretBase32: string, label = 'Custos', issuer = 'Custos') {
  return new TOTP({
    issuer,
    label,
    algorithm: 'SHA1',
    digits: DIGITS,
    period: TOTP_PERIOD_SECONDS,
    secret: Secret.fromBase32(secretBase32),
  });
}

export function totpUri(secretBase32: string, account: string, issuer: string): string {
  return totpFor(secretBase32, account, issuer).toString();
}

export async function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

/** The HMAC key of a base32 secret, decoded once and kept by the verifier. */
export function totpKey(secretBase32: string): Buffer {
  return Buffer.from(Secret.fromBase32(secretBase32).bytes);
}

/** RFC 4226 HOTP value of one counter (the code as a number). */
function hotp(key: Buffer, counter: number): number {
  const message = Buffer.alloc(8);
  message.writeUInt32BE(Math.floor(counter / 2 ** 32), 0);
  message.writeUInt32BE(counter >>> 0, 4);
  const mac = createHmac('sha1', key).update(message).digest();
  const offset = (mac[19] ?? 0) & 0x0f;
  return (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** DIGITS;
}

const SIX_DIGITS = /^\d{6}$/;
/** Now first: a code typed in time costs one HMAC; a wrong one costs the whole window. */
const WINDOW_ORDER = [0, -1, 1] as const;

/**
 * The time step a code belongs to, or null when it matches none within the window. The caller
 * must still refuse a step at or before the last one accepted (a replay). This is the hot path of
 * every second sign-in step, so it is RFC 6238 on node:crypto (tested against otpauth, the RFC
 * vectors and oathtool). Codes are compared as numbers: one comparison, no early exit per digit.
 */
export function matchTotpStepWithKey(key: Buffer, code: string, at = Date.now()): number | null {
  if (!SIX_DIGITS.test(code)) return null;
  const given = Number(code);
  const now = Math.floor(at / 1000 / TOTP_PERIOD_SECONDS);
  for (const delta of WINDOW_ORDER.slice(0, 2 * WINDOW + 1)) {
    if (hotp(key, now + delta) === given) return now + delta;
  }
  return null;
}

export function matchTotpStep(secretBase32: string, code: string, at = Date.now()): number | null {
  return matchTotpStepWithKey(totpKey(secretBase32), code, at);
}

/** The code of a moment (tests and the benchmark). */
export function totpCodeAt(secretBase32: string, at = Date.now()): string {
  return totpFor(secretBase32).generate({ timestamp: at });
}
