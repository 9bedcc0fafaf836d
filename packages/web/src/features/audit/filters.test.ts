import { describe, expect, it } from 'vitest';
import {
  activeFilterCount,
  describeQuery,
  filterChips,
  filterProblem,
  filtersFromParams,
  OWN_READS_PARAM,
  ownReadsShown,
  paramsFromQuery,
  savableQuery,
  searchQuery,
  visibleQuery,
  withFilters,
  withOwnReads,
  withoutFilters,
} from './filters';

const params = (search: string) => new URLSearchParams(search);

describe('audit filters in the URL', () => {
  it('reads known filters and ignores values the API would refuse', () => {
    const filters = filtersFromParams(
      params('action=user.*&outcome=denied&source=bogus&range=7d&from=2020-01-01&q=%20ada%20'),
    );
    expect(filters).toEqual({ range: '7d', action: 'user.*', outcome: 'denied', q: 'ada' });
    expect(activeFilterCount(filters)).toBe(4);
  });

  it('keeps from and to only for a custom range', () => {
    const from = '2025-01-01T00:00:00.000Z';
    expect(filtersFromParams(params(`range=custom&from=${from}&to=nonsense`))).toEqual({
      range: 'custom',
      from,
    });
  });

  it('keeps preset ranges relative and passes custom ones through', () => {
    expect(searchQuery({ range: '24h', actor: 'u1' })).toEqual({ actor: 'u1', since: '24h' });
    expect(searchQuery({ range: 'custom', from: 'a', to: 'b' })).toEqual({ from: 'a', to: 'b' });
    expect(searchQuery({ range: 'all' })).toEqual({});
  });

  it('sets and clears filters, drops a stale custom range and closes the drawer', () => {
    const next = withFilters(params('range=custom&from=x&event=e1&action=a.b'), {
      range: '1h',
      action: undefined,
    });
    expect(next.toString()).toBe('range=1h');
    expect(withFilters(params('range=7d'), { range: 'all' }).toString()).toBe('');
  });

  it('round-trips a saved query, a relative range included', () => {
    const query = { from: '2025-01-01T00:00:00.000Z', action: 'audit.*', outcome: 'failure' as const };
    expect(searchQuery(filtersFromParams(paramsFromQuery(query)))).toEqual(query);
    const relative = { since: '7d' as const, action: 'user.*' };
    expect(savableQuery({ range: '7d', action: 'user.*' })).toEqual(relative);
    expect(searchQuery(filtersFromParams(paramsFromQuery(relative)))).toEqual(relative);
    expect(describeQuery({ since: '7d', action: 'user.*', targetType: 'gig' })).toEqual([
      'Time range: Last 7 days',
      'Action: user.*',
      'Target type: gig',
    ]);
  });

  it('explains action and IP filters the search would refuse', () => {
    expect(filterProblem('action', 'user.*')).toBeUndefined();
    expect(filterProblem('action', 'User Signed In')).toMatch(/prefix/);
    expect(filterProblem('ip', '10.0.0.0/8')).toBeUndefined();
    expect(filterProblem('ip', '2001:db8::/32')).toBeUndefined();
    expect(filterProblem('ip', 'localhost')).toMatch(/CIDR/);
  });

  it("hides the viewer's own reads unless asked, and never inside a selection of events (issue 17)", () => {
    expect(ownReadsShown(params(''))).toBe(false);
    expect(visibleQuery({ action: 'audit.*' }, false)).toEqual({ action: 'audit.*', hideOwnReads: 'true' });
    expect(visibleQuery({ action: 'audit.*' }, true)).toEqual({ action: 'audit.*' });
    expect(visibleQuery({ ids: 'a' }, false)).toEqual({ ids: 'a' });
    const shown = withOwnReads(params('action=audit.*&event=e1'), true);
    expect(ownReadsShown(shown)).toBe(true);
    expect(shown.get('event')).toBe('e1');
    expect(ownReadsShown(withOwnReads(shown, false))).toBe(false);
    // The toggle is the viewer's choice: clearing filters keeps it, and it is no filter.
    expect(ownReadsShown(withoutFilters(shown))).toBe(true);
    expect(activeFilterCount(filtersFromParams(shown))).toBe(1);
    // A saved query that carries it does not put it among the filters.
    expect(paramsFromQuery({ action: 'user.*', hideOwnReads: 'true' }).toString()).toBe('action=user.*');
    expect(describeQuery({ hideOwnReads: 'true' })).toEqual(['My own searches and views: hidden']);
  });
});

describe('filter chips', () => {
  const formatInstant = (iso: string) => `at ${iso.slice(0, 10)}`;
  const chips = (search: string, actorName?: string) =>
    filterChips(filtersFromParams(params(search)), { actorName, formatInstant });

  it('shows every active filter as "Label: value", in the order of the form', () => {
    expect(
      chips(
        'q=ada&range=24h&actor=u-1&action=user.*&outcome=denied&source=sdk&ip=10.0.0.0/8&targetType=user&targetId=t-1',
      ).map((c) => c.label),
    ).toEqual([
      'Search: ada',
      'Since: 24 hours ago',
      'Actor: u-1',
      'Action: user.*',
      'Outcome: Denied',
      'Source: SDK (host apps)',
      'IP: 10.0.0.0/8',
      'Target type: user',
      'Target id: t-1',
    ]);
    expect(chips('')).toEqual([]);
    expect(chips('range=all')).toEqual([]);
  });

  it('names the actor when the picker knows the name, else shows the id as typed', () => {
    expect(chips('actor=u-1', 'Ada Lovelace')).toEqual([
      { key: 'actor', label: 'Actor: Ada Lovelace', remove: { actor: undefined } },
    ]);
    expect(chips('actor=fan-42', '')[0]?.label).toBe('Actor: fan-42');
  });

  it('removing a chip clears only its filter in the URL', () => {
    const search = params('q=ada&actor=u-1&ip=10.0.0.0/8&event=e-1&ownReads=shown');
    const ip = chips(search.toString()).find((c) => c.key === 'ip');
    const next = withFilters(search, ip?.remove ?? {});
    expect(next.get('ip')).toBeNull();
    expect(next.get('q')).toBe('ada');
    expect(next.get('actor')).toBe('u-1');
    expect(next.get(OWN_READS_PARAM)).toBe('shown');
  });

  it('shows a custom range as its bounds; removing the last bound ends the range', () => {
    const from = '2025-01-01T00:00:00.000Z';
    const to = '2025-01-02T00:00:00.000Z';
    const both = chips(`range=custom&from=${from}&to=${to}`);
    expect(both.map((c) => c.label)).toEqual(['From: at 2025-01-01', 'To: at 2025-01-02']);
    const afterFrom = withFilters(params(`range=custom&from=${from}&to=${to}`), both[0]?.remove ?? {});
    expect(afterFrom.toString()).toBe(`range=custom&to=${encodeURIComponent(to)}`);
    const [onlyTo] = chips(afterFrom.toString());
    expect(withFilters(afterFrom, onlyTo?.remove ?? {}).toString()).toBe('');
  });

  it('counts selected events, and agrees with the active filter count', () => {
    const id = '0190a0b0-0000-7000-8000-000000000001';
    const search = `ids=${id}&q=x&range=7d`;
    expect(chips(search)[0]?.label).toBe('Selected events: 1');
    expect(chips(search)).toHaveLength(activeFilterCount(filtersFromParams(params(search))));
  });
});
