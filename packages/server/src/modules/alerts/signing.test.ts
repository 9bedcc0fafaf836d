import { describe, expect, it } from 'vitest';
import { verifyWebhook, WebhookVerificationError } from '../../../test/webhook-receiver';
import { newWebhookSecret, secretHint } from './secrets';
import { signWebhook, webhookHeaders } from './signing';
import { isPublicAddress } from './url-guard';

// The test vector of the Standard Webhooks reference libraries.
const SPEC_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SPEC_ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const SPEC_BODY = '{"test": 2432232314}';

describe('Standard Webhooks signing', () => {
  it('matches the reference vector', () => {
    expect(signWebhook(SPEC_SECRET, SPEC_ID, 1614265330, SPEC_BODY)).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  it('makes whsec_ secrets of 32 random bytes with an 8-character hint', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(secretHint(secret)).toBe(secret.slice(6, 14));
    expect(newWebhookSecret()).not.toBe(secret);
  });
});

describe('webhook receiver (verification from the spec)', () => {
  const secret = newWebhookSecret();
  const body = '{"type":"alert.test","data":{}}';
  const now = Date.now();
  const headers = webhookHeaders(secret, 'msg_abc', body, now);

  it('accepts what the sender signs, with or without the whsec_ prefix', () => {
    expect(verifyWebhook(secret, headers, body, now)).toMatchObject({ id: 'msg_abc' });
    expect(() => verifyWebhook(secret.slice(6), headers, body, now)).not.toThrow();
    expect(() =>
      verifyWebhook(
        SPEC_SECRET,
        {
          'webhook-id': SPEC_ID,
          'webhook-timestamp': '1614265330',
          'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
        },
        SPEC_BODY,
        1614265330_000,
      ),
    ).not.toThrow();
  });

  it('refuses a tampered body, another id, a wrong secret', () => {
    expect(() => verifyWebhook(secret, headers, body.replace('test', 'tset'), now)).toThrow(
      WebhookVerificationError,
    );
    expect(() => verifyWebhook(secret, { ...headers, 'webhook-id': 'msg_other' }, body, now)).toThrow(
      /signature/,
    );
    expect(() => verifyWebhook(newWebhookSecret(), headers, body, now)).toThrow(/signature/);
  });

  it('refuses timestamps more than five minutes old or ahead, even when correctly signed', () => {
    const old = webhookHeaders(secret, 'msg_abc', body, now - 301_000);
    expect(() => verifyWebhook(secret, old, body, now)).toThrow(/too old/);
    const ahead = webhookHeaders(secret, 'msg_abc', body, now + 301_000);
    expect(() => verifyWebhook(secret, ahead, body, now)).toThrow(/too new/);
    const edge = webhookHeaders(secret, 'msg_abc', body, now - 290_000);
    expect(() => verifyWebhook(secret, edge, body, now)).not.toThrow();
    // The timestamp is signed: moving it forward breaks the signature.
    const moved = { ...old, 'webhook-timestamp': headers['webhook-timestamp'] };
    expect(() => verifyWebhook(secret, moved, body, now)).toThrow(/signature/);
    expect(() => verifyWebhook(secret, { ...headers, 'webhook-timestamp': '12e3' }, body, now)).toThrow(
      /timestamp/,
    );
  });

  it('accepts any matching v1 signature of a space-separated list, ignores other versions', () => {
    const good = headers['webhook-signature'] ?? '';
    const mac = good.slice(3);
    const list = ['v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=', `v2,${mac}`, good].join(' ');
    expect(() => verifyWebhook(secret, { ...headers, 'webhook-signature': list }, body, now)).not.toThrow();
    expect(() =>
      verifyWebhook(secret, { ...headers, 'webhook-signature': `v1a,${mac} v2,${mac}` }, body, now),
    ).toThrow();
    expect(() => verifyWebhook(secret, { ...headers, 'webhook-signature': 'v1,' }, body, now)).toThrow();
    expect(() =>
      verifyWebhook(secret, { ...headers, 'webhook-signature': good.slice(0, 10) }, body, now),
    ).toThrow();
  });

  it('refuses missing headers', () => {
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const partial: Record<string, string | undefined> = { ...headers, [name]: undefined };
      expect(() => verifyWebhook(secret, partial, body, now)).toThrow(`missing ${name}`);
    }
  });
});

describe('SSRF address check', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '255.255.255.255',
    '224.0.0.1',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '64:ff9b::a00:1',
    '2002:a00:1::',
    'not-an-ip',
  ])('refuses %s', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(['93.184.215.14', '1.1.1.1', '2606:4700:4700::1111', '::ffff:1.1.1.1'])('allows %s', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
});
