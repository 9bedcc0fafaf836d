import { describe, expect, it } from 'vitest';
import {
  type AttemptsSummary,
  composeExplanation,
  countOf,
  describeAttempts,
  withoutLatestTail,
} from './attempts';
import { tallySources } from './sources-store';

const summary = (over: Partial<AttemptsSummary>): AttemptsSummary => ({
  type: 'brute_force_account',
  count: 46,
  origin: { ip: '203.0.113.9', country: 'RU', attempts: 40 },
  addresses: 3,
  addressedAttempts: 46,
  ...over,
});

describe('an event’s count in words', () => {
  it('says 1 attempt and 2 attempts, in the detector’s unit', () => {
    expect(countOf('brute_force_account', 1)).toBe('1 attempt');
    expect(countOf('brute_force_account', 2)).toBe('2 attempts');
    expect(countOf('new_country', 1)).toBe('1 sign-in');
    expect(countOf('data_exfiltration', 7)).toBe('7 exports');
  });

  it('names the first address with its own country and counts the others (issue 15)', () => {
    expect(describeAttempts(summary({}))).toMatch(
      /^In all, 46 attempts: 40 from 203\.0\.113\.9 in .+ \(RU\) and 6 from 2 other addresses\.$/,
    );
    expect(
      describeAttempts(
        summary({
          count: 12,
          origin: { ip: '203.0.113.9', country: null, attempts: 12 },
          addresses: 1,
          addressedAttempts: 12,
        }),
      ),
    ).toBe('In all, 12 attempts, all from 203.0.113.9 (country unknown).');
    expect(
      describeAttempts(
        summary({
          count: 1,
          origin: { ip: '192.0.2.1', country: null, attempts: 1 },
          addresses: 1,
          addressedAttempts: 1,
        }),
      ),
    ).toBe('In all, 1 attempt, from 192.0.2.1 (country unknown).');
  });

  it('says what had no recorded address, and stays quiet for one attempt with none', () => {
    expect(describeAttempts(summary({ count: 50, addressedAttempts: 46 }))).toMatch(
      / and 4 with no address on record\.$/,
    );
    expect(describeAttempts(summary({ count: 3, origin: null, addresses: 0, addressedAttempts: 0 }))).toBe(
      'In all, 3 attempts.',
    );
    expect(describeAttempts(summary({ count: 1, origin: null, addresses: 0, addressedAttempts: 0 }))).toBe(
      '',
    );
    expect(describeAttempts(summary({ origin: null, addresses: 2, addressedAttempts: 46 }))).toBe(
      'In all, 46 attempts: 46 from 2 addresses.',
    );
  });

  it('keeps the detector’s window sentence and drops a “latest from” tail that would contradict the first address', () => {
    expect(withoutLatestTail('12 failed sign-ins in 15 minutes (threshold 10), latest from 127.0.0.1.')).toBe(
      '12 failed sign-ins in 15 minutes (threshold 10).',
    );
    expect(withoutLatestTail('Sign-ins failed from 5 distinct IPs, latest from 2001:db8::1.')).toBe(
      'Sign-ins failed from 5 distinct IPs.',
    );
    expect(withoutLatestTail('Nothing to drop.')).toBe('Nothing to drop.');
    expect(
      composeExplanation(
        '46 failed sign-ins for Ada in 15 minutes (threshold 10), latest from 127.0.0.1.',
        summary({}),
      ),
    ).toMatch(
      /^46 failed sign-ins for Ada in 15 minutes \(threshold 10\)\. In all, 46 attempts: 40 from 203\.0\.113\.9/,
    );
    expect(
      composeExplanation(
        'The log was rolled back.',
        summary({ type: 'audit_tampering', count: 1, origin: null, addresses: 0, addressedAttempts: 0 }),
      ),
    ).toBe('The log was rolled back.');
  });
});

describe('sources from evidence', () => {
  const at = (m: number) => `2025-03-03T09:${String(m).padStart(2, '0')}:00.000Z`;
  const item = (id: string, ip: string | null, country: string | null, m: number) => ({
    auditEventId: id,
    seq: m,
    action: 'user.sign_in_failed',
    occurredAt: at(m),
    ip,
    country,
  });

  it('counts per IP, keeps each IP’s own country (the first known), and leaves out attempts without one', () => {
    const sources = tallySources([
      item('a', '203.0.113.9', null, 5),
      item('b', '203.0.113.9', 'RU', 1),
      item('c', '127.0.0.1', null, 9),
      item('d', null, 'NL', 3),
      item('e', '203.0.113.9', 'RU', 7),
    ]);
    expect(sources).toEqual([
      { ip: '203.0.113.9', country: 'RU', attempts: 3, firstSeenAt: at(1), lastSeenAt: at(7) },
      { ip: '127.0.0.1', country: null, attempts: 1, firstSeenAt: at(9), lastSeenAt: at(9) },
    ]);
  });
});
