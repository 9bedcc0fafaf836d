import type { SecurityEventEvidence } from '@custos/shared';
import { describe, expect, it } from 'vitest';
import {
  accountLabel,
  auditLogLink,
  countryText,
  groupByIp,
  inAuditLog,
  moreSources,
  otherSources,
} from './evidence';
import { countLabel, plural, reasonLabel } from './labels';

let seq = 100;
const attempt = (
  ip: string | null,
  at: string,
  over: Partial<SecurityEventEvidence> = {},
): SecurityEventEvidence => {
  seq += 1;
  return {
    auditEventId: `01900000-0000-7000-8000-${String(seq).padStart(12, '0')}`,
    seq,
    action: 'user.sign_in_failed',
    occurredAt: at,
    ip,
    country: null,
    device: 'Chrome on macOS',
    account: { kind: 'user', id: 'u1', name: 'Ada' },
    outcome: 'failed',
    reason: 'bad_password',
    ...over,
  };
};

describe('event counts in words', () => {
  it('says one number with the right plural, never "1 signals"', () => {
    expect(countLabel('brute_force_account', 1)).toBe('1 attempt');
    expect(countLabel('brute_force_account', 2)).toBe('2 attempts');
    expect(countLabel('brute_force_ip', 1204)).toBe(`${(1204).toLocaleString()} attempts`);
    expect(countLabel('new_device', 1)).toBe('1 sign-in');
    expect(countLabel('data_exfiltration', 3)).toBe('3 exports');
    expect(countLabel('audit_tampering', 1)).toBe('1 alarm');
    // A detector this console does not know yet still reads as a plain count.
    expect(countLabel('future_detector', 2)).toBe('2 events');
    expect(plural(0, ['address', 'addresses'])).toBe('0 addresses');
  });

  it('puts recorded reasons in words and leaves others as they are', () => {
    expect(reasonLabel('bad_password')).toBe('Wrong password');
    expect(reasonLabel('unknown_user')).toBe('No such account');
    expect(reasonLabel('rate_limited')).toBe('Rate limited');
    expect(reasonLabel('security:manage')).toBe('security:manage');
  });
});

describe('evidence in place', () => {
  it('groups attempts by IP, most first, each address with its own country; no address last', () => {
    const evidence = [
      attempt('198.51.100.7', '2025-03-03T09:05:00.000Z'),
      attempt('203.0.113.9', '2025-03-03T09:04:00.000Z', { country: 'RU' }),
      attempt(null, '2025-03-03T09:03:30.000Z'),
      attempt('203.0.113.9', '2025-03-03T09:03:00.000Z'),
      attempt('203.0.113.9', '2025-03-03T09:02:00.000Z', { country: 'RU' }),
    ];
    const groups = groupByIp(evidence);
    expect(groups.map((g) => [g.ip, g.country, g.items.length])).toEqual([
      ['203.0.113.9', 'RU', 3],
      ['198.51.100.7', null, 1],
      [null, null, 1],
    ]);
    expect(groups[0]).toMatchObject({
      firstAt: '2025-03-03T09:02:00.000Z',
      lastAt: '2025-03-03T09:04:00.000Z',
    });
  });

  it('breaks a tie between addresses by who came first', () => {
    const groups = groupByIp([
      attempt('192.0.2.2', '2025-03-03T09:05:00.000Z'),
      attempt('192.0.2.1', '2025-03-03T09:01:00.000Z'),
    ]);
    expect(groups.map((g) => g.ip)).toEqual(['192.0.2.1', '192.0.2.2']);
  });

  it('opens the audit log on exactly the listed events, leaving out refusals not stored alone', () => {
    const a = attempt('203.0.113.9', '2025-03-03T09:02:00.000Z');
    const b = attempt('203.0.113.9', '2025-03-03T09:03:00.000Z');
    const refused = attempt('203.0.113.9', '2025-03-03T09:04:00.000Z', { seq: 0, reason: 'rate_limited' });
    expect(inAuditLog(refused)).toBe(false);
    const link = auditLogLink([a, b, refused, a]);
    expect(link).not.toBeNull();
    const params = new URL(link ?? '', 'https://custos.example').searchParams;
    expect(params.get('ids')?.split(',')).toEqual([a.auditEventId, b.auditEventId]);
    expect(auditLogLink([refused])).toBeNull();
  });

  it('never names an account by e-mail address', () => {
    expect(accountLabel({ kind: 'user', id: 'u1', name: 'Ada Lovelace' })).toBe('Ada Lovelace');
    expect(accountLabel({ kind: 'unknown_address' })).toBe('Unknown address');
    expect(accountLabel({ kind: 'user', id: '01900000-aaaa', name: null })).toBe('Member 01900000');
    expect(accountLabel(null)).toBe('—');
  });

  it('writes countries as text, not flags', () => {
    expect(countryText('ru')).toMatch(/\(RU\)$/);
    expect(countryText('RU')).not.toMatch(/[\u{1F1E6}-\u{1F1FF}]/u);
    expect(countryText(null)).toBe('Unknown');
  });

  it('counts the addresses beyond those listed and beside the one shown', () => {
    const source = { ip: '192.0.2.1', country: null, attempts: 1, firstSeenAt: 'a', lastSeenAt: 'a' };
    expect(moreSources({ sources: Array(10).fill(source), sourceCount: 13 })).toBe(3);
    expect(moreSources({ sources: [source], sourceCount: 1 })).toBe(0);
    // Payloads from before sources existed carry none.
    expect(moreSources({})).toBe(0);
    expect(otherSources({ sourceIp: '192.0.2.1', sourceCount: 3 })).toBe(2);
    expect(otherSources({ sourceIp: null, sourceCount: 0 })).toBe(0);
  });
});
