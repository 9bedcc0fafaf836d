import { describe, expect, it } from 'vitest';
import { pooledRandomBytes, randomToken } from './tokens';

describe('pooled randomness', () => {
  it('never hands out the same bytes twice, across pool refills', () => {
    const seen = new Set<string>();
    // 2,000 × 12 bytes crosses several 4 KiB refills.
    for (let i = 0; i < 2000; i += 1) {
      const iv = pooledRandomBytes(12).toString('hex');
      expect(seen.has(iv)).toBe(false);
      seen.add(iv);
    }
  });

  it('gives each caller its own copy, of the length asked', () => {
    const a = pooledRandomBytes(32);
    const b = pooledRandomBytes(32);
    expect(a).toHaveLength(32);
    const copy = Buffer.from(a);
    b.fill(0);
    expect(a).toEqual(copy);
  });

  it('is not all zeros (the pool wipes what it hands out, not what it keeps)', () => {
    const bytes = Buffer.concat(Array.from({ length: 64 }, () => pooledRandomBytes(16)));
    expect(bytes.some((b) => b !== 0)).toBe(true);
    // 1,024 random bytes: far from the 4 zero bytes expected by chance would mean a wiped pool.
    expect(bytes.filter((b) => b === 0).length).toBeLessThan(40);
  });

  it('draws large requests straight from the CSPRNG', () => {
    expect(pooledRandomBytes(1024)).toHaveLength(1024);
  });

  it('makes 256-bit base64url tokens', () => {
    const token = randomToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken()).not.toBe(token);
  });
});
