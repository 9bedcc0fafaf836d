import type { TimeWindow } from '@custos/shared';
import ipaddr from 'ipaddr.js';
import { badRequest } from '../../platform/http/errors';
import { COUNTRY_CODES } from './countries';

/**
 * The values access rules hold, checked and normalised when a rule is saved (so every stored value
 * compiles), and the parsing the rules need at evaluation: request IPs and local time.
 */

type ValueField = 'cidrs' | 'countries' | 'windows' | 'ip';

function invalid(field: ValueField, index: number | null, value: unknown, message: string) {
  const where = index === null ? field : `${field}[${index}]`;
  return badRequest('ACCESS_RULE_INVALID', `${where}: ${message}`, {
    field,
    ...(index === null ? {} : { index }),
    value,
  });
}

// ---------------------------------------------------------------- IP addresses and CIDRs

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Dotted-quad IPv4 or IPv6 without a zone; ipaddr.js alone would also take "8" or "0x8.8.8.8". */
function parseAddress(text: string): Address | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (!text.includes('%') && ipaddr.IPv6.isValid(text)) return ipaddr.IPv6.parse(text);
  return null;
}

export interface Cidr {
  version: 4 | 6;
  /** The network address as 32-bit words (one for IPv4, four for IPv6), host bits cleared. */
  words: Uint32Array;
  prefix: number;
  text: string;
}

function wordsOf(bytes: readonly number[]): Uint32Array {
  const words = new Uint32Array(bytes.length / 4);
  for (let i = 0; i < words.length; i++) {
    words[i] =
      (((bytes[i * 4] ?? 0) << 24) |
        ((bytes[i * 4 + 1] ?? 0) << 16) |
        ((bytes[i * 4 + 2] ?? 0) << 8) |
        (bytes[i * 4 + 3] ?? 0)) >>>
      0;
  }
  return words;
}

/** Mask of the first `bits` (0–32) bits of a word. */
export function wordMask(bits: number): number {
  if (bits <= 0) return 0;
  if (bits >= 32) return 0xffffffff;
  return (0xffffffff << (32 - bits)) >>> 0;
}

/**
 * A CIDR (or a bare address: /32, /128) in canonical form, host bits cleared: `10.0.0.7/8` is
 * `10.0.0.0/8`. IPv4-mapped IPv6 networks (`::ffff:10.0.0.0/104`) become the IPv4 network, since
 * request addresses are matched as IPv4 too. Null when it is not a CIDR.
 */
export function parseCidr(input: string): Cidr | null {
  const text = input.trim();
  const slash = text.indexOf('/');
  let address = parseAddress(slash < 0 ? text : text.slice(0, slash));
  if (!address) return null;
  const max = address.kind() === 'ipv4' ? 32 : 128;
  const prefixText = slash < 0 ? null : text.slice(slash + 1);
  let prefix = prefixText === null ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!(prefix >= 0 && prefix <= max)) return null;
  if (address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress() && prefix >= 96) {
    address = address.toIPv4Address();
    prefix -= 96;
  }
  const bytes = address.toByteArray();
  for (let bit = prefix; bit < bytes.length * 8; bit++) {
    const i = bit >> 3;
    bytes[i] = (bytes[i] ?? 0) & ~(0x80 >> (bit & 7));
  }
  const network = ipaddr.fromByteArray(bytes);
  const shown = network instanceof ipaddr.IPv6 ? network.toRFC5952String() : network.toString();
  return {
    version: network.kind() === 'ipv4' ? 4 : 6,
    words: wordsOf(bytes),
    prefix,
    text: `${shown}/${prefix}`,
  };
}

/** A rule's CIDR list, normalised and without duplicates; 400 naming the first bad entry. */
export function normalizeCidrs(list: readonly string[]): string[] {
  const out = new Set<string>();
  list.forEach((entry, index) => {
    const cidr = parseCidr(entry);
    if (!cidr)
      throw invalid('cidrs', index, entry, 'not an IPv4 or IPv6 address or CIDR (e.g. 203.0.113.0/24)');
    out.add(cidr.text);
  });
  return [...out];
}

/** A request's address: IPv4 as one word, IPv6 as four; IPv4-mapped IPv6 counts as IPv4. */
export interface RequestAddress {
  version: 4 | 6;
  words: Uint32Array;
}

const MAX_CACHED_ADDRESSES = 10_000;
const addressCache = new Map<string, RequestAddress | null>();

/** The request IP parsed once per distinct address (the session check runs on every request). */
export function requestAddress(ip: string | null): RequestAddress | null {
  if (!ip) return null;
  const cached = addressCache.get(ip);
  if (cached !== undefined) return cached;
  const parsed = parseAddress(ip.trim());
  const address = parsed
    ? parsed instanceof ipaddr.IPv6 && parsed.isIPv4MappedAddress()
      ? parsed.toIPv4Address()
      : parsed
    : null;
  const result: RequestAddress | null = address
    ? { version: address.kind() === 'ipv4' ? 4 : 6, words: wordsOf(address.toByteArray()) }
    : null;
  if (addressCache.size >= MAX_CACHED_ADDRESSES) addressCache.clear();
  addressCache.set(ip, result);
  return result;
}

/** Whether the address lies in the network. */
export function cidrContains(cidr: Cidr, address: RequestAddress): boolean {
  if (cidr.version !== address.version) return false;
  for (let i = 0; i < cidr.words.length; i++) {
    const bits = cidr.prefix - i * 32;
    if (bits <= 0) return true;
    const mask = wordMask(bits);
    if (((address.words[i] ?? 0) & mask) >>> 0 !== cidr.words[i]) return false;
  }
  return true;
}

// ---------------------------------------------------------------- countries

/** ISO 3166-1 alpha-2 codes, uppercased, without duplicates; 400 naming the first unknown code. */
export function normalizeCountries(list: readonly string[]): string[] {
  const out = new Set<string>();
  list.forEach((entry, index) => {
    const code = entry.trim().toUpperCase();
    if (!COUNTRY_CODES.has(code)) {
      throw invalid('countries', index, entry, 'not an ISO 3166-1 alpha-2 country code (e.g. DE, US)');
    }
    out.add(code);
  });
  return [...out];
}

// ---------------------------------------------------------------- time windows and zones

export const MINUTES_PER_DAY = 1440;

/** "HH:MM" (or "24:00") as minutes since midnight. */
export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

/** Windows with their days sorted and unique; a window must not start and end at the same minute. */
export function normalizeWindows(list: readonly TimeWindow[]): TimeWindow[] {
  return list.map((window, index) => {
    const start = minutesOf(window.start);
    const end = minutesOf(window.end);
    if (start === end) {
      throw invalid(
        'windows',
        index,
        window,
        'start and end are the same minute; use 00:00 to 24:00 for a whole day',
      );
    }
    return { days: [...new Set(window.days)].sort((a, b) => a - b), start: window.start, end: window.end };
  });
}

let zones: ReadonlySet<string> | null = null;

/** An IANA zone the runtime knows (its canonical list), or UTC. */
export function isTimeZone(zone: string): boolean {
  zones ??= new Set(Intl.supportedValuesOf('timeZone'));
  return zone === 'UTC' || zones.has(zone);
}

export interface LocalTime {
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  day: number;
  /** Minutes since local midnight. */
  minute: number;
}

const WEEKDAYS: Readonly<Record<string, number>> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
const DAY_NAMES = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/**
 * One formatter per zone, and the answer for the last minute asked: most requests of a busy
 * organization fall in the same minute, so formatting happens about once a minute per zone.
 */
class ZoneClock {
  private readonly format: Intl.DateTimeFormat;
  private lastMinute = Number.NaN;
  private last: LocalTime = { day: 1, minute: 0 };

  constructor(zone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
  }

  at(ms: number): LocalTime {
    const minuteKey = Math.floor(ms / 60_000);
    if (minuteKey === this.lastMinute) return this.last;
    let day = 1;
    let hour = 0;
    let minute = 0;
    for (const part of this.format.formatToParts(ms)) {
      if (part.type === 'weekday') day = WEEKDAYS[part.value] ?? 1;
      else if (part.type === 'hour') hour = Number(part.value) % 24;
      else if (part.type === 'minute') minute = Number(part.value);
    }
    this.last = { day, minute: hour * 60 + minute };
    this.lastMinute = minuteKey;
    return this.last;
  }
}

const clocks = new Map<string, ZoneClock>();

/** Weekday and minute of `ms` in `zone` (an unknown zone reads as UTC rather than failing requests). */
export function localTime(ms: number, zone: string): LocalTime {
  let clock = clocks.get(zone);
  if (!clock) {
    clock = new ZoneClock(isTimeZone(zone) ? zone : 'UTC');
    clocks.set(zone, clock);
  }
  return clock.at(ms);
}

/** "Tue 09:30": what the editor and the tester show. */
export function localTimeLabel(ms: number, zone: string): string {
  const { day, minute } = localTime(ms, zone);
  const hh = String(Math.floor(minute / 60)).padStart(2, '0');
  const mm = String(minute % 60).padStart(2, '0');
  return `${DAY_NAMES[day]} ${hh}:${mm}`;
}

/** Parses a tester's IP: a single address, 400 otherwise. */
export function requireAddress(ip: string): string {
  const parsed = parseAddress(ip.trim());
  if (!parsed) throw invalid('ip', null, ip, 'not an IPv4 or IPv6 address');
  return ip.trim();
}
