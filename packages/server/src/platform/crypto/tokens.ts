import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

/** A new time-ordered id (UUIDv7). */
export const newId = (): string => uuidv7();

/** An opaque random token of `bytes` bytes (default 32 = 256 bits), base64url. */
export function randomToken(bytes = 32): string {
  return pooledRandomBytes(bytes).toString('base64url');
}

const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let taken = 0;

/**
 * Random bytes from the CSPRNG, drawn 4 KiB at a time. Each call into OpenSSL costs about 5 µs
 * (locking and a fork check) whatever its size, and a sign-in draws several small values (tokens,
 * IVs); Node's own randomUUID pools the same way. Bytes handed out are wiped from the pool.
 */
export function pooledRandomBytes(bytes: number): Buffer {
  if (bytes > POOL_BYTES / 16) return randomBytes(bytes);
  if (taken + bytes > pool.length) {
    pool = randomBytes(POOL_BYTES);
    taken = 0;
  }
  const out = Buffer.from(pool.subarray(taken, taken + bytes));
  pool.fill(0, taken, taken + bytes);
  taken += bytes;
  return out;
}

/**
 * SHA-256 of a high-entropy token, hex. Tokens are 256-bit random, so a fast hash is enough to make
 * a stolen database useless; lookups go by this hash, so the token itself is never stored.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Constant-time string equality. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}
