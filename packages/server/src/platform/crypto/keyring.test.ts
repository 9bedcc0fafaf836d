import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isSealed, Keyring, open, seal, sealedKeyId } from './keyring';

describe('sealing (AES-256-GCM)', () => {
  const key = { id: 'k1', key: randomBytes(32) };

  it('round-trips, names its key, and hides the plaintext', () => {
    const sealed = seal(key, 'ada@example.com', 'event-1|actor.email');
    expect(isSealed(sealed)).toBe(true);
    expect(sealed).not.toContain('ada@example.com');
    expect(sealedKeyId(sealed)).toBe('k1');
    expect(open(key.key, sealed, 'event-1|actor.email')).toBe('ada@example.com');
    // Fresh IV each time: equal plaintexts do not give equal ciphertexts.
    expect(seal(key, 'ada@example.com', 'event-1|actor.email')).not.toBe(sealed);
  });

  it('refuses another context, another key, a destroyed key and tampered bytes', () => {
    const sealed = seal(key, 'secret', 'event-1|actor.name');
    expect(open(key.key, sealed, 'event-2|actor.name')).toBeNull();
    expect(open(randomBytes(32), sealed, 'event-1|actor.name')).toBeNull();
    expect(open(undefined, sealed, 'event-1|actor.name')).toBeNull();
    // The second-to-last character (the last may carry unused bits), changed for certain.
    const flipped = `${sealed.slice(0, -2)}${sealed.at(-2) === 'A' ? 'B' : 'A'}${sealed.slice(-1)}`;
    expect(open(key.key, flipped, 'event-1|actor.name')).toBeNull();
    expect(open(key.key, 'custos:enc:v1:k1:AAAA', 'event-1|actor.name')).toBeNull();
  });

  it('names subjects by a keyed hash, stable per master key', () => {
    const master = randomBytes(32);
    const a = new Keyring(master);
    const b = new Keyring(master);
    expect(a.subjectId('email:ada@example.com')).toBe(b.subjectId('email:ada@example.com'));
    expect(a.subjectId('email:ada@example.com')).not.toContain('ada@');
    expect(new Keyring(randomBytes(32)).subjectId('email:ada@example.com')).not.toBe(
      a.subjectId('email:ada@example.com'),
    );
    expect(() => new Keyring(randomBytes(16))).toThrow(/32 bytes/);
  });
});
