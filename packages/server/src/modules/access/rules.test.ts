import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/http/errors';
import {
  isTimeZone,
  localTimeLabel,
  normalizeCidrs,
  normalizeCountries,
  normalizeWindows,
  parseCidr,
  requestAddress,
} from './rule-values';
import { type AccessRuleRow, compileRules, evaluateRules, NO_RULES, type RuleRequest } from './rules';

let n = 0;
function rule(
  partial: Partial<AccessRuleRow> & Pick<AccessRuleRow, 'kind' | 'effect' | 'value'>,
): AccessRuleRow {
  n += 1;
  return { id: `r${n}`, target: 'everyone', role: null, description: `rule ${n}`, enabled: true, ...partial };
}

const MONDAY_0930_UTC = Date.parse('2025-06-02T09:30:00Z');
const request = (over: Partial<RuleRequest> = {}): RuleRequest => ({
  ip: '203.0.113.7',
  country: null,
  at: MONDAY_0930_UTC,
  roles: ['member'],
  apiKey: false,
  ...over,
});

function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('did not throw');
}

describe('CIDR parsing and normalisation', () => {
  it('clears host bits, takes bare addresses as /32 and /128, and writes IPv6 compactly', () => {
    expect(normalizeCidrs(['10.0.0.7/8', '192.0.2.1', '2001:0DB8:0:0::1/32', '2001:db8::1'])).toEqual([
      '10.0.0.0/8',
      '192.0.2.1/32',
      '2001:db8::/32',
      '2001:db8::1/128',
    ]);
    expect(normalizeCidrs(['0.0.0.0/0', '::/0'])).toEqual(['0.0.0.0/0', '::/0']);
    expect(normalizeCidrs(['10.0.0.1/8', '10.9.9.9/8'])).toEqual(['10.0.0.0/8']);
  });

  it('turns IPv4-mapped IPv6 networks into IPv4 ones', () => {
    expect(parseCidr('::ffff:10.1.2.3/104')?.text).toBe('10.0.0.0/8');
    expect(parseCidr('::ffff:192.0.2.5')?.text).toBe('192.0.2.5/32');
  });

  it('refuses anything else, naming the entry', () => {
    for (const bad of [
      '10.0.0.300/8',
      '10.0.0.1/33',
      '2001:db8::/129',
      '8',
      '0x8.8.8.8',
      'fe80::1%eth0',
      '10.0.0.0/',
      '10.0.0.0/ 8',
      'a.b.c.d',
    ]) {
      expect(parseCidr(bad), bad).toBeNull();
    }
    const error = thrown(() => normalizeCidrs(['10.0.0.0/8', '192.0.2.0/24', '10.0.0.300/8']));
    expect(error.status).toBe(400);
    expect(error.code).toBe('ACCESS_RULE_INVALID');
    expect(error.details).toEqual({ field: 'cidrs', index: 2, value: '10.0.0.300/8' });
  });

  it('parses request addresses, mapped IPv6 as IPv4, garbage as null', () => {
    expect(requestAddress('::ffff:192.0.2.5')?.version).toBe(4);
    expect(requestAddress('2001:db8::1')?.version).toBe(6);
    expect(requestAddress('not an ip')).toBeNull();
    expect(requestAddress(null)).toBeNull();
  });
});

describe('IP rules', () => {
  const allowOffice = rule({
    kind: 'ip',
    effect: 'allow',
    value: ['203.0.113.0/24', '2001:db8:10::/48'],
    description: 'Office',
  });
  const rules = compileRules([allowOffice], 'UTC');

  it('lets in addresses of the list (IPv4, IPv6, IPv4-mapped) and refuses others, naming the rule', () => {
    expect(evaluateRules(rules, request())).toEqual({ allowed: true });
    expect(evaluateRules(rules, request({ ip: '::ffff:203.0.113.200' })).allowed).toBe(true);
    expect(evaluateRules(rules, request({ ip: '2001:db8:10:ffff::1' })).allowed).toBe(true);
    expect(evaluateRules(rules, request({ ip: '2001:db8:11::1' })).allowed).toBe(false);
    const refused = evaluateRules(rules, request({ ip: '198.51.100.1' }));
    expect(refused).toEqual({
      allowed: false,
      rule: { id: allowOffice.id, kind: 'ip', effect: 'allow', description: 'Office' },
      message: "Your IP address (198.51.100.1) is not in the allow list 'Office'",
    });
  });

  it('fails closed on a missing or unparseable IP for allow lists; deny lists do not match it', () => {
    expect(evaluateRules(rules, request({ ip: null })).allowed).toBe(false);
    expect(evaluateRules(rules, request({ ip: 'garbage' })).allowed).toBe(false);
    const deny = compileRules([rule({ kind: 'ip', effect: 'deny', value: ['0.0.0.0/0', '::/0'] })], 'UTC');
    expect(evaluateRules(deny, request({ ip: null })).allowed).toBe(true);
    expect(evaluateRules(deny, request({ ip: '::1' })).allowed).toBe(false);
  });

  it('matches a /0 and a /128 exactly at the edges', () => {
    const host = compileRules([rule({ kind: 'ip', effect: 'allow', value: ['2001:db8::1/128'] })], 'UTC');
    expect(evaluateRules(host, request({ ip: '2001:db8::1' })).allowed).toBe(true);
    expect(evaluateRules(host, request({ ip: '2001:db8::2' })).allowed).toBe(false);
    const odd = compileRules(
      [rule({ kind: 'ip', effect: 'allow', value: ['10.0.0.0/9', '2001:db8:8000::/33'] })],
      'UTC',
    );
    expect(evaluateRules(odd, request({ ip: '10.127.255.255' })).allowed).toBe(true);
    expect(evaluateRules(odd, request({ ip: '10.128.0.0' })).allowed).toBe(false);
    expect(evaluateRules(odd, request({ ip: '2001:db8:ffff::1' })).allowed).toBe(true);
    expect(evaluateRules(odd, request({ ip: '2001:db8:7fff::1' })).allowed).toBe(false);
  });
});

describe('precedence and targets', () => {
  it('has no rules: nothing to skip but also nothing to refuse', () => {
    expect(NO_RULES.empty).toBe(true);
    expect(compileRules([], 'UTC')).toBe(NO_RULES);
    expect(
      compileRules([rule({ kind: 'ip', effect: 'deny', value: ['0.0.0.0/0'], enabled: false })], 'UTC').empty,
    ).toBe(true);
    expect(evaluateRules(NO_RULES, request())).toEqual({ allowed: true });
  });

  it('puts deny before allow', () => {
    const allow = rule({ kind: 'ip', effect: 'allow', value: ['203.0.113.0/24'] });
    const deny = rule({ kind: 'ip', effect: 'deny', value: ['203.0.113.7'], description: 'Stolen laptop' });
    const verdict = evaluateRules(compileRules([allow, deny], 'UTC'), request());
    expect(verdict).toMatchObject({ allowed: false, rule: { id: deny.id, effect: 'deny' } });
    expect(verdict.allowed || verdict.message).toBe(
      "Your IP address (203.0.113.7) is in the deny list 'Stolen laptop'",
    );
  });

  it('needs one matching allow rule of each kind that has allow rules, and reports the first of that kind', () => {
    const ipA = rule({ kind: 'ip', effect: 'allow', value: ['198.51.100.0/24'] });
    const ipB = rule({ kind: 'ip', effect: 'allow', value: ['203.0.113.0/24'] });
    const hours = rule({
      kind: 'time',
      effect: 'allow',
      value: [{ days: [1, 2, 3, 4, 5], start: '08:00', end: '18:00' }],
    });
    const rules = compileRules([ipA, ipB, hours], 'UTC');
    expect(evaluateRules(rules, request()).allowed).toBe(true);
    expect(evaluateRules(rules, request({ ip: '192.0.2.1' }))).toMatchObject({ rule: { id: ipA.id } });
    expect(evaluateRules(rules, request({ at: Date.parse('2025-06-02T19:00:00Z') }))).toMatchObject({
      rule: { id: hours.id },
    });
  });

  it('applies rules by target: everyone, members, a role, API keys', () => {
    const onlyAdmins = rule({
      kind: 'ip',
      effect: 'allow',
      value: ['10.0.0.0/8'],
      target: 'role',
      role: 'admin',
    });
    const keys = rule({ kind: 'ip', effect: 'allow', value: ['192.0.2.0/24'], target: 'api_keys' });
    const members = rule({ kind: 'ip', effect: 'deny', value: ['198.51.100.0/24'], target: 'members' });
    const rules = compileRules([onlyAdmins, keys, members], 'UTC');
    // a plain member: only the members rule applies
    expect(evaluateRules(rules, request({ ip: '203.0.113.7' })).allowed).toBe(true);
    expect(evaluateRules(rules, request({ ip: '198.51.100.9' })).allowed).toBe(false);
    // an admin must come from 10/8
    expect(evaluateRules(rules, request({ roles: ['member', 'admin'] }))).toMatchObject({
      rule: { id: onlyAdmins.id },
    });
    expect(evaluateRules(rules, request({ roles: ['admin'], ip: '10.1.1.1' })).allowed).toBe(true);
    // an API key holds no role and is no member: only the api_keys rule applies
    expect(evaluateRules(rules, request({ apiKey: true, roles: [], ip: '198.51.100.9' }))).toMatchObject({
      rule: { id: keys.id },
    });
    expect(evaluateRules(rules, request({ apiKey: true, roles: [], ip: '192.0.2.9' })).allowed).toBe(true);
    const everyone = compileRules([rule({ kind: 'ip', effect: 'deny', value: ['192.0.2.0/24'] })], 'UTC');
    expect(evaluateRules(everyone, request({ apiKey: true, roles: [], ip: '192.0.2.9' })).allowed).toBe(
      false,
    );
  });

  it('joins the allow rules of a kind that apply: a role rule widens an everyone rule, it does not narrow it', () => {
    const office = rule({ kind: 'ip', effect: 'allow', value: ['203.0.113.0/24'] });
    const vpn = rule({ kind: 'ip', effect: 'allow', value: ['192.0.2.0/24'], target: 'role', role: 'admin' });
    const rules = compileRules([office, vpn], 'UTC');
    expect(evaluateRules(rules, request({ roles: ['admin'], ip: '192.0.2.1' })).allowed).toBe(true);
    expect(evaluateRules(rules, request({ roles: ['admin'], ip: '203.0.113.1' })).allowed).toBe(true);
    expect(evaluateRules(rules, request({ roles: ['member'], ip: '192.0.2.1' })).allowed).toBe(false);
  });

  it('names unnamed rules by what they are', () => {
    const unnamed = compileRules(
      [rule({ kind: 'ip', effect: 'allow', value: ['10.0.0.0/8'], description: '' })],
      'UTC',
    );
    const verdict = evaluateRules(unnamed, request());
    expect(verdict.allowed || verdict.message).toBe(
      'Your IP address (203.0.113.7) is not in the allow list of an unnamed IP rule',
    );
  });

  it('ignores disabled rules', () => {
    const off = rule({ kind: 'ip', effect: 'deny', value: ['0.0.0.0/0'], enabled: false });
    const on = rule({ kind: 'ip', effect: 'deny', value: ['198.51.100.0/24'] });
    const rules = compileRules([off, on], 'UTC');
    expect(evaluateRules(rules, request()).allowed).toBe(true);
  });
});

describe('country rules', () => {
  it('validates and uppercases codes against ISO 3166-1', () => {
    expect(normalizeCountries(['de', 'US', 'xk', 'de'])).toEqual(['DE', 'US', 'XK']);
    const error = thrown(() => normalizeCountries(['DE', 'EU']));
    expect(error.details).toEqual({ field: 'countries', index: 1, value: 'EU' });
    expect(thrown(() => normalizeCountries(['ZZ'])).code).toBe('ACCESS_RULE_INVALID');
  });

  it('needs the country only when an enabled country rule exists; unknown fails closed for allow', () => {
    const ip = compileRules([rule({ kind: 'ip', effect: 'deny', value: ['192.0.2.0/24'] })], 'UTC');
    expect(ip.needsCountry).toBe(false);
    const allow = compileRules(
      [rule({ kind: 'country', effect: 'allow', value: ['DE', 'AT'], description: 'DACH' })],
      'UTC',
    );
    expect(allow.needsCountry).toBe(true);
    expect(evaluateRules(allow, request({ country: 'DE' })).allowed).toBe(true);
    const us = evaluateRules(allow, request({ country: 'US' }));
    expect(us.allowed || us.message).toBe(
      "Requests from United States (US) are not in the allow list 'DACH'",
    );
    expect(evaluateRules(allow, request({ country: null })).allowed).toBe(false);
    const deny = compileRules([rule({ kind: 'country', effect: 'deny', value: ['KP'] })], 'UTC');
    expect(evaluateRules(deny, request({ country: null })).allowed).toBe(true);
    expect(evaluateRules(deny, request({ country: 'KP' })).allowed).toBe(false);
  });
});

describe('time windows', () => {
  const hours = (
    windows: { days: number[]; start: string; end: string }[],
    zone = 'UTC',
    effect: 'allow' | 'deny' = 'allow',
  ) =>
    compileRules(
      [rule({ kind: 'time', effect, value: normalizeWindows(windows), description: 'Hours' })],
      zone,
    );
  const at = (iso: string) => request({ at: Date.parse(iso) });

  it('includes the start minute and excludes the end; 24:00 is the end of the day', () => {
    const office = hours([{ days: [1], start: '09:30', end: '17:00' }]);
    expect(evaluateRules(office, at('2025-06-02T09:29:59Z')).allowed).toBe(false);
    expect(evaluateRules(office, at('2025-06-02T09:30:00Z')).allowed).toBe(true);
    expect(evaluateRules(office, at('2025-06-02T16:59:59Z')).allowed).toBe(true);
    expect(evaluateRules(office, at('2025-06-02T17:00:00Z')).allowed).toBe(false);
    const allDay = hours([{ days: [6, 7], start: '00:00', end: '24:00' }]);
    expect(evaluateRules(allDay, at('2025-06-08T23:59:00Z')).allowed).toBe(true); // Sunday
    expect(evaluateRules(allDay, at('2025-06-09T00:00:00Z')).allowed).toBe(false); // Monday
  });

  it('runs a window that ends before it starts past midnight, into the next day', () => {
    const night = hours([{ days: [5], start: '22:00', end: '06:00' }]); // Friday night
    expect(evaluateRules(night, at('2025-06-06T23:00:00Z')).allowed).toBe(true); // Fri 23:00
    expect(evaluateRules(night, at('2025-06-07T05:59:00Z')).allowed).toBe(true); // Sat 05:59
    expect(evaluateRules(night, at('2025-06-07T06:00:00Z')).allowed).toBe(false);
    expect(evaluateRules(night, at('2025-06-07T23:00:00Z')).allowed).toBe(false); // Sat night: not listed
    expect(evaluateRules(night, at('2025-06-06T05:00:00Z')).allowed).toBe(false); // Fri early: belongs to Thu
    const sunday = hours([{ days: [7], start: '20:00', end: '02:00' }]);
    expect(evaluateRules(sunday, at('2025-06-09T01:00:00Z')).allowed).toBe(true); // Mon 01:00, wraps the week
  });

  it("reads windows in the organization's zone, across a DST change", () => {
    const berlin = hours([{ days: [1, 2, 3, 4, 5, 6, 7], start: '09:00', end: '17:00' }], 'Europe/Berlin');
    // 2025-03-30 (Sunday) clocks go from CET (+1) to CEST (+2) at 02:00 local.
    expect(evaluateRules(berlin, at('2025-03-29T07:30:00Z')).allowed).toBe(false); // 08:30 CET
    expect(evaluateRules(berlin, at('2025-03-30T07:30:00Z')).allowed).toBe(true); // 09:30 CEST
    expect(evaluateRules(berlin, at('2025-03-30T15:30:00Z')).allowed).toBe(false); // 17:30 CEST
    expect(evaluateRules(berlin, at('2025-03-29T15:30:00Z')).allowed).toBe(true); // 16:30 CET
    const tokyo = hours([{ days: [2], start: '00:00', end: '01:00' }], 'Asia/Tokyo');
    expect(evaluateRules(tokyo, at('2025-06-02T15:30:00Z')).allowed).toBe(true); // Tue 00:30 in Tokyo
    expect(localTimeLabel(Date.parse('2025-06-02T15:30:00Z'), 'Asia/Tokyo')).toBe('Tue 00:30');
    expect(localTimeLabel(Date.parse('2025-03-30T07:30:00Z'), 'Europe/Berlin')).toBe('Sun 09:30');
  });

  it('explains a refusal with the local time', () => {
    const office = hours([{ days: [1], start: '10:00', end: '17:00' }], 'Europe/Berlin');
    const verdict = evaluateRules(office, at('2025-06-02T06:00:00Z'));
    expect(verdict.allowed || verdict.message).toBe(
      "Access at Mon 08:00 (Europe/Berlin) is outside the hours of 'Hours'",
    );
    const quiet = hours([{ days: [1], start: '07:00', end: '09:00' }], 'Europe/Berlin', 'deny');
    expect(evaluateRules(quiet, at('2025-06-02T06:00:00Z'))).toMatchObject({
      allowed: false,
      rule: { effect: 'deny' },
    });
  });

  it('refuses a window that starts and ends at the same minute, and sorts days', () => {
    expect(
      thrown(() => normalizeWindows([{ days: [1], start: '09:00', end: '09:00' }])).details,
    ).toMatchObject({
      field: 'windows',
      index: 0,
    });
    expect(normalizeWindows([{ days: [3, 1, 3], start: '09:00', end: '10:00' }])).toEqual([
      { days: [1, 3], start: '09:00', end: '10:00' },
    ]);
  });

  it('knows IANA zones and UTC', () => {
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('europe/berlin')).toBe(false);
  });
});
