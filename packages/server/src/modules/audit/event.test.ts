import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type AuditEventBody, canonicalBody, leafHashOfCanonical } from './event';

const leafHashOf = (body: AuditEventBody) => leafHashOfCanonical(canonicalBody(body));

describe('audit leaf hash', () => {
  const body: AuditEventBody = {
    id: '0190',
    organizationId: 'org',
    seq: 1,
    occurredAt: '2026-01-01T00:00:00.000Z',
    receivedAt: '2026-01-01T00:00:00.000Z',
    actor: { type: 'user', id: 'u', name: 'U', ip: null, userAgent: null },
    impersonator: null,
    action: 'user.signed_in',
    outcome: 'success',
    targets: [],
    source: 'api',
    requestId: null,
    changes: null,
    metadata: { b: 1, a: 2 },
  };

  it('is SHA-256 over 0x00 and the RFC 8785 canonical JSON (key order does not matter)', () => {
    const reordered = { ...body, metadata: { a: 2, b: 1 } };
    expect(leafHashOf(body)).toBe(leafHashOf(reordered));
    const canonical =
      '{"action":"user.signed_in","actor":{"id":"u","ip":null,"name":"U","type":"user","userAgent":null},"changes":null,"id":"0190","impersonator":null,"metadata":{"a":2,"b":1},"occurredAt":"2026-01-01T00:00:00.000Z","organizationId":"org","outcome":"success","receivedAt":"2026-01-01T00:00:00.000Z","requestId":null,"seq":1,"source":"api","targets":[]}';
    const expected = createHash('sha256')
      .update(Buffer.concat([Buffer.from([0]), Buffer.from(canonical)]))
      .digest('hex');
    expect(leafHashOf(body)).toBe(expected);
    expect(leafHashOf({ ...body, seq: 2 })).not.toBe(expected);
  });
});
