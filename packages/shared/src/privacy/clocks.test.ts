import { describe, expect, it } from 'vitest';
import {
  addBusinessDays,
  addCalendarDays,
  addCalendarMonths,
  canExtend,
  dueAt,
  localDate,
  nextWorkingDay,
  REGIME_RULES,
  REGIMES,
  type RequestClockInput,
  reminderDates,
  requestClock,
} from './clocks';

const weekday = (date: string) => new Date(`${date}T12:00:00Z`).getUTCDay();
const gdpr = (over: Partial<RequestClockInput> = {}) =>
  requestClock({ regime: 'gdpr', receivedAt: '2025-01-31T10:00:00Z', timeZone: 'UTC', ...over });
const ccpa = (over: Partial<RequestClockInput> = {}) =>
  requestClock({
    regime: 'ccpa',
    receivedAt: '2025-01-10T10:00:00Z',
    timeZone: 'America/Los_Angeles',
    ...over,
  });

describe('addCalendarMonths', () => {
  it.each([
    ['2025-01-31', 1, '2025-02-28'],
    ['2028-01-31', 1, '2028-02-29'],
    ['2025-03-31', 1, '2025-04-30'],
    ['2025-08-31', 1, '2025-09-30'],
    ['2025-01-15', 1, '2025-02-15'],
    ['2025-12-31', 2, '2026-02-28'],
    ['2025-11-30', 3, '2026-02-28'],
    ['2028-02-29', 12, '2029-02-28'],
    ['2025-03-31', -1, '2025-02-28'],
    ['2025-05-17', 0, '2025-05-17'],
  ])('%s + %i months = %s', (date, months, expected) => {
    expect(addCalendarMonths(date, months)).toBe(expected);
  });

  it('counts from the original date, so two months from Jan 31 is Mar 31, not Mar 28', () => {
    expect(addCalendarMonths('2025-01-31', 2)).toBe('2025-03-31');
    expect(addCalendarMonths(addCalendarMonths('2025-01-31', 1), 1)).toBe('2025-03-28');
  });

  it.each(['2025-02-30', '2025-13-01', '2025-1-31', '31/01/2025', '2025-01-31T00:00:00Z', ''])(
    'rejects the malformed date %j',
    (date) => {
      expect(() => addCalendarMonths(date, 1)).toThrow(RangeError);
    },
  );

  it('rejects a fractional month count', () => {
    expect(() => addCalendarMonths('2025-01-31', 1.5)).toThrow(RangeError);
  });
});

describe('addCalendarDays', () => {
  it('crosses a leap day', () => {
    expect(addCalendarDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addCalendarDays('2025-02-28', 1)).toBe('2025-03-01');
    expect(addCalendarDays('2025-03-01', -1)).toBe('2025-02-28');
  });
});

describe('nextWorkingDay', () => {
  it('keeps a weekday and rolls Saturday and Sunday to Monday', () => {
    expect(nextWorkingDay('2025-02-28')).toBe('2025-02-28'); // Friday
    expect(nextWorkingDay('2025-03-01')).toBe('2025-03-03'); // Saturday
    expect(nextWorkingDay('2025-03-02')).toBe('2025-03-03'); // Sunday
  });

  it('skips holidays, including a run of them after a weekend', () => {
    const holidays = new Set(['2025-12-25', '2025-12-26', '2025-12-29']);
    expect(nextWorkingDay('2025-12-25', holidays)).toBe('2025-12-30');
    expect(nextWorkingDay('2025-12-24', holidays)).toBe('2025-12-24');
  });
});

describe('addBusinessDays', () => {
  it('does not count the start day and skips weekends', () => {
    expect(addBusinessDays('2025-01-10', 1)).toBe('2025-01-13'); // Fri + 1 = Mon
    expect(addBusinessDays('2025-01-10', 10)).toBe('2025-01-24');
    expect(addBusinessDays('2025-01-11', 10)).toBe('2025-01-24'); // from a Saturday
    expect(addBusinessDays('2025-01-10', 0)).toBe('2025-01-10');
  });

  it('skips holidays', () => {
    expect(addBusinessDays('2025-01-10', 10, new Set(['2025-01-20']))).toBe('2025-01-27');
  });

  it('rejects a negative count', () => {
    expect(() => addBusinessDays('2025-01-10', -1)).toThrow(RangeError);
  });
});

describe('localDate', () => {
  it("reads the instant in the organization's zone", () => {
    expect(localDate('2025-01-31T23:30:00Z', 'UTC')).toBe('2025-01-31');
    expect(localDate('2025-01-31T23:30:00Z', 'Europe/Berlin')).toBe('2025-02-01');
    expect(localDate('2025-02-01T03:00:00Z', 'America/Los_Angeles')).toBe('2025-01-31');
    expect(localDate('2025-01-31T18:45:00Z', 'Asia/Kolkata')).toBe('2025-02-01'); // +05:30
  });

  it('rejects an unknown zone and a non-instant', () => {
    expect(() => localDate('2025-01-31T10:00:00Z', 'Mars/Olympus')).toThrow(RangeError);
    expect(() => localDate('yesterday', 'UTC')).toThrow(RangeError);
    expect(() => localDate('2025-01-31', 'UTC')).toThrow(RangeError);
  });
});

describe('requestClock — GDPR', () => {
  it.each([
    ['2025-01-31', '2025-02-28'],
    ['2028-01-31', '2028-02-29'],
    ['2025-03-31', '2025-04-30'],
    ['2025-08-31', '2025-09-30'],
  ])('a request received on %s is due on %s', (received, due) => {
    const clock = gdpr({ receivedAt: `${received}T10:00:00Z` });
    expect(clock.startDate).toBe(received);
    expect(clock.dueDate).toBe(due);
    expect(clock.acknowledgeBy).toBeNull();
  });

  it('rolls a due date on Saturday or Sunday to Monday', () => {
    expect(gdpr({ receivedAt: '2025-02-01T10:00:00Z' }).dueDate).toBe('2025-03-03'); // Mar 1 is a Saturday
    expect(gdpr({ receivedAt: '2025-02-02T10:00:00Z' }).dueDate).toBe('2025-03-03'); // Mar 2 is a Sunday
    expect(weekday('2025-03-03')).toBe(1);
  });

  it('rolls past the holidays it is given', () => {
    const holidays = new Set(['2025-12-25', '2025-12-26']);
    expect(gdpr({ receivedAt: '2025-11-25T10:00:00Z' }).dueDate).toBe('2025-12-25');
    expect(gdpr({ receivedAt: '2025-11-25T10:00:00Z', holidays }).dueDate).toBe('2025-12-29');
  });

  it("reads receipt at 23:30 UTC on the 31st in the organization's zone", () => {
    const receivedAt = '2025-01-31T23:30:00Z';
    expect(gdpr({ receivedAt, timeZone: 'UTC' })).toMatchObject({
      startDate: '2025-01-31',
      dueDate: '2025-02-28',
    });
    // Already Feb 1 in Berlin: due Mar 1, a Saturday, so Monday Mar 3.
    expect(gdpr({ receivedAt, timeZone: 'Europe/Berlin' })).toMatchObject({
      startDate: '2025-02-01',
      dueDate: '2025-03-03',
    });
  });

  it('adds extensions to the receipt date in one step, not to an earlier due date', () => {
    expect(gdpr({ extensions: 0 }).dueDate).toBe('2025-02-28');
    expect(gdpr({ extensions: 1 }).dueDate).toBe('2025-03-31'); // chained would give Mar 28
    expect(gdpr({ extensions: 2 }).dueDate).toBe('2025-04-30'); // chained would give Apr 28
  });

  it('counts an extension from receipt, not from a due date that was rolled', () => {
    const clock = gdpr({ receivedAt: '2025-02-01T10:00:00Z', extensions: 1 });
    expect(clock.extensionNoticeBy).toBe('2025-03-03');
    expect(clock.dueDate).toBe('2025-04-01'); // not Apr 3
  });

  it('rolls an extended due date too', () => {
    // Received Fri 2025-05-30: one month + two = Sat 2025-08-30, so Monday Sep 1.
    expect(gdpr({ receivedAt: '2025-05-30T10:00:00Z', extensions: 2 }).dueDate).toBe('2025-09-01');
  });

  it('keeps the notice deadline at the unextended due date and shows the latest possible date', () => {
    for (const extensions of [0, 1, 2]) {
      const clock = gdpr({ extensions });
      expect(clock.extensionNoticeBy).toBe('2025-02-28');
      expect(clock.latestPossibleDueDate).toBe('2025-04-30');
    }
  });

  it('refuses more extensions than the law allows', () => {
    expect(() => gdpr({ extensions: 3 })).toThrow(RangeError);
    expect(() => gdpr({ extensions: -1 })).toThrow(RangeError);
    expect(() => gdpr({ extensions: 0.5 })).toThrow(RangeError);
  });
});

describe('requestClock — CCPA', () => {
  it('confirms receipt within 10 business days, over weekends and holidays', () => {
    expect(ccpa().acknowledgeBy).toBe('2025-01-24'); // received Friday Jan 10
    expect(ccpa({ receivedAt: '2025-01-11T18:00:00Z' }).acknowledgeBy).toBe('2025-01-24'); // Saturday
    expect(ccpa({ holidays: new Set(['2025-01-20']) }).acknowledgeBy).toBe('2025-01-27');
  });

  it('answers within 45 calendar days, or 90 with the extension, across a leap day', () => {
    const leap = { receivedAt: '2028-02-01T18:00:00Z' };
    expect(ccpa(leap)).toMatchObject({ dueDate: '2028-03-17', extensionNoticeBy: '2028-03-17' });
    expect(ccpa({ ...leap, extensions: 1 }).dueDate).toBe('2028-05-01');
    expect(ccpa(leap).latestPossibleDueDate).toBe('2028-05-01');
    expect(ccpa({ receivedAt: '2025-02-01T18:00:00Z' }).dueDate).toBe('2025-03-18');
    expect(ccpa({ receivedAt: '2025-02-01T18:00:00Z', extensions: 1 }).dueDate).toBe('2025-05-02');
  });

  it('does not roll a due date that falls on a weekend or holiday', () => {
    const clock = ccpa({ receivedAt: '2025-01-15T18:00:00Z', holidays: new Set(['2025-03-01']) });
    expect(clock.dueDate).toBe('2025-03-01');
    expect(weekday(clock.dueDate)).toBe(6);
  });

  it("reads receipt in the organization's zone", () => {
    // 03:00 UTC Feb 1 is still Jan 31 in Los Angeles.
    expect(ccpa({ receivedAt: '2025-02-01T03:00:00Z' }).startDate).toBe('2025-01-31');
  });

  it('allows one extension only', () => {
    expect(() => ccpa({ extensions: 2 })).toThrow(RangeError);
  });
});

describe('requestClock — waiting for verification', () => {
  const verifiedAt = '2025-02-10T09:00:00Z';

  it('starts at receipt by default under both regimes, verified or not', () => {
    expect(gdpr({ verifiedAt }).startDate).toBe('2025-01-31');
    expect(ccpa({ verifiedAt }).startDate).toBe('2025-01-10');
    expect(REGIMES.every((r) => REGIME_RULES[r].clockWaitsForVerification === false)).toBe(true);
  });

  it('starts at the verification date when the organization waits for it', () => {
    const clock = gdpr({ verifiedAt, clockWaitsForVerification: true });
    expect(clock).toMatchObject({
      startDate: '2025-02-10',
      dueDate: '2025-03-10',
      waitingForVerification: false,
    });
    expect(clock.extensionNoticeBy).toBe('2025-03-10');
  });

  it('reads the verification instant in the organization zone', () => {
    const clock = gdpr({
      verifiedAt: '2025-03-09T23:30:00Z',
      clockWaitsForVerification: true,
      timeZone: 'Europe/Berlin',
    });
    expect(clock.startDate).toBe('2025-03-10');
  });

  it('counts from receipt, flagged as waiting, until verification arrives', () => {
    const clock = gdpr({ verifiedAt: null, clockWaitsForVerification: true });
    expect(clock).toMatchObject({
      startDate: '2025-01-31',
      dueDate: '2025-02-28',
      waitingForVerification: true,
    });
    expect(gdpr({ verifiedAt: null }).waitingForVerification).toBe(false);
  });

  it('never lets a verification stamped before receipt pull the clock earlier', () => {
    expect(gdpr({ verifiedAt: '2025-01-20T10:00:00Z', clockWaitsForVerification: true }).startDate).toBe(
      '2025-01-31',
    );
  });

  it('still counts the CCPA acknowledgement from receipt when the clock waits', () => {
    const clock = ccpa({ verifiedAt, clockWaitsForVerification: true });
    expect(clock.startDate).toBe('2025-02-10');
    expect(clock.dueDate).toBe('2025-03-27');
    expect(clock.acknowledgeBy).toBe('2025-01-24');
  });
});

describe('dueAt', () => {
  it.each([
    ['2025-02-28', 'UTC', '2025-02-28T23:59:59.999Z'],
    ['2025-02-28', 'Europe/Berlin', '2025-02-28T22:59:59.999Z'],
    ['2025-07-15', 'Europe/Berlin', '2025-07-15T21:59:59.999Z'],
    ['2025-03-30', 'Europe/Berlin', '2025-03-30T21:59:59.999Z'], // spring forward that day
    ['2025-10-26', 'Europe/Berlin', '2025-10-26T22:59:59.999Z'], // fall back that day
    ['2025-03-09', 'America/New_York', '2025-03-10T03:59:59.999Z'],
    ['2025-11-02', 'America/New_York', '2025-11-03T04:59:59.999Z'],
    ['2025-02-28', 'Asia/Kolkata', '2025-02-28T18:29:59.999Z'],
  ])('ends %s in %s at %s', (date, zone, expected) => {
    expect(dueAt(date, zone)).toBe(expected);
  });

  // Zones whose DST change happens at midnight, and odd offsets, checked against the zone itself.
  it.each([
    ['2025-09-06', 'America/Santiago'],
    ['2025-04-05', 'America/Santiago'],
    ['2025-09-07', 'America/Santiago'],
    ['2025-03-29', 'Europe/Berlin'],
    ['2025-04-05', 'Australia/Lord_Howe'],
    ['2025-09-27', 'Pacific/Chatham'],
    ['2025-06-30', 'Asia/Kathmandu'],
  ])('returns the last millisecond of %s in %s', (date, zone) => {
    const end = dueAt(date, zone);
    expect(localDate(end, zone)).toBe(date);
    expect(localDate(new Date(Date.parse(end) + 1).toISOString(), zone)).toBe(addCalendarDays(date, 1));
  });
});

describe('reminderDates', () => {
  it('defaults to 7 and 2 days before, earliest first', () => {
    expect(reminderDates('2025-03-03')).toEqual(['2025-02-24', '2025-03-01']);
  });

  it('sorts and drops repeats', () => {
    expect(reminderDates('2028-03-01', [1, 14, 1, 0])).toEqual(['2028-02-16', '2028-02-29', '2028-03-01']);
  });

  it('rejects negative offsets', () => {
    expect(() => reminderDates('2025-03-03', [-1])).toThrow(RangeError);
  });
});

describe('canExtend', () => {
  const clock = gdpr(); // notice by 2025-02-28

  it('allows an extension up to and including the notice deadline', () => {
    expect(canExtend('gdpr', 0, '2025-02-01', clock)).toEqual({ ok: true });
    expect(canExtend('gdpr', 0, '2025-02-28', clock)).toEqual({ ok: true });
    expect(canExtend('gdpr', 1, '2025-02-28', clock)).toEqual({ ok: true });
  });

  it('refuses after the notice deadline, including a second GDPR month', () => {
    expect(canExtend('gdpr', 0, '2025-03-01', clock)).toEqual({ ok: false, reason: 'notice_period_over' });
    expect(canExtend('gdpr', 1, '2025-03-15', clock)).toEqual({ ok: false, reason: 'notice_period_over' });
  });

  it('refuses past the maximum, reporting that before the notice period', () => {
    expect(canExtend('gdpr', 2, '2025-02-01', clock)).toEqual({ ok: false, reason: 'max_extensions' });
    expect(canExtend('gdpr', 2, '2025-06-01', clock)).toEqual({ ok: false, reason: 'max_extensions' });
    const c = ccpa();
    expect(canExtend('ccpa', 0, c.extensionNoticeBy, c)).toEqual({ ok: true });
    expect(canExtend('ccpa', 1, '2025-01-11', c)).toEqual({ ok: false, reason: 'max_extensions' });
    expect(canExtend('ccpa', 0, addCalendarDays(c.extensionNoticeBy, 1), c)).toEqual({
      ok: false,
      reason: 'notice_period_over',
    });
  });

  it('rejects a malformed date', () => {
    expect(() => canExtend('gdpr', 0, '28/02/2025', clock)).toThrow(RangeError);
  });
});

describe('REGIME_RULES', () => {
  it('encodes the statutory periods with their sources', () => {
    expect(REGIME_RULES.gdpr).toMatchObject({
      source: 'GDPR Art. 12(3)',
      acknowledgeWithinBusinessDays: null,
      answer: { kind: 'calendar_months', months: 1 },
      extension: { kind: 'calendar_months', max: 2 },
      maxExtensions: 2,
      rollsToWorkingDay: true,
    });
    expect(REGIME_RULES.ccpa).toMatchObject({
      acknowledgeWithinBusinessDays: 10,
      answer: { kind: 'calendar_days', days: 45 },
      extension: { kind: 'calendar_days', days: 45, max: 1 },
      maxExtensions: 1,
      rollsToWorkingDay: false,
    });
    expect(REGIME_RULES.ccpa.source).toContain('1798.130(a)(2)');
    expect(REGIME_RULES.ccpa.source).toContain('§7021');
    for (const r of REGIMES)
      expect(REGIME_RULES[r].clockWaitsForVerificationSource.length).toBeGreaterThan(40);
  });
});
