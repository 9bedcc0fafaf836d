import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Keyring } from '../../platform/crypto/keyring';
import { blindIndexKey, emailsIn, emailToken, emailTokens, normalizeEmail } from './blind-index';

describe('audit blind index of e-mails', () => {
  const keyring = new Keyring(randomBytes(32));

  it('normalizes e-mails and finds them inside text or JSON', () => {
    expect(normalizeEmail('  Ada@Example.COM ')).toBe('ada@example.com');
    expect(normalizeEmail('not an e-mail')).toBeNull();
    expect(emailsIn('Grace <Grace@example.org>, and grace@example.org again')).toEqual(['grace@example.org']);
    expect(emailsIn(JSON.stringify({ to: ['a@x.io', 'b@y.io'] }))).toEqual(['a@x.io', 'b@y.io']);
  });

  it('makes one FTS word, keyed per log: no plain hash, another log another token', () => {
    const key = blindIndexKey(keyring, 'org-1');
    const token = emailToken(key, 'ada@example.com');
    expect(token).toMatch(/^zbx[0-9a-f]{32}$/);
    expect(createHash('sha256').update('ada@example.com').digest('hex')).not.toContain(token.slice(3));
    expect(emailToken(blindIndexKey(keyring, 'org-2'), 'ada@example.com')).not.toBe(token);
    expect(emailToken(blindIndexKey(new Keyring(randomBytes(32)), 'org-1'), 'ada@example.com')).not.toBe(
      token,
    );
    expect(emailTokens(key, ['ADA@example.com', { contact: 'ada@example.com' }, null])).toEqual([token]);
  });
});
