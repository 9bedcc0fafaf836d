import type { TimeWindow } from '@custos/shared';

/**
 * What the rule editors accept and how they show it: CIDR ranges, countries, time windows, time
 * zones. The checks are the console's quick ones; the server checks again and has the last word.
 */

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function isIpv6(address: string): boolean {
  if (!address.includes(':') || !/^[0-9a-fA-F:.]+$/.test(address)) return false;
  // The URL parser knows every IPv6 spelling (compressed, IPv4-embedded); a zone id has no place here.
  try {
    return new URL(`http://[${address}]/`).hostname.length > 2;
  } catch {
    return false;
  }
}

/** An IPv4 or IPv6 address, or a range in CIDR notation (`10.0.0.0/8`, `2001:db8::/32`). */
export function isCidr(value: string): boolean {
  const [address = '', prefix, ...rest] = value.trim().split('/');
  if (rest.length > 0) return false;
  const v4 = IPV4.test(address);
  if (!v4 && !isIpv6(address)) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (v4 ? 32 : 128);
}

/** The entries of the CIDR text area: one a line, or separated by commas or spaces. */
export function splitCidrs(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((entry) => entry.trim())
    .filter(Boolean);
}

/** The single address a CIDR entry for this IP would be, e.g. for "add my address". */
export function hostCidr(ip: string): string {
  return ip.includes(':') ? `${ip}/128` : `${ip}/32`;
}

/** The officially assigned ISO 3166-1 alpha-2 codes and XK (Kosovo): what the server accepts. */
const COUNTRY_CODES = (
  'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS ' +
  'BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE ' +
  'EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM ' +
  'HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC ' +
  'LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA ' +
  'NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW ' +
  'SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO ' +
  'TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW XK'
).split(' ');

let regionNames: Intl.DisplayNames | undefined;

/** "Germany" for DE, in the browser's language; the code itself when the browser has no name. */
export function countryName(code: string): string {
  try {
    regionNames ??= new Intl.DisplayNames(undefined, { type: 'region' });
    return regionNames.of(code) ?? code;
  } catch {
    return code;
  }
}

/** Every country a rule can name, by name. */
export function countryOptions(): { value: string; label: string }[] {
  return COUNTRY_CODES.map((code) => ({ value: code, label: `${countryName(code)} (${code})` })).sort(
    (a, b) => a.label.localeCompare(b.label),
  );
}

/** Every IANA time zone the browser knows, UTC among them. */
export function timeZoneOptions(): string[] {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return zones.includes('UTC') ? zones : ['UTC', ...zones];
}

/** The weekday and time it is now in a zone, e.g. "Tue 14:05"; undefined for a zone the browser lacks. */
export function nowIn(timeZone: string, now: Date = new Date()): string | undefined {
  try {
    return new Intl.DateTimeFormat(undefined, {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(now);
  } catch {
    return undefined;
  }
}

/** ISO weekdays, Monday first. */
export const WEEKDAYS = [
  { day: 1, short: 'Mon', long: 'Monday' },
  { day: 2, short: 'Tue', long: 'Tuesday' },
  { day: 3, short: 'Wed', long: 'Wednesday' },
  { day: 4, short: 'Thu', long: 'Thursday' },
  { day: 5, short: 'Fri', long: 'Friday' },
  { day: 6, short: 'Sat', long: 'Saturday' },
  { day: 7, short: 'Sun', long: 'Sunday' },
] as const;

const shortDay = (day: number) => WEEKDAYS.find((d) => d.day === day)?.short ?? String(day);

/** "Mon–Fri", "Mon, Wed, Sat–Sun", "Every day". */
export function daysLabel(days: readonly number[]): string {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  if (sorted.length === 7) return 'Every day';
  const runs: number[][] = [];
  for (const day of sorted) {
    const run = runs.at(-1);
    if (run && run.at(-1) === day - 1) run.push(day);
    else runs.push([day]);
  }
  return runs
    .map((run) => {
      const first = run[0] ?? 0;
      const last = run.at(-1) ?? first;
      if (run.length >= 3) return `${shortDay(first)}–${shortDay(last)}`;
      return run.map(shortDay).join(', ');
    })
    .join(', ');
}

/** "Mon–Fri 09:00–18:00", with "(overnight)" when the end is before the start. */
export function windowLabel(window: TimeWindow): string {
  const overnight = window.end !== '24:00' && window.end <= window.start ? ' (overnight)' : '';
  return `${daysLabel(window.days)} ${window.start}–${window.end}${overnight}`;
}

export const START_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
export const END_TIME = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;

/** "9:00" → "09:00", so a time typed without the leading zero is accepted. */
export function normalizeTime(value: string): string {
  const match = /^(\d{1,2}):(\d{2})$/.exec(value.trim());
  return match ? `${(match[1] ?? '').padStart(2, '0')}:${match[2]}` : value.trim();
}
