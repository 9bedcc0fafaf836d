import { describe, expect, it } from 'vitest';
import { formatDuration, formatLargeNumber } from './format';

describe('formatDuration', () => {
  it('says a span in words at two units at most', () => {
    expect(formatDuration(0)).toBe('under a second');
    expect(formatDuration(1)).toBe('1 second');
    expect(formatDuration(48)).toBe('48 seconds');
    expect(formatDuration(60)).toBe('1 minute');
    expect(formatDuration(888)).toBe('14 min 48 s');
    expect(formatDuration(7500)).toBe('2 h 5 min');
    expect(formatDuration(7200)).toBe('2 hours');
    expect(formatDuration(3 * 86_400 + 4 * 3600)).toBe('3 days 4 h');
  });
});

describe('formatLargeNumber', () => {
  it('keeps digits up to a million, then shortens', () => {
    expect(formatLargeNumber(64210)).toBe((64210).toLocaleString());
    expect(formatLargeNumber(1829320314)).toBe(
      new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 }).format(1829320314),
    );
  });
});
