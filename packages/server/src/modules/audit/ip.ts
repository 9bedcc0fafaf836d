import ipaddr from 'ipaddr.js';
import { memoizeText } from '../../platform/memo';

/**
 * IPs are searched as 32 hex digits of their IPv6 form (IPv4 as ::ffff:a.b.c.d), so a CIDR block is
 * one text range on either database.
 */
export const ipKey = memoizeText(ipKeyOf);

function ipKeyOf(ip: string): string | null {
  if (!ipaddr.isValid(ip)) return null;
  const parsed = ipaddr.parse(ip);
  const v6 =
    parsed.kind() === 'ipv4' ? (parsed as ipaddr.IPv4).toIPv4MappedAddress() : (parsed as ipaddr.IPv6);
  return Buffer.from(v6.toByteArray()).toString('hex');
}

/** Inclusive [low, high] keys of an address or CIDR block. */
export function ipKeyRange(cidrOrIp: string): [string, string] | null {
  if (!cidrOrIp.includes('/')) {
    const key = ipKey(cidrOrIp);
    return key ? [key, key] : null;
  }
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = ipaddr.parseCIDR(cidrOrIp);
  } catch {
    return null;
  }
  const [address, prefix] = parsed;
  const bytes = Buffer.from(
    address.kind() === 'ipv4'
      ? (address as ipaddr.IPv4).toIPv4MappedAddress().toByteArray()
      : address.toByteArray(),
  );
  const bits = address.kind() === 'ipv4' ? 96 + prefix : prefix;
  const low = Buffer.from(bytes);
  const high = Buffer.from(bytes);
  for (let bit = bits; bit < 128; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    low[byte] = (low[byte] as number) & ~mask;
    high[byte] = (high[byte] as number) | mask;
  }
  return [low.toString('hex'), high.toString('hex')];
}
