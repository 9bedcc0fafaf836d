const dateFormat = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
// Times always say their zone: an investigator compares them with logs kept elsewhere.
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  timeZoneName: 'short',
});
const timestampFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  timeZoneName: 'short',
});
const timeFormat = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const shortDateFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

function parse(iso: string): Date | undefined {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function formatDate(iso: string): string {
  const date = parse(iso);
  return date ? dateFormat.format(date) : iso;
}

export function formatDateTime(iso: string): string {
  const date = parse(iso);
  return date ? dateTimeFormat.format(date) : iso;
}

/** A date and time to the second, e.g. for audit events. */
export function formatTimestamp(iso: string): string {
  const date = parse(iso);
  return date ? timestampFormat.format(date) : iso;
}

/** The time of day to the second, e.g. "09:05:02 AM". */
export function formatTime(iso: string): string {
  const date = parse(iso);
  return date ? timeFormat.format(date) : iso;
}

/** "Nov 23", with the year only when it is not this year's. */
export function formatShortDate(iso: string, now: Date = new Date()): string {
  const date = parse(iso);
  if (!date) return iso;
  return date.getFullYear() === now.getFullYear() ? shortDateFormat.format(date) : dateFormat.format(date);
}

const byteUnits = ['bytes', 'KB', 'MB', 'GB'];

/** "812 bytes", "1.4 MB". */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < byteUnits.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${byteUnits[unit]}`;
}

const countFormat = new Intl.NumberFormat();

/** "12,345". */
export function formatCount(n: number): string {
  return countFormat.format(n);
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** "3 minutes ago", "in 6 days", "now". */
export function formatRelative(iso: string, now: Date = new Date()): string {
  const date = parse(iso);
  if (!date) return iso;
  const seconds = (date.getTime() - now.getTime()) / 1000;
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relativeFormat.format(Math.round(seconds / size), unit);
  }
  return relativeFormat.format(0, 'second');
}

const compactFormat = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });

/** "12,345" up to a million, then "1.8M", "3.2B": a figure nobody reads digit by digit. */
export function formatLargeNumber(n: number): string {
  return Math.abs(n) >= 1_000_000 ? compactFormat.format(n) : formatCount(Math.round(n * 100) / 100);
}

const plural = (n: number, unit: string) => `${formatCount(n)} ${unit}${n === 1 ? '' : 's'}`;

/** A span of time in words at two units at most: "48 seconds", "14 min 48 s", "2 h 5 min", "3 days 4 h". */
export function formatDuration(totalSeconds: number): string {
  const s = Math.round(Math.abs(totalSeconds));
  if (s < 1) return 'under a second';
  if (s < 60) return plural(s, 'second');
  const join = (big: string, rest: number, unit: string) => (rest ? `${big} ${rest} ${unit}` : big);
  if (s < 3600) {
    const minutes = Math.floor(s / 60);
    return join(minutes === s / 60 ? plural(minutes, 'minute') : `${minutes} min`, s % 60, 's');
  }
  if (s < 86_400) {
    const hours = Math.floor(s / 3600);
    const minutes = Math.floor((s % 3600) / 60);
    return minutes ? `${hours} h ${minutes} min` : plural(hours, 'hour');
  }
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3600);
  return hours ? `${plural(days, 'day')} ${hours} h` : plural(days, 'day');
}
