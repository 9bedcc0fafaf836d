import type { ListPrivacyRequestsQuery, PrivacyRequestState, RequestType } from '@custos/shared';
import { OPEN_STATES, REQUEST_TYPE_ORDER, STATE_ORDER } from './labels';

/**
 * The requests list's filters and their URL form, so `/privacy/requests?overdue=1` (from a
 * reminder or the landing page) opens the list it names. With no `state` the list shows open
 * requests; `state=all` means every state on purpose.
 */
export interface RequestFilters {
  /** Empty: every state. */
  state: PrivacyRequestState[];
  type: RequestType | undefined;
  overdue: boolean;
}

export const DEFAULT_STATES: readonly PrivacyRequestState[] = OPEN_STATES;
const ALL = 'all';

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item) => b.includes(item));
}

export function filtersFromParams(params: URLSearchParams): RequestFilters {
  const given = params.has('state');
  const values = params
    .getAll('state')
    .flatMap((v) => v.split(','))
    .map((v) => v.trim().toLowerCase());
  const state = STATE_ORDER.filter((s) => values.includes(s));
  const type = params.get('type')?.trim().toLowerCase();
  const overdue = params.get('overdue')?.trim().toLowerCase();
  return {
    state: !given ? [...DEFAULT_STATES] : values.includes(ALL) ? [] : state,
    type: REQUEST_TYPE_ORDER.find((t) => t === type),
    overdue: overdue === '1' || overdue === 'true' || overdue === 'yes',
  };
}

/** The URL query for these filters; the default states leave `state` out. */
export function paramsFromFilters(filters: RequestFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.state.length === 0) params.set('state', ALL);
  else if (!sameSet(filters.state, DEFAULT_STATES)) params.set('state', filters.state.join(','));
  if (filters.type) params.set('type', filters.type);
  if (filters.overdue) params.set('overdue', '1');
  return params;
}

/** The API query for these filters. */
export function requestsQuery(filters: RequestFilters): ListPrivacyRequestsQuery {
  const query: ListPrivacyRequestsQuery = {};
  if (filters.state.length > 0 && filters.state.length < STATE_ORDER.length) query.state = filters.state;
  if (filters.type) query.type = filters.type;
  if (filters.overdue) query.overdue = 'true';
  return query;
}

/** Filters that differ from what the list opens with. */
export function activeFilterCount(filters: RequestFilters): number {
  return (
    (sameSet(filters.state, DEFAULT_STATES) ? 0 : 1) + (filters.type ? 1 : 0) + (filters.overdue ? 1 : 0)
  );
}
