import { describe, expect, it } from 'vitest';
import { parseReminderDays } from './reminderDays';

describe('reminder days as typed', () => {
  it('keeps whole days from 1 to 60, largest first, once each', () => {
    expect(parseReminderDays(['2', '7', ' 7 '])).toEqual({ ok: true, days: [7, 2] });
    expect(parseReminderDays([])).toEqual({ ok: true, days: [] });
  });

  it('says which entry is wrong', () => {
    expect(parseReminderDays(['7', 'a week'])).toEqual({
      ok: false,
      problem: '“a week” is not a number of days from 1 to 60',
    });
    expect(parseReminderDays(['0']).ok).toBe(false);
    expect(parseReminderDays(['61']).ok).toBe(false);
    expect(parseReminderDays(['1.5']).ok).toBe(false);
  });
});
