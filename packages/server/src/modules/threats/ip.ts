import ipaddr from 'ipaddr.js';
import { memoizeText } from '../../platform/memo';

/**
 * The one text form an IP is stored and compared in: dotted-quad IPv4 (an IPv4-mapped IPv6 address
 * counts as its IPv4 address) or RFC 5952 IPv6. Blocks are matched by text equality, so every write
 * and every lookup goes through this. Null when the text is not an address.
 */
export function normalizeIp(text: string | null | undefined): string | null {
  return text ? normalized(text) : null;
}

const normalized = memoizeText((text: string): string | null => {
  const value = text.trim();
  if (!value) return null;
  // ipaddr.js alone would also take "8" or "0x8.8.8.8" as IPv4; only the usual four parts count.
  if (ipaddr.IPv4.isValidFourPartDecimal(value)) return ipaddr.IPv4.parse(value).toString();
  if (value.includes('%') || !ipaddr.IPv6.isValid(value)) return null;
  const v6 = ipaddr.IPv6.parse(value);
  return v6.isIPv4MappedAddress() ? v6.toIPv4Address().toString() : v6.toString();
});
