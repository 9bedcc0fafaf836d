import { describe, expect, it } from 'vitest';
import { intervalSummary, isHttpUrl, looksLikeEmail, routingSummary } from './routing';

const off = { enabled: false, minIntervalMinutes: 60 };

describe('routingSummary', () => {
  it('says what a channel receives in one line', () => {
    expect(routingSummary({ minSeverity: 'high', types: null, digestLow: true, checkpoints: off })).toBe(
      'High and above · all types · low in hourly digest',
    );
    expect(
      routingSummary({ minSeverity: 'low', types: ['brute_force_ip'], digestLow: false, checkpoints: off }),
    ).toBe('Every severity · Brute force (IP)');
    expect(
      routingSummary({
        minSeverity: 'critical',
        types: ['new_device', 'new_country', 'off_hours'],
        digestLow: false,
        checkpoints: off,
      }),
    ).toBe('Critical and above · 3 types');
    expect(
      routingSummary({
        minSeverity: 'high',
        types: null,
        digestLow: false,
        checkpoints: { enabled: true, minIntervalMinutes: 60 },
      }),
    ).toBe('High and above · all types · audit checkpoints hourly');
  });

  it('says how often checkpoints go', () => {
    expect([0, 15, 60, 360, 1440, 90].map(intervalSummary)).toEqual([
      'each one',
      'every 15 min',
      'hourly',
      'every 6 h',
      'daily',
      'every 90 min',
    ]);
  });

  it('checks addresses loosely', () => {
    expect(looksLikeEmail('sec@example.com')).toBe(true);
    expect(looksLikeEmail('nope')).toBe(false);
    expect(isHttpUrl('https://hooks.example.com/x')).toBe(true);
    expect(isHttpUrl('ftp://example.com')).toBe(false);
  });
});
