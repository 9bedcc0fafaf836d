import { describe, expect, it } from 'vitest';
import { sourceOf } from './ip-source';

describe('sourceOf', () => {
  it('counts IPv4 as itself, IPv6 by its /64, mapped IPv6 as IPv4', () => {
    expect(sourceOf('203.0.113.7')).toBe('203.0.113.7');
    expect(sourceOf('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(sourceOf('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(sourceOf('2001:0db8:0001:0002:0000:0000:0000:0001')).toBe('2001:db8:1:2::/64');
    expect(sourceOf('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
  });

  it('puts everything that is not an address under one source', () => {
    for (const junk of [null, undefined, '', 'x', '8', 'fe80::1%eth0', '0x8.8.8.8']) {
      expect(sourceOf(junk)).toBe('unknown');
    }
  });
});
