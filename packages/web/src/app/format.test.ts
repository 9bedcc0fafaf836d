import { afterEach, describe, expect, it } from 'vitest';
import {
  displayTimeZone,
  formatDate,
  formatDateTime,
  formatDuration,
  formatHour,
  formatLargeNumber,
  formatShortDate,
  formatTime,
  formatTimestamp,
  formatZoneName,
  isKnownTimeZone,
  setDisplayTimeZone,
  VIEWER_TIME_ZONE,
} from './format';

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

describe('display time zone', () => {
  // 12:00 UTC on a summer and a winter day: Berlin is UTC+2 (CEST) then, UTC+1 (CET) now.
  const summer = '2026-07-01T12:00:00Z';
  const winter = '2026-01-15T12:00:00Z';

  afterEach(() => setDisplayTimeZone(VIEWER_TIME_ZONE));

  it("starts in the viewer's zone", () => {
    expect(displayTimeZone()).toBe(VIEWER_TIME_ZONE);
  });

  it('labels UTC times as UTC', () => {
    setDisplayTimeZone('UTC');
    expect(formatDateTime(summer)).toMatch(/12:00/);
    expect(formatDateTime(summer)).toMatch(/\bUTC\b/);
    expect(formatTimestamp(summer)).toMatch(/12:00:00.*UTC/);
    expect(formatTime(summer)).toMatch(/12:00:00.*UTC/);
    expect(formatZoneName()).toBe('UTC');
  });

  it("switches to the organization's zone, daylight saving included", () => {
    setDisplayTimeZone('Europe/Berlin');
    expect(displayTimeZone()).toBe('Europe/Berlin');
    expect(formatTime(summer)).toMatch(/0?2:00:00|14:00:00/);
    expect(formatTime(summer)).toMatch(/GMT\+2|CEST/);
    expect(formatTime(winter)).toMatch(/0?1:00:00|13:00:00/);
    expect(formatTime(winter)).toMatch(/GMT\+1|CET/);
    expect(formatZoneName(new Date(summer))).toMatch(/GMT\+2|CEST/);
    expect(formatZoneName(new Date(winter))).toMatch(/GMT\+1|CET/);
  });

  it('puts times near midnight on the right day in each zone', () => {
    const late = '2026-03-10T23:30:00Z';
    setDisplayTimeZone('UTC');
    expect(formatDate(late)).toMatch(/10/);
    setDisplayTimeZone('Asia/Tokyo');
    expect(formatDate(late)).toMatch(/11/);
    expect(formatHour(late)).toMatch(/^0?8\b|^8 AM$/);
    setDisplayTimeZone('America/New_York');
    expect(formatHour(late)).toMatch(/^0?7\b|^7 PM$/);
  });

  it('shows the year only when it is not the current one in the display zone', () => {
    setDisplayTimeZone('UTC');
    // 23:30 UTC on New Year's Eve is already next year in Tokyo.
    const now = new Date('2026-12-31T23:30:00Z');
    expect(formatShortDate('2026-06-01T00:00:00Z', now)).not.toMatch(/2026/);
    setDisplayTimeZone('Asia/Tokyo');
    expect(formatShortDate('2026-06-01T00:00:00Z', now)).toMatch(/2026/);
  });

  it("falls back to the viewer's zone for a zone this browser lacks", () => {
    setDisplayTimeZone('Mars/Olympus');
    expect(displayTimeZone()).toBe(VIEWER_TIME_ZONE);
    expect(isKnownTimeZone('Mars/Olympus')).toBe(false);
    expect(isKnownTimeZone('Europe/Berlin')).toBe(true);
  });

  it('leaves a value that is not a time as it is', () => {
    expect(formatDateTime('not a time')).toBe('not a time');
    expect(formatHour('')).toBe('');
  });
});
