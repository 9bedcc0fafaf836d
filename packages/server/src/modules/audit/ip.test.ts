import { describe, expect, it } from 'vitest';
import { ipKey, ipKeyRange } from './ip';

describe('ip search keys', () => {
  it('maps IPv4 into the IPv6 space and keeps ordering', () => {
    expect(ipKey('10.0.0.1')).toBe('00000000000000000000ffff0a000001');
    expect(ipKey('2001:db8::1')).toBe('20010db8000000000000000000000001');
    expect(ipKey('not an ip')).toBeNull();
  });

  it('turns CIDR blocks into inclusive ranges', () => {
    expect(ipKeyRange('10.0.0.0/8')).toEqual([
      '00000000000000000000ffff0a000000',
      '00000000000000000000ffff0affffff',
    ]);
    expect(ipKeyRange('2001:db8::/32')).toEqual([
      '20010db8000000000000000000000000',
      '20010db8ffffffffffffffffffffffff',
    ]);
    const [low, high] = ipKeyRange('192.168.1.0/24') as [string, string];
    const inside = ipKey('192.168.1.77') as string;
    const outside = ipKey('192.168.2.1') as string;
    expect(inside >= low && inside <= high).toBe(true);
    expect(outside >= low && outside <= high).toBe(false);
    expect(ipKeyRange('10.0.0.0/99')).toBeNull();
  });
});
