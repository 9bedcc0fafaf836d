/** The zone this browser runs in; "UTC" when the runtime cannot tell. */
export const VIEWER_TIME_ZONE: string = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** Whether `zone` is an IANA name (or "UTC") this browser can format in. */
export function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

// Times always say their zone: an investigator compares them with logs kept elsewhere. Every
// formatter below is built per zone and cached, since the viewer can switch zones at any time.
function buildFormatters(timeZone: string) {
  const make = (options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat(undefined, { ...options, timeZone });
  return {
    date: make({ year: 'numeric', month: 'short', day: 'numeric' }),
    dateTime: make({
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      hour: 'numeric',
      minute: '2-digit',
      timeZoneName: 'short',
    }),
    timestamp: make({
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'short',
    }),
    time: make({ hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short' }),
    shortDate: make({ month: 'short', day: 'numeric' }),
    year: make({ year: 'numeric' }),
    hour: make({ hour: 'numeric' }),
    zoneName: make({ timeZoneName: 'short' }),
  };
}

type Formatters = ReturnType<typeof buildFormatters>;

const formattersByZone = new Map<string, Formatters>();
let displayZone = VIEWER_TIME_ZONE;

function formatters(): Formatters {
  let found = formattersByZone.get(displayZone);
  if (!found) {
    found = buildFormatters(displayZone);
    formattersByZone.set(displayZone, found);
  }
  return found;
}

/** The IANA zone every time is shown in (the viewer's unless they chose UTC or the organization's). */
export function displayTimeZone(): string {
  return displayZone;
}

/**
 * Shows every time from now on in `zone`; an unknown zone falls back to the viewer's. Components
 * re-render through `useDisplayTimeZone` (ui/timeZone), which is what calls this.
 */
export function setDisplayTimeZone(zone: string): void {
  displayZone = isKnownTimeZone(zone) ? zone : VIEWER_TIME_ZONE;
}

const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

function parse(iso: string): Date | undefined {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** "Nov 23, 2026": the calendar day in the display zone. */
export function formatDate(iso: string): string {
  const date = parse(iso);
  return date ? formatters().date.format(date) : iso;
}

/** "Nov 23, 2026, 9:05 AM GMT+1". */
export function formatDateTime(iso: string): string {
  const date = parse(iso);
  return date ? formatters().dateTime.format(date) : iso;
}

/** A date and time to the second, e.g. for audit events. */
export function formatTimestamp(iso: string): string {
  const date = parse(iso);
  return date ? formatters().timestamp.format(date) : iso;
}

/** The time of day to the second with its zone, e.g. "09:05:02 AM UTC". */
export function formatTime(iso: string): string {
  const date = parse(iso);
  return date ? formatters().time.format(date) : iso;
}

/** "Nov 23", with the year only when it is not this year's (in the display zone). */
export function formatShortDate(iso: string, now: Date = new Date()): string {
  const date = parse(iso);
  if (!date) return iso;
  const f = formatters();
  return f.year.format(date) === f.year.format(now) ? f.shortDate.format(date) : f.date.format(date);
}

/** The hour alone, e.g. "3 PM" or "15", for chart axes. */
export function formatHour(iso: string): string {
  const date = parse(iso);
  return date ? formatters().hour.format(date) : iso;
}

/**
 * The display zone's short name at an instant ("UTC", "CET", "GMT+1"): it can change with daylight
 * saving, so a label for a span of times takes the instant it describes (now by default).
 */
export function formatZoneName(at: Date = new Date()): string {
  const part = formatters()
    .zoneName.formatToParts(at)
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? displayZone;
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
