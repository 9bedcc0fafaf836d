import { describe, expect, it } from 'vitest';
import { isHttpUrl, looksLikeEmail, routingSummary } from './routing';

describe('routingSummary', () => {
  it('says what a channel receives in one line', () => {
    expect(routingSummary({ minSeverity: 'high', types: null, digestLow: true })).toBe(
      'High and above · all types · low in hourly digest',
    );
    expect(routingSummary({ minSeverity: 'low', types: ['brute_force_ip'], digestLow: false })).toBe(
      'Every severity · Brute force (IP)',
    );
    expect(
      routingSummary({
        minSeverity: 'critical',
        types: ['new_device', 'new_country', 'off_hours'],
        digestLow: false,
      }),
    ).toBe('Critical and above · 3 types');
  });

  it('checks addresses loosely', () => {
    expect(looksLikeEmail('sec@example.com')).toBe(true);
    expect(looksLikeEmail('nope')).toBe(false);
    expect(isHttpUrl('https://hooks.example.com/x')).toBe(true);
    expect(isHttpUrl('ftp://example.com')).toBe(false);
  });
});
