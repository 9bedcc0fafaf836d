import { describe, expect, it } from 'vitest';
import {
  activeFilterCount,
  describeQuery,
  filtersFromParams,
  idsCount,
  idsFilter,
  searchQuery,
  withFilters,
  withoutFilters,
} from './filters';

const A = '01900000-0000-7000-8000-000000000001';
const B = '01900000-0000-7000-8000-000000000002';

describe('the ids filter (exact audit events, e.g. a security event’s evidence)', () => {
  it('reads ids from the URL, once each, and passes them to the search', () => {
    const filters = filtersFromParams(new URLSearchParams(`ids=${A},${B.toUpperCase()},${A}`));
    expect(filters.ids).toBe(`${A},${B}`);
    expect(idsCount(filters.ids)).toBe(2);
    expect(activeFilterCount(filters)).toBe(1);
    expect(searchQuery(filters)).toEqual({ ids: `${A},${B}` });
    expect(describeQuery(searchQuery(filters))).toEqual(['Selected events: 2']);
  });

  it('drops what the search would refuse, and claims no selection when nothing is left', () => {
    expect(idsFilter(`${A},not-an-id,`)).toBe(A);
    expect(idsFilter('nonsense')).toBeUndefined();
    expect(filtersFromParams(new URLSearchParams('ids=')).ids).toBeUndefined();
    const many = Array.from(
      { length: 250 },
      (_, i) => `01900000-0000-7000-8000-${String(i).padStart(12, '0')}`,
    );
    expect(idsCount(idsFilter(many.join(',')))).toBe(200);
  });

  it('is removed like any filter, and other filters keep it', () => {
    const params = new URLSearchParams(`ids=${A}&action=user.*`);
    expect(withFilters(params, { ids: undefined }).toString()).toBe('action=user.*');
    expect(withFilters(params, { outcome: 'failure' }).get('ids')).toBe(A);
    expect(withoutFilters(params).toString()).toBe('');
  });
});
