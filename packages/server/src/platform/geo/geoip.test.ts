import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type GeoIp, NO_GEOIP, openGeoIp } from './geoip';

describe('openGeoIp with the bundled DB-IP database', () => {
  let geo: GeoIp;
  beforeAll(async () => {
    geo = await openGeoIp(null);
  });

  // Answers as given by the bundled DB-IP Lite file; a monthly data update could move one of these.
  it('finds the country of public IPv4 and IPv6 addresses', () => {
    expect(geo.country('8.8.8.8')).toBe('US');
    expect(geo.country('1.1.1.1')).toBe('AU');
    expect(geo.country('81.2.69.142')).toBe('GB');
    expect(geo.country('2a00:1450:4001:800::200e')).toBe('DE');
    expect(geo.country(' 8.8.8.8 ')).toBe('US');
  });

  it('reads IPv4-mapped IPv6 (dual-stack sockets) as the IPv4 address', () => {
    expect(geo.country('::ffff:8.8.8.8')).toBe('US');
  });

  it.each([
    '10.0.0.1',
    '192.168.1.10',
    '172.16.0.1',
    '100.64.0.1',
    '127.0.0.1',
    '169.254.1.1',
    '::1',
    'fe80::1',
    'fd00::1',
    '::ffff:10.0.0.1',
    '0.0.0.0',
    '::',
  ])('answers null for the non-public address %s', (ip) => {
    expect(geo.country(ip)).toBeNull();
  });

  it.each([null, '', 'garbage', '8', '0x8.8.8.8', '999.1.1.1', '8.8.8.8:443', '1::2::3'])(
    'answers null for %j',
    (ip) => {
      expect(geo.country(ip)).toBeNull();
    },
  );
});

describe('openGeoIp with a configured file', () => {
  it('reads the MaxMind GeoLite2 record shape', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'custos-geoip-')), 'GeoLite2-Country.mmdb');
    writeFileSync(file, everyIpv4Is({ country: { iso_code: 'FR', names: { en: 'France' } } }));
    const geo = await openGeoIp(file);
    expect(geo.country('8.8.8.8')).toBe('FR');
    expect(geo.country('127.0.0.1')).toBeNull();
  });

  it('refuses a missing file, naming it', async () => {
    await expect(openGeoIp('/nonexistent/GeoLite2-Country.mmdb')).rejects.toThrow(
      /GeoIP database \/nonexistent\/GeoLite2-Country\.mmdb/,
    );
  });

  it('refuses a file that is not an MMDB database, naming it', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'custos-geoip-')), 'not.mmdb');
    writeFileSync(file, 'hello');
    await expect(openGeoIp(file)).rejects.toThrow(file);
  });
});

describe('NO_GEOIP', () => {
  it('knows no country', () => {
    expect(NO_GEOIP.country('8.8.8.8')).toBeNull();
  });
});

/**
 * A minimal IPv4 MMDB file (format 2.0) whose single tree node sends every address to one record,
 * so the MaxMind record shape is tested without shipping a GeoLite2 file (its licence forbids that).
 */
function everyIpv4Is(record: Record<string, unknown>): Buffer {
  const nodeCount = 1;
  // A record value of nodeCount + 16 points at offset 0 of the data section (after the 16-byte gap).
  const pointer = nodeCount + 16;
  const node = Buffer.from([0, 0, pointer, 0, 0, pointer]); // 24-bit left and right records
  const metadata = encode({ node_count: nodeCount, record_size: 24, ip_version: 4 });
  return Buffer.concat([
    node,
    Buffer.alloc(16),
    encode(record),
    Buffer.from('abcdef4d61784d696e642e636f6d', 'hex'), // "\xAB\xCD\xEFMaxMind.com"
    metadata,
  ]);
}

/** MMDB data encoding for the few types the fixture needs: maps, UTF-8 strings and uint32. */
function encode(value: unknown): Buffer {
  const control = (type: number, size: number) => Buffer.from([(type << 5) | size]);
  if (typeof value === 'string') {
    const bytes = Buffer.from(value);
    return Buffer.concat([control(2, bytes.length), bytes]);
  }
  if (typeof value === 'number') {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32BE(value);
    return Buffer.concat([control(6, 4), bytes]);
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    return Buffer.concat([
      control(7, entries.length),
      ...entries.flatMap(([k, v]) => [encode(k), encode(v)]),
    ]);
  }
  throw new Error(`cannot encode ${String(value)}`);
}
