import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { type EventFilters, filtersFromParams, paramsFromFilters } from './eventFilters';

/** The security events list's filters, read from and written to the URL query. */
export function useEventFilters() {
  const [params, setParams] = useSearchParams();
  const filtersKey = paramsFromFilters(filtersFromParams(params)).toString();
  const filters = useMemo(() => filtersFromParams(new URLSearchParams(filtersKey)), [filtersKey]);
  return {
    filters,
    /** Changes whenever the filters do: a new list. */
    filtersKey,
    update: (patch: Partial<EventFilters>, options: { replace?: boolean } = {}) =>
      setParams(paramsFromFilters({ ...filters, ...patch }), options),
    clear: () => setParams(new URLSearchParams()),
  };
}

export type EventFiltersState = ReturnType<typeof useEventFilters>;
