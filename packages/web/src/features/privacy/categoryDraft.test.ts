import type { CategoryList } from '@custos/shared';
import { describe, expect, it } from 'vitest';
import {
  allCategories,
  bodyOf,
  type CategoryDraft,
  categoryOptions,
  draftProblems,
  newDraft,
  periodText,
  slugOf,
} from './categoryDraft';

const LIST: CategoryList = {
  builtIn: [
    {
      key: 'contact.email',
      name: 'Email address',
      description: '',
      group: 'contact',
      special: false,
      phi: true,
    },
    { key: 'special.health', name: 'Health', description: '', group: 'special', special: true, phi: false },
  ],
  custom: [
    {
      id: 'c1',
      key: 'custom.loyalty_tier',
      name: 'Loyalty tier',
      description: '',
      special: false,
      phi: false,
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
    },
  ],
};

describe('the categories editor', () => {
  it('groups the options, flags special and HIPAA categories, and hides those chosen', () => {
    const options = categoryOptions(allCategories(LIST), new Set(['special.health']));
    expect(options).toEqual([
      {
        group: 'Contact details',
        items: [{ value: 'contact.email', label: 'Email address (HIPAA identifier)' }],
      },
      {
        group: 'Your organization’s categories',
        items: [{ value: 'custom.loyalty_tier', label: 'Loyalty tier' }],
      },
    ]);
    expect(categoryOptions(allCategories(LIST), new Set())[1]?.items[0]?.label).toBe('Health (special)');
  });

  it('sends purposes trimmed and drops blank ones', () => {
    const draft: CategoryDraft = {
      ...newDraft('contact.email'),
      purposes: [
        { purpose: '  Invoices ', lawfulBasis: 'contract' },
        { purpose: '   ', lawfulBasis: 'consent' },
      ],
    };
    expect(bodyOf([draft])[0]?.purposes).toEqual([{ purpose: 'Invoices', lawfulBasis: 'contract' }]);
  });

  it('finds repeated categories and retention periods out of range', () => {
    const repeated = draftProblems([newDraft('contact.email'), newDraft('contact.email')]);
    expect(repeated.get('contact.email')).toMatch(/twice/);
    const tooLong = draftProblems([
      {
        ...newDraft('special.health'),
        retention: { periodDays: 0, trigger: 'since_creation', action: 'delete' },
      },
    ]);
    expect(tooLong.get('special.health')).toMatch(/between 1 day/);
    expect(draftProblems([newDraft('contact.email')]).size).toBe(0);
  });

  it('says retention periods in the unit they were set in', () => {
    expect(periodText(1)).toBe('1 day');
    expect(periodText(90)).toBe('3 months');
    expect(periodText(365 * 7)).toBe('7 years');
    expect(periodText(45)).toBe('45 days');
  });
});

describe('the key a custom category name suggests', () => {
  it('keeps lower-case letters, digits and underscores, starting with a letter', () => {
    expect(slugOf('Loyalty tier')).toBe('loyalty_tier');
    expect(slugOf('  2nd Address! ')).toBe('nd_address');
    expect(slugOf('Café préféré')).toBe('cafe_prefere');
  });
});
