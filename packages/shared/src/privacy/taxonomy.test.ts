import { describe, expect, it } from 'vitest';
import {
  CUSTOM_CATEGORY_PREFIX,
  DATA_CATEGORIES,
  DATA_SUBJECT_TYPE_NAMES,
  DATA_SUBJECT_TYPES,
  dataCategory,
  ERASURE_STRATEGIES,
  ERASURE_STRATEGY_INFO,
  isCategoryKey,
  isCustomCategoryKey,
  isDataCategoryKey,
  LAWFUL_BASES,
  LAWFUL_BASIS_INFO,
  REQUEST_TYPE_INFO,
  REQUEST_TYPES,
  RETENTION_ACTION_INFO,
  RETENTION_ACTIONS,
  RETENTION_TRIGGER_INFO,
  RETENTION_TRIGGERS,
} from './taxonomy';

const keys = DATA_CATEGORIES.map((c) => c.key);
const byKey = (key: string) => {
  const c = dataCategory(key);
  if (!c) throw new Error(`no category ${key}`);
  return c;
};

/** 45 CFR 164.514(b)(2)(i)(A)–(R), and the categories that stand for each identifier. */
const HIPAA_IDENTIFIERS: Record<string, { identifier: string; keys: string[] }> = {
  A: { identifier: 'Names', keys: ['identifiers.name'] },
  B: {
    identifier: 'Geographic subdivisions smaller than a state',
    keys: ['contact.postal_address', 'location.precise', 'location.approximate'],
  },
  C: {
    identifier: 'Dates (except year) directly related to an individual; ages over 89',
    keys: ['identifiers.date_of_birth', 'identifiers.personal_dates'],
  },
  D: { identifier: 'Telephone numbers', keys: ['contact.phone'] },
  E: { identifier: 'Fax numbers', keys: ['contact.fax'] },
  F: { identifier: 'Electronic mail addresses', keys: ['contact.email'] },
  G: { identifier: 'Social security numbers', keys: ['identifiers.national_id'] },
  H: { identifier: 'Medical record numbers', keys: ['health.medical_record_number'] },
  I: { identifier: 'Health plan beneficiary numbers', keys: ['health.plan_beneficiary_number'] },
  J: {
    identifier: 'Account numbers',
    keys: ['identifiers.account_number', 'financial.bank_account', 'financial.payment_card'],
  },
  K: { identifier: 'Certificate/license numbers', keys: ['identifiers.licence_number'] },
  L: {
    identifier: 'Vehicle identifiers and serial numbers, including license plates',
    keys: ['identifiers.vehicle'],
  },
  M: { identifier: 'Device identifiers and serial numbers', keys: ['online.device_id'] },
  N: { identifier: 'Web Universal Resource Locators (URLs)', keys: ['online.url'] },
  O: { identifier: 'Internet Protocol (IP) address numbers', keys: ['online.ip_address'] },
  P: { identifier: 'Biometric identifiers, including finger and voice prints', keys: ['special.biometric'] },
  Q: {
    identifier: 'Full face photographic images and comparable images',
    keys: ['identifiers.facial_image'],
  },
  R: {
    identifier: 'Any other unique identifying number, characteristic, or code',
    keys: [
      'identifiers.other_unique_id',
      'identifiers.identity_document',
      'identifiers.signature',
      'contact.messaging_handle',
      'online.cookie_id',
      'online.username',
    ],
  },
};

/** GDPR Art. 9(1) special categories and Art. 10 criminal offence data. */
const SPECIAL = [
  'special.racial_ethnic_origin',
  'special.political_opinions',
  'special.religious_beliefs',
  'special.trade_union',
  'special.genetic',
  'special.biometric',
  'special.health',
  'special.sex_life_orientation',
  'special.criminal_offences',
];

describe('DATA_CATEGORIES', () => {
  it('has unique keys', () => {
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('spells keys `<group>.<name>` in lower case, and never in the custom namespace', () => {
    for (const c of DATA_CATEGORIES) {
      expect(c.key).toMatch(/^[a-z]+\.[a-z0-9_]+$/);
      expect(c.key.split('.')[0]).toBe(c.group);
      expect(c.key.startsWith(CUSTOM_CATEGORY_PREFIX)).toBe(false);
    }
  });

  it('has a name and a description for each category, none repeated', () => {
    for (const c of DATA_CATEGORIES) {
      expect(c.name.trim()).not.toBe('');
      expect(c.description.length).toBeGreaterThan(10);
    }
    expect(new Set(DATA_CATEGORIES.map((c) => c.name)).size).toBe(DATA_CATEGORIES.length);
  });

  it('includes the keys the contract names', () => {
    for (const key of [
      'identifiers.name',
      'contact.email',
      'contact.phone',
      'contact.postal_address',
      'financial.payment_card',
      'financial.bank_account',
      'location.precise',
      'location.approximate',
      'online.ip_address',
      'online.device_id',
      'online.cookie_id',
      ...SPECIAL,
    ]) {
      expect(isDataCategoryKey(key), key).toBe(true);
    }
  });

  it('flags every GDPR Art. 9 and Art. 10 category as special', () => {
    for (const key of SPECIAL) expect(byKey(key).special, key).toBe(true);
    for (const c of DATA_CATEGORIES.filter((c) => c.group === 'special')) {
      expect(SPECIAL, c.key).toContain(c.key);
    }
  });

  it('flags as special only those, plus health identifiers (GDPR Recital 35)', () => {
    const flagged = DATA_CATEGORIES.filter((c) => c.special).map((c) => c.key);
    const health = DATA_CATEGORIES.filter((c) => c.group === 'health').map((c) => c.key);
    expect(health.length).toBeGreaterThan(0);
    expect(new Set(flagged)).toEqual(new Set([...SPECIAL, ...health]));
  });

  it('lists the 18 HIPAA identifiers (A)–(R)', () => {
    expect(Object.keys(HIPAA_IDENTIFIERS)).toEqual('ABCDEFGHIJKLMNOPQR'.split(''));
  });

  it.each(Object.entries(HIPAA_IDENTIFIERS))(
    'represents HIPAA identifier (%s) by categories flagged phi',
    (_, id) => {
      expect(id.keys.length).toBeGreaterThan(0);
      for (const key of id.keys) expect(byKey(key).phi, `${key} for ${id.identifier}`).toBe(true);
    },
  );

  it('flags phi only on categories that stand for one of the 18 identifiers', () => {
    const mapped = new Set(Object.values(HIPAA_IDENTIFIERS).flatMap((id) => id.keys));
    const flagged = DATA_CATEGORIES.filter((c) => c.phi).map((c) => c.key);
    expect(new Set(flagged)).toEqual(mapped);
  });

  it('does not flag health information itself as a HIPAA identifier', () => {
    expect(byKey('special.health').phi).toBe(false);
    expect(byKey('special.genetic').phi).toBe(false);
  });
});

describe('category keys', () => {
  it('recognises built-in keys only with isDataCategoryKey', () => {
    expect(isDataCategoryKey('contact.email')).toBe(true);
    expect(isDataCategoryKey('contact.Email')).toBe(false);
    expect(isDataCategoryKey('custom.loyalty_tier')).toBe(false);
    expect(isDataCategoryKey('')).toBe(false);
  });

  it.each([
    ['custom.loyalty_tier', true],
    ['custom.a1', true],
    ['custom.x', false],
    ['custom.', false],
    ['custom.1tier', false],
    ['custom.Loyalty', false],
    ['custom.loyalty-tier', false],
    ['custom.loyalty.tier', false],
    [`custom.${'a'.repeat(50)}`, true],
    [`custom.${'a'.repeat(51)}`, false],
    ['contact.email', false],
  ])('isCustomCategoryKey(%j) is %s', (key, expected) => {
    expect(isCustomCategoryKey(key)).toBe(expected);
  });

  it('accepts either kind with isCategoryKey', () => {
    expect(isCategoryKey('contact.email')).toBe(true);
    expect(isCategoryKey('custom.loyalty_tier')).toBe(true);
    expect(isCategoryKey('contact.telepathy')).toBe(false);
  });
});

describe('LAWFUL_BASES', () => {
  it('are exactly the six of GDPR Art. 6(1), in order, with their citations', () => {
    expect(LAWFUL_BASES).toEqual([
      'consent',
      'contract',
      'legal_obligation',
      'vital_interests',
      'public_task',
      'legitimate_interests',
    ]);
    expect(Object.keys(LAWFUL_BASIS_INFO).sort()).toEqual([...LAWFUL_BASES].sort());
    expect(LAWFUL_BASES.map((b) => LAWFUL_BASIS_INFO[b].citation)).toEqual([
      'GDPR Art. 6(1)(a)',
      'GDPR Art. 6(1)(b)',
      'GDPR Art. 6(1)(c)',
      'GDPR Art. 6(1)(d)',
      'GDPR Art. 6(1)(e)',
      'GDPR Art. 6(1)(f)',
    ]);
    for (const b of LAWFUL_BASES) expect(LAWFUL_BASIS_INFO[b].description.length).toBeGreaterThan(20);
  });
});

describe('REQUEST_TYPES', () => {
  it('cite the GDPR article of each right', () => {
    expect(Object.fromEntries(REQUEST_TYPES.map((t) => [t, REQUEST_TYPE_INFO[t].citation]))).toEqual({
      access: 'GDPR Art. 15',
      rectification: 'GDPR Art. 16',
      erasure: 'GDPR Art. 17',
      restriction: 'GDPR Art. 18',
      portability: 'GDPR Art. 20',
      objection: 'GDPR Art. 21',
    });
  });
});

describe('vocabularies', () => {
  it.each([
    ['erasure strategies', ERASURE_STRATEGIES, ERASURE_STRATEGY_INFO],
    ['retention triggers', RETENTION_TRIGGERS, RETENTION_TRIGGER_INFO],
    ['retention actions', RETENTION_ACTIONS, RETENTION_ACTION_INFO],
    ['request types', REQUEST_TYPES, REQUEST_TYPE_INFO],
  ] as const)('describe every one of the %s and nothing else', (_, list, info) => {
    expect(Object.keys(info).sort()).toEqual([...list].sort());
    for (const entry of Object.values(info)) {
      expect(entry.name.trim()).not.toBe('');
      expect(entry.description.trim()).not.toBe('');
    }
  });

  it('names every suggested data subject type', () => {
    expect(Object.keys(DATA_SUBJECT_TYPE_NAMES).sort()).toEqual([...DATA_SUBJECT_TYPES].sort());
    expect(DATA_SUBJECT_TYPES).toEqual(
      expect.arrayContaining(['customers', 'end_users', 'employees', 'prospects']),
    );
  });
});
