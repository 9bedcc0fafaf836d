import { localDate, type PrivacyRequestOut } from '@custos/shared';
import { formatCount } from '../../app/format';
import { isOpen } from './labels';

export type CountdownTone = 'overdue' | 'soon' | 'later';

export interface Countdown {
  /** "due in 12 days", "due today", "3 days overdue". */
  text: string;
  tone: CountdownTone;
  /** Whole calendar days from today to the due date in the organization's zone (negative: overdue). */
  days: number;
}

/** Within this many days a due date is shown as close. */
export const SOON_DAYS = 7;

const DAY_MS = 86_400_000;

function dayNumber(date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

const days = (n: number) => `${formatCount(n)} day${n === 1 ? '' : 's'}`;

/**
 * How long a request has left, counted in calendar days where the organization is (the statutory
 * clock's own unit), or null once it is closed and no longer runs.
 */
export function countdown(
  request: Pick<PrivacyRequestOut, 'state' | 'clock'>,
  now: Date = new Date(),
): Countdown | null {
  if (!isOpen(request.state)) return null;
  const { dueDate, timeZone, overdue } = request.clock;
  const left = dayNumber(dueDate) - dayNumber(localDate(now.toISOString(), timeZone));
  if (left < 0) return { text: `${days(-left)} overdue`, tone: 'overdue', days: left };
  // The server's word wins: past the end of the due date there, whatever this browser's clock says.
  if (overdue) return { text: 'overdue', tone: 'overdue', days: left };
  if (left === 0) return { text: 'due today', tone: 'soon', days: 0 };
  if (left === 1) return { text: 'due tomorrow', tone: 'soon', days: 1 };
  return { text: `due in ${days(left)}`, tone: left <= SOON_DAYS ? 'soon' : 'later', days: left };
}

/** The day a YYYY-MM-DD date names, formatted without shifting it through any time zone. */
export function formatCalendarDate(date: string): string {
  const ms = Date.parse(`${date}T12:00:00Z`);
  if (Number.isNaN(ms)) return date;
  return new Intl.DateTimeFormat(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    weekday: 'short',
    timeZone: 'UTC',
  }).format(new Date(ms));
}
