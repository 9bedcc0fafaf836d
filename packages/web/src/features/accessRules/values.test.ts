import { describe, expect, it } from 'vitest';
import type { ApiError } from '../../app/errors';
import {
  createBody,
  draftOf,
  invalidEntry,
  lockoutRule,
  newDraft,
  updateBody,
  validateRuleDraft,
} from './ruleDraft';
import {
  countryOptions,
  daysLabel,
  hostCidr,
  isCidr,
  normalizeTime,
  splitCidrs,
  windowLabel,
} from './values';

describe('isCidr', () => {
  it.each([
    '10.0.0.0/8',
    '127.0.0.1',
    '203.0.113.7/32',
    '0.0.0.0/0',
    '::1',
    '::1/128',
    '2001:db8::/32',
    '::ffff:192.0.2.1',
    'fe80::1:2:3:4',
  ])('accepts %s', (value) => expect(isCidr(value)).toBe(true));

  it.each([
    '',
    '10.0.0.256',
    '10.0.0/8',
    '10.0.0.0/33',
    '2001:db8::/129',
    '1.2.3.4/',
    '1.2.3.4/8/8',
    'localhost',
    '2001:db8:::1',
    'fe80::1%eth0',
    '[::1]',
  ])('refuses %s', (value) => expect(isCidr(value)).toBe(false));

  it('splits entries on lines, commas and spaces', () => {
    expect(splitCidrs('10.0.0.0/8,\n 192.168.0.0/16  ::1\n\n')).toEqual([
      '10.0.0.0/8',
      '192.168.0.0/16',
      '::1',
    ]);
    expect(hostCidr('127.0.0.1')).toBe('127.0.0.1/32');
    expect(hostCidr('::1')).toBe('::1/128');
  });
});

describe('time windows', () => {
  it('names day runs', () => {
    expect(daysLabel([1, 2, 3, 4, 5])).toBe('Mon–Fri');
    expect(daysLabel([7, 6])).toBe('Sat, Sun');
    expect(daysLabel([1, 3, 5, 6, 7])).toBe('Mon, Wed, Fri–Sun');
    expect(daysLabel([1, 2, 3, 4, 5, 6, 7])).toBe('Every day');
  });

  it('marks overnight windows', () => {
    expect(windowLabel({ days: [1], start: '22:00', end: '06:00' })).toBe('Mon 22:00–06:00 (overnight)');
    expect(windowLabel({ days: [1], start: '08:00', end: '24:00' })).toBe('Mon 08:00–24:00');
  });

  it('pads a time typed without the leading zero', () => {
    expect(normalizeTime(' 9:30 ')).toBe('09:30');
    expect(normalizeTime('24:00')).toBe('24:00');
  });
});

describe('rule drafts', () => {
  it('reports bad entries before asking the server', () => {
    const ip = { ...newDraft('ip'), cidrs: '10.0.0.0/8\nnot-an-ip' };
    expect(validateRuleDraft(ip).cidrs).toMatch(/not-an-ip/);
    expect(validateRuleDraft({ ...ip, cidrs: '' }).cidrs).toMatch(/at least one/);
    expect(validateRuleDraft({ ...newDraft('country') }).countries).toBeDefined();
    expect(validateRuleDraft({ ...newDraft('ip'), cidrs: '::1', target: 'role' }).role).toBeDefined();
    const time = { ...newDraft('time'), windows: [{ days: [], start: '25:00', end: '24:00' }] };
    expect(validateRuleDraft(time).window?.[0]).toEqual({
      days: expect.stringMatching(/\S/),
      start: expect.stringMatching(/\S/),
    });
    expect(validateRuleDraft(newDraft('time'))).toEqual({});
  });

  it('builds the bodies the contract expects', () => {
    const draft = {
      ...newDraft('time'),
      windows: [{ days: [5, 1], start: '9:00', end: '17:30' }],
      role: 'auditor',
    };
    expect(createBody(draft)).toEqual({
      kind: 'time',
      windows: [{ days: [1, 5], start: '09:00', end: '17:30' }],
      effect: 'allow',
      target: 'everyone',
      role: null,
      description: '',
      enabled: true,
    });
    const ip = { ...newDraft('ip'), cidrs: '10.0.0.0/8 ::1', target: 'role' as const, role: 'auditor' };
    expect(updateBody(ip)).toMatchObject({ cidrs: ['10.0.0.0/8', '::1'], role: 'auditor' });
    expect(updateBody(ip)).not.toHaveProperty('kind');
  });

  it('round-trips a saved rule', () => {
    const draft = draftOf({
      id: 'r1',
      kind: 'ip',
      effect: 'deny',
      target: 'api_keys',
      role: null,
      cidrs: ['10.0.0.0/8', '::1/128'],
      countries: null,
      windows: null,
      description: 'no',
      enabled: false,
      createdAt: '',
      updatedAt: '',
    });
    expect(draft.cidrs).toBe('10.0.0.0/8\n::1/128');
    expect(createBody(draft)).toMatchObject({
      kind: 'ip',
      effect: 'deny',
      target: 'api_keys',
      enabled: false,
    });
  });

  it('reads the refusals of the server', () => {
    const invalid: ApiError = {
      status: 400,
      code: 'ACCESS_RULE_INVALID',
      message: 'Not a CIDR range',
      details: { field: 'cidrs', index: 1, value: '10.0.0.0/40' },
    };
    expect(invalidEntry(invalid)).toEqual({
      field: 'cidrs',
      index: 1,
      value: '10.0.0.0/40',
      message: 'Not a CIDR range',
    });
    const lockout: ApiError = {
      status: 409,
      code: 'ACCESS_RULE_LOCKOUT',
      message: 'x',
      details: { rule: { kind: 'ip', effect: 'allow' } },
    };
    expect(lockoutRule(lockout)).toEqual({ kind: 'ip', effect: 'allow', description: undefined });
    expect(lockoutRule(invalid)).toBeUndefined();
  });
});

it('lists countries by name with their code', () => {
  const options = countryOptions();
  expect(options).toHaveLength(250);
  expect(options.find((o) => o.value === 'DE')?.label).toMatch(/\(DE\)$/);
});
