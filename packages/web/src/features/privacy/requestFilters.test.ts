import { describe, expect, it } from 'vitest';
import { activeFilterCount, filtersFromParams, paramsFromFilters, requestsQuery } from './requestFilters';

const parse = (query: string) => filtersFromParams(new URLSearchParams(query));

describe('the privacy requests filters in the URL', () => {
  it('shows open requests when the URL names no state', () => {
    const filters = parse('');
    expect(filters).toEqual({
      state: ['received', 'verifying', 'awaiting_approval', 'in_progress'],
      type: undefined,
      overdue: false,
    });
    expect(activeFilterCount(filters)).toBe(0);
    expect(paramsFromFilters(filters).toString()).toBe('');
  });

  it('reads states repeated or comma-separated, dropping unknown ones', () => {
    expect(parse('state=completed,denied&state=bogus').state).toEqual(['completed', 'denied']);
    expect(parse('state=COMPLETED&state=canceled').state).toEqual(['completed', 'canceled']);
  });

  it('keeps "every state" apart from the default', () => {
    const all = parse('state=all');
    expect(all.state).toEqual([]);
    expect(paramsFromFilters(all).toString()).toBe('state=all');
    expect(requestsQuery(all)).toEqual({});
  });

  it('reads the type and overdue, ignoring unknown values', () => {
    expect(parse('type=erasure&overdue=1')).toMatchObject({ type: 'erasure', overdue: true });
    expect(parse('type=shred&overdue=true')).toMatchObject({ type: undefined, overdue: true });
    expect(parse('overdue=no').overdue).toBe(false);
  });

  it('round-trips through the URL', () => {
    const filters = parse('state=in_progress&type=access&overdue=1');
    expect(filtersFromParams(paramsFromFilters(filters))).toEqual(filters);
    expect(activeFilterCount(filters)).toBe(3);
  });

  it('asks the API only for what narrows the list', () => {
    expect(requestsQuery(parse('type=access&overdue=1'))).toEqual({
      state: ['received', 'verifying', 'awaiting_approval', 'in_progress'],
      type: 'access',
      overdue: 'true',
    });
  });
});
