import { describe, expect, it } from 'vitest';
import {
  activeFilterCount,
  eventsQuery,
  filtersFromParams,
  looksLikeIp,
  paramsFromFilters,
} from './eventFilters';

const parse = (query: string) => filtersFromParams(new URLSearchParams(query));

describe('security event filters', () => {
  it('opens with what still needs someone: open and acknowledged', () => {
    const filters = parse('');
    expect(filters.status).toEqual(['open', 'acknowledged']);
    expect(activeFilterCount(filters)).toBe(0);
    expect(paramsFromFilters(filters).toString()).toBe('');
  });

  it('reads the overview links: ?severity=high&status=open', () => {
    const filters = parse('severity=high&status=open');
    expect(filters.severity).toEqual(['high']);
    expect(filters.status).toEqual(['open']);
    expect(eventsQuery(filters, 'me')).toEqual({ severity: ['high'], status: ['open'] });
  });

  it('takes repeated keys and comma lists, drops unknown values', () => {
    const filters = parse('severity=critical&severity=high,bogus&type=brute_force_ip,nope');
    expect(filters.severity).toEqual(['high', 'critical']);
    expect(filters.type).toEqual(['brute_force_ip']);
  });

  it('keeps a cleared status filter as status=all, which asks for every status', () => {
    const filters = { ...parse(''), status: [] };
    const params = paramsFromFilters(filters);
    expect(params.get('status')).toBe('all');
    const back = filtersFromParams(params);
    expect(back.status).toEqual([]);
    expect(eventsQuery(back, 'me').status).toBeUndefined();
  });

  it('round-trips every filter through the URL', () => {
    const filters = parse(
      'status=resolved&severity=low&type=new_device&sourceIp=203.0.113.7&assignee=me&subjectId=u1',
    );
    expect(filtersFromParams(paramsFromFilters(filters))).toEqual(filters);
    expect(eventsQuery(filters, 'user-1')).toEqual({
      status: ['resolved'],
      severity: ['low'],
      type: ['new_device'],
      sourceIp: '203.0.113.7',
      assigneeId: 'user-1',
      subjectId: 'u1',
    });
    expect(activeFilterCount(filters)).toBe(6);
  });

  it('checks source IPs loosely', () => {
    expect(looksLikeIp('203.0.113.7')).toBe(true);
    expect(looksLikeIp('2001:db8::1')).toBe(true);
    expect(looksLikeIp('300.1.1.1')).toBe(false);
    expect(looksLikeIp('example.com')).toBe(false);
  });
});
