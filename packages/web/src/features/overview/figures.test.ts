import type { SecurityEventOut } from '@custos/shared';
import { describe, expect, it } from 'vitest';
import {
  itemsToImprove,
  mergeFeed,
  percent,
  scoreColor,
  severitySlices,
  signInTotals,
  topCountries,
} from './figures';
import { openEventsLink } from './links';

function securityEvent(id: string, lastSeenAt: string, updatedAt = lastSeenAt): SecurityEventOut {
  return {
    id,
    type: 'brute_force_account',
    severity: 'high',
    status: 'open',
    subject: { type: 'user', id: 'u1', label: 'Ada' },
    sourceIp: '203.0.113.9',
    country: 'DE',
    explanation: 'Many failed sign-ins.',
    details: {},
    count: 1,
    firstSeenAt: lastSeenAt,
    lastSeenAt,
    assignee: null,
    createdAt: lastSeenAt,
    updatedAt,
  };
}

describe('mergeFeed', () => {
  it('puts a pushed event on top and keeps one entry per event, its latest version', () => {
    const recent = [
      securityEvent('a', '2025-01-01T10:00:00.000Z'),
      securityEvent('b', '2025-01-01T09:00:00.000Z'),
    ];
    const repeatedB = { ...securityEvent('b', '2025-01-01T11:00:00.000Z'), count: 4 };
    const raisedC = securityEvent('c', '2025-01-01T12:00:00.000Z');
    const feed = mergeFeed(recent, [raisedC, repeatedB], 10);
    expect(feed.map((event) => event.id)).toEqual(['c', 'b', 'a']);
    expect(feed[1]?.count).toBe(4);
  });

  it('keeps the refetched version when it is newer than the pushed one', () => {
    const pushed = securityEvent('a', '2025-01-01T10:00:00.000Z');
    const refetched = {
      ...securityEvent('a', '2025-01-01T10:00:00.000Z', '2025-01-01T10:05:00.000Z'),
      status: 'resolved' as const,
    };
    expect(mergeFeed([refetched], [pushed], 10)[0]?.status).toBe('resolved');
  });

  it('cuts the feed to its length', () => {
    const many = Array.from({ length: 20 }, (_, i) =>
      securityEvent(`e${i}`, new Date(Date.UTC(2025, 0, 1, i)).toISOString()),
    );
    const feed = mergeFeed(many, [], 5);
    expect(feed).toHaveLength(5);
    expect(feed[0]?.id).toBe('e19');
  });
});

describe('figures', () => {
  it('lists the items missing most points first and leaves out full ones', () => {
    const items = [
      { key: 'a', title: 'A', advice: '', points: 10, maxPoints: 10, link: null },
      { key: 'b', title: 'B', advice: '', points: 5, maxPoints: 10, link: null },
      { key: 'c', title: 'C', advice: '', points: 0, maxPoints: 20, link: '/settings/security' },
    ];
    expect(itemsToImprove(items).map((item) => item.key)).toEqual(['c', 'b']);
  });

  it('orders severities highest first with their counts', () => {
    const slices = severitySlices({ low: 1, medium: 2, high: 3, critical: 4 });
    expect(slices.map((slice) => [slice.severity, slice.value])).toEqual([
      ['critical', 4],
      ['high', 3],
      ['medium', 2],
      ['low', 1],
    ]);
  });

  it('names the busiest countries and the unknown ones', () => {
    const bars = topCountries(
      [
        { country: 'FR', count: 2 },
        { country: null, count: 1 },
        { country: 'DE', count: 9 },
      ],
      2,
    );
    expect(bars.map((bar) => bar.code)).toEqual(['DE', 'FR']);
    expect(bars[0]?.country).not.toBe('');
    expect(topCountries([{ country: null, count: 3 }])[0]?.country).toBe('Unknown');
  });

  it('adds up sign-ins and shares', () => {
    expect(
      signInTotals([
        { at: '2025-01-01T10:00:00.000Z', failed: 2, succeeded: 5 },
        { at: '2025-01-01T11:00:00.000Z', failed: 1, succeeded: 0 },
      ]),
    ).toEqual({ failed: 3, succeeded: 5 });
    expect(percent(1, 3)).toBe(33);
    expect(percent(0, 0)).toBe(0);
    expect(scoreColor(85)).toBe('teal');
    expect(scoreColor(60)).toBe('yellow');
    expect(scoreColor(10)).toBe('red');
  });

  it('links a severity to its open events', () => {
    expect(openEventsLink('critical')).toBe('/security/events?severity=critical&status=open');
  });
});
