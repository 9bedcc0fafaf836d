import ipaddr from 'ipaddr.js';
import { memoizeText } from '../memo';

/**
 * The source an attempt is counted under: an IPv4 address as it is, an IPv6 address by its /64.
 * One IPv6 subscriber or VPS usually holds a whole /64 (2^64 addresses), so counting per address
 * would give an attacker unlimited fresh "IPs" against every per-IP limit. IPv4-mapped IPv6 counts
 * as its IPv4 address. Text that is no address counts as one source, `unknown`.
 */
export function sourceOf(ip: string | null | undefined): string {
  return ip ? sourceOfText(ip) : 'unknown';
}

const sourceOfText = memoizeText((ip: string): string => {
  const value = ip.trim();
  if (!value) return 'unknown';
  if (ipaddr.IPv4.isValidFourPartDecimal(value)) return ipaddr.IPv4.parse(value).toString();
  if (value.includes('%') || !ipaddr.IPv6.isValid(value)) return 'unknown';
  const v6 = ipaddr.IPv6.parse(value);
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString();
  const parts = v6.parts.slice(0, 4).concat([0, 0, 0, 0]);
  return `${new ipaddr.IPv6(parts).toString()}/64`;
});
