import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { filtersFromParams, paramsFromFilters, type RequestFilters } from './requestFilters';

/** The requests list's filters, read from and written to the URL query. */
export function useRequestFilters() {
  const [params, setParams] = useSearchParams();
  const key = paramsFromFilters(filtersFromParams(params)).toString();
  const filters = useMemo(() => filtersFromParams(new URLSearchParams(key)), [key]);
  return {
    filters,
    update: (patch: Partial<RequestFilters>) =>
      setParams(paramsFromFilters({ ...filters, ...patch }), { replace: true }),
    clear: () => setParams(new URLSearchParams(), { replace: true }),
  };
}

export type RequestFiltersState = ReturnType<typeof useRequestFilters>;
