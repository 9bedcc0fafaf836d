/**
 * Statutory clocks for privacy requests. Pure functions over calendar dates (`YYYY-MM-DD`) in the
 * organization's time zone, so the server, the console and tests agree on every deadline.
 *
 * Dates are plain strings on purpose: a deadline is a day in a place, not an instant. Only dueAt
 * turns a day into an instant, using the zone's own rules (DST included).
 */

export const REGIMES = ['gdpr', 'ccpa'] as const;
export type Regime = (typeof REGIMES)[number];

export type ClockPeriod =
  | { kind: 'calendar_months'; months: number }
  | { kind: 'calendar_days'; days: number };
export type ClockExtension = ClockPeriod & { max: number };

export type RegimeRules = {
  name: string;
  source: string;
  /** Business days to confirm receipt, counted from the day of receipt; null when the law sets none. */
  acknowledgeWithinBusinessDays: number | null;
  answer: ClockPeriod;
  /** One extension adds this period; `max` extensions at most. */
  extension: ClockExtension;
  /** Same as extension.max, for readers that only need the count. */
  maxExtensions: number;
  /** The requester must be told of an extension before the unextended period ends. */
  extensionNoticeWithinFirstPeriod: true;
  /** Whether a deadline falling on a weekend or holiday moves to the next working day. */
  rollsToWorkingDay: boolean;
  rollsToWorkingDaySource: string;
  /** Default only: organizations may override it, so requestClock takes it as an option. */
  clockWaitsForVerification: boolean;
  clockWaitsForVerificationSource: string;
};

export const REGIME_RULES: Record<Regime, RegimeRules> = {
  gdpr: {
    name: 'GDPR',
    source: 'GDPR Art. 12(3)',
    acknowledgeWithinBusinessDays: null,
    answer: { kind: 'calendar_months', months: 1 },
    // "may be extended by two further months": counted as up to two one-month extensions, each
    // added to the receipt date (one month + n months), never to a rolled or extended due date.
    extension: { kind: 'calendar_months', months: 1, max: 2 },
    maxExtensions: 2,
    extensionNoticeWithinFirstPeriod: true,
    rollsToWorkingDay: true,
    rollsToWorkingDaySource:
      'Regulation (EEC, Euratom) No 1182/71 on periods, dates and time limits, Art. 3(2)(c) and 3(4), the general EU rule for counting periods in EU acts (GDPR itself has none): a month ends on the same-numbered day, or on the last day of a shorter month; a period ending on a Saturday, Sunday or public holiday ends on the next working day. Holidays are those where the act is done (Art. 2(1)), so the organization supplies them.',
    clockWaitsForVerification: false,
    clockWaitsForVerificationSource:
      'GDPR Art. 12(3) counts from "receipt of the request". EDPB Guidelines 01/2022 on the right of access (timing section, read with Art. 12(6)) keep receipt as the start and allow at most a pause while the controller, having asked promptly, waits for information it needs to identify the requester. So by default the clock starts at receipt; an organization that waits on verification opts in, and should only do so when it really needs more to identify the requester.',
  },
  ccpa: {
    name: 'CCPA / CPRA',
    source: 'Cal. Civ. Code §1798.130(a)(2) and CCPA Regs. 11 CCR §7021',
    acknowledgeWithinBusinessDays: 10,
    answer: { kind: 'calendar_days', days: 45 },
    extension: { kind: 'calendar_days', days: 45, max: 1 },
    maxExtensions: 1,
    extensionNoticeWithinFirstPeriod: true,
    rollsToWorkingDay: false,
    rollsToWorkingDaySource:
      '11 CCR §7021(b) sets "45 calendar days after receipt" and "a maximum total of 90 calendar days from the day the request is received", with no weekend or holiday rule. Cal. Civ. Code §§10–11 may let an act due on a holiday be done the next business day, but a deadline tool should not lean on that: we show the earlier, calendar-day date.',
    clockWaitsForVerification: false,
    clockWaitsForVerificationSource:
      '11 CCR §7021(b): the 45-day period begins on the day the business receives the request, "regardless of time required to verify the request"; Cal. Civ. Code §1798.130(a)(2)(A) says verifying shall not extend the duty to respond within 45 days of receipt.',
  },
};

// ---------------------------------------------------------------------------------------------
// Calendar dates

const DAY_MS = 86_400_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

function utcMs(year: number, month: number, day: number): number {
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 onto 1900–1999.
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return d.getTime();
}

function parseDate(date: string): { year: number; month: number; day: number } {
  const m = DATE_RE.exec(date);
  if (m) {
    const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)) return { year, month, day };
  }
  throw new RangeError(`Expected a calendar date YYYY-MM-DD, got "${date}"`);
}

function formatDate(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

function daysInMonth(year: number, month: number): number {
  return new Date(utcMs(year, month + 1, 0)).getUTCDate();
}

function requireInteger(name: string, n: number, min = Number.NEGATIVE_INFINITY): void {
  if (!Number.isInteger(n) || n < min) throw new RangeError(`${name} must be an integer ≥ ${min}, got ${n}`);
}

export function isCalendarDate(s: string): boolean {
  try {
    parseDate(s);
    return true;
  } catch {
    return false;
  }
}

export function addCalendarDays(date: string, days: number): string {
  requireInteger('days', days);
  const { year, month, day } = parseDate(date);
  return formatDate(utcMs(year, month, day) + days * DAY_MS);
}

/**
 * Same day-of-month `months` later; the last day of the target month when that day does not exist
 * (Jan 31 + 1 = Feb 28, or Feb 29 in a leap year). Always count from the original date: adding
 * 1 then 1 again can land earlier (Jan 31 → Feb 28 → Mar 28) than adding 2 (Mar 31).
 */
export function addCalendarMonths(date: string, months: number): string {
  requireInteger('months', months);
  const { year, month, day } = parseDate(date);
  const index = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(index / 12);
  const targetMonth = index - targetYear * 12 + 1;
  return formatDate(utcMs(targetYear, targetMonth, Math.min(day, daysInMonth(targetYear, targetMonth))));
}

export function isWorkingDay(date: string, holidays?: ReadonlySet<string>): boolean {
  const { year, month, day } = parseDate(date);
  const weekday = new Date(utcMs(year, month, day)).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !holidays?.has(date);
}

/** The date itself if Monday–Friday and not a holiday, else the next such day. */
export function nextWorkingDay(date: string, holidays?: ReadonlySet<string>): string {
  let d = date;
  while (!isWorkingDay(d, holidays)) d = addCalendarDays(d, 1);
  return d;
}

/**
 * The `days`-th working day after `date`, not counting `date` itself (Friday + 1 = Monday).
 * Zero returns `date` unchanged.
 */
export function addBusinessDays(date: string, days: number, holidays?: ReadonlySet<string>): string {
  requireInteger('days', days, 0);
  let d = date;
  parseDate(d);
  for (let left = days; left > 0; ) {
    d = addCalendarDays(d, 1);
    if (isWorkingDay(d, holidays)) left -= 1;
  }
  return d;
}

// ---------------------------------------------------------------------------------------------
// Time zones

const partsFormatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = partsFormatters.get(timeZone);
  if (!f) {
    // Throws RangeError for an unknown zone, which is what callers should see.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    partsFormatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock time in `timeZone` at instant `ms`, expressed as if it were UTC. */
function wallClockMs(ms: number, timeZone: string): number {
  const p: Record<string, number> = {};
  for (const part of partsFormatter(timeZone).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  const date = utcMs(p.year ?? 0, p.month ?? 1, p.day ?? 1);
  return (
    date +
    ((p.hour ?? 0) * 3600 + (p.minute ?? 0) * 60 + (p.second ?? 0)) * 1000 +
    (((ms % 1000) + 1000) % 1000)
  );
}

function parseInstant(instant: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(instant) ? Date.parse(instant) : Number.NaN;
  if (Number.isNaN(ms)) throw new RangeError(`Expected an ISO 8601 instant, got "${instant}"`);
  return ms;
}

/** The calendar date of `instant` in `timeZone`. */
export function localDate(instant: string, timeZone: string): string {
  return formatDate(wallClockMs(parseInstant(instant), timeZone));
}

/**
 * The ISO instant of the last millisecond of `dueDate` in `timeZone` (23:59:59.999 local, or the
 * last moment of that day when a DST change falls on it or at its midnight).
 */
export function dueAt(dueDate: string, timeZone: string): string {
  const wall = wallMidnightAfter(dueDate);
  // The day ends at the first instant whose wall clock reads the next day's midnight or later.
  // Try the offsets in force a day either side: one of them is the offset at that boundary.
  const candidates = [
    wall - offsetAt(wall - DAY_MS, timeZone),
    wall - offsetAt(wall + DAY_MS, timeZone),
  ].filter((t) => wallClockMs(t, timeZone) >= wall);
  // Neither fits only if the zone changed offset twice within two days; take the boundary's own.
  const end = candidates.length > 0 ? Math.min(...candidates) : wall - offsetAt(wall, timeZone);
  return new Date(end - 1).toISOString();
}

function wallMidnightAfter(date: string): number {
  const { year, month, day } = parseDate(date);
  return utcMs(year, month, day) + DAY_MS;
}

function offsetAt(ms: number, timeZone: string): number {
  return wallClockMs(ms, timeZone) - ms;
}

/** Reminder dates `daysBefore` calendar days ahead of the due date, earliest first, without repeats. */
export function reminderDates(dueDate: string, daysBefore: readonly number[] = [7, 2]): string[] {
  for (const n of daysBefore) requireInteger('daysBefore', n, 0);
  const unique = [...new Set(daysBefore)].sort((a, b) => b - a);
  return unique.map((n) => addCalendarDays(dueDate, -n));
}

// ---------------------------------------------------------------------------------------------
// Request clocks

export type RequestClockInput = {
  regime: Regime;
  /** ISO instant the request arrived. */
  receivedAt: string;
  /** IANA zone of the organization; every returned date is a day there. */
  timeZone: string;
  /** ISO instant the requester's identity was verified, if it has been. */
  verifiedAt?: string | null;
  /** Overrides the regime default (REGIME_RULES[regime].clockWaitsForVerification). */
  clockWaitsForVerification?: boolean;
  /** Extensions granted so far: GDPR 0..2 (one month each), CCPA 0..1 (45 days). */
  extensions?: number;
  /** Public holidays (YYYY-MM-DD) where the organization acts. */
  holidays?: ReadonlySet<string>;
};

export type RequestClock = {
  /** Receipt date, or the verification date when the clock waits for verification and it came later. */
  startDate: string;
  /** Confirm receipt by this day (CCPA), counted from receipt even when the clock waits; null for GDPR. */
  acknowledgeBy: string | null;
  /** Answer by this day, with the extensions granted so far. */
  dueDate: string;
  /** Answer by this day if every allowed extension is granted. */
  latestPossibleDueDate: string;
  /** Tell the requester about any extension by this day: the unextended due date. */
  extensionNoticeBy: string;
  /**
   * True when the clock waits for verification and none has happened: the dates are then counted
   * from receipt, the earliest they can be, and move later once verification arrives.
   */
  waitingForVerification: boolean;
};

/**
 * Deadlines for one request. Periods are always counted from startDate in one step (one month
 * plus n extension months, or 45 plus 45 days), then rolled to a working day where the regime
 * says so — never chained from an earlier rolled date. See REGIME_RULES for the sources.
 */
export function requestClock(input: RequestClockInput): RequestClock {
  const rules = REGIME_RULES[input.regime];
  const extensions = input.extensions ?? 0;
  requireInteger('extensions', extensions, 0);
  if (extensions > rules.extension.max) {
    throw new RangeError(
      `${rules.name} allows at most ${rules.extension.max} extension(s), got ${extensions}`,
    );
  }
  const receivedDate = localDate(input.receivedAt, input.timeZone);
  const waits = input.clockWaitsForVerification ?? rules.clockWaitsForVerification;
  const verifiedDate = input.verifiedAt ? localDate(input.verifiedAt, input.timeZone) : null;
  // A verification stamped before receipt is a data error; never let it pull the clock earlier.
  const startDate = waits && verifiedDate && verifiedDate > receivedDate ? verifiedDate : receivedDate;
  const due = (n: number) => periodEnd(rules, startDate, n, input.holidays);
  return {
    startDate,
    acknowledgeBy:
      rules.acknowledgeWithinBusinessDays === null
        ? null
        : addBusinessDays(receivedDate, rules.acknowledgeWithinBusinessDays, input.holidays),
    dueDate: due(extensions),
    latestPossibleDueDate: due(rules.extension.max),
    extensionNoticeBy: due(0),
    waitingForVerification: waits && verifiedDate === null,
  };
}

function periodEnd(
  rules: RegimeRules,
  start: string,
  extensions: number,
  holidays?: ReadonlySet<string>,
): string {
  let months = 0;
  let days = 0;
  const add = (p: ClockPeriod, times: number) => {
    if (p.kind === 'calendar_months') months += p.months * times;
    else days += p.days * times;
  };
  add(rules.answer, 1);
  add(rules.extension, extensions);
  const end = addCalendarDays(addCalendarMonths(start, months), days);
  return rules.rollsToWorkingDay ? nextWorkingDay(end, holidays) : end;
}

export type CanExtendResult = { ok: true } | { ok: false; reason: 'max_extensions' | 'notice_period_over' };

/**
 * Whether one more extension may be granted on `today` (a date in the organization's zone).
 * Under both regimes the notice must reach the requester within the first period, so a second
 * GDPR month cannot be added after the first month has run out: grant both in time if unsure.
 */
export function canExtend(
  regime: Regime,
  extensionsSoFar: number,
  today: string,
  clock: Pick<RequestClock, 'extensionNoticeBy'>,
): CanExtendResult {
  requireInteger('extensionsSoFar', extensionsSoFar, 0);
  parseDate(today);
  if (extensionsSoFar >= REGIME_RULES[regime].extension.max) return { ok: false, reason: 'max_extensions' };
  if (today > clock.extensionNoticeBy) return { ok: false, reason: 'notice_period_over' };
  return { ok: true };
}
