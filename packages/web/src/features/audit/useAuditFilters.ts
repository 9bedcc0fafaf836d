import type { AuditSearchQuery } from '@custos/shared';
import { useMemo } from 'react';
import { useLocation, useNavigate, useSearchParams } from 'react-router';
import {
  type AuditFilters,
  filtersFromParams,
  ownReadsShown,
  paramsFromQuery,
  searchQuery,
  visibleQuery,
  withFilters,
  withOwnReads,
  withoutFilters,
} from './filters';

/** Marks a history entry that only opened the event drawer, so closing it can go back. */
interface DrawerState {
  openedDrawer?: boolean;
}

/** The audit log's filters and open event, read from and written to the URL. */
export function useAuditFilters() {
  const [params, setParams] = useSearchParams();
  const location = useLocation();
  const navigate = useNavigate();
  // Relative ranges ("last hour") resolve when the filters change, not on every render.
  const filtersKey = JSON.stringify(filtersFromParams(params));
  const filters = useMemo(() => JSON.parse(filtersKey) as AuditFilters, [filtersKey]);
  const showOwnReads = ownReadsShown(params);
  const query = useMemo(() => visibleQuery(searchQuery(filters), showOwnReads), [filters, showOwnReads]);
  const eventId = params.get('event') ?? undefined;

  return {
    filters,
    /** The filters as the API's search query. */
    query,
    /** Changes whenever the filters do: a new search. */
    filtersKey: `${filtersKey}|${showOwnReads}`,
    /** Whether the viewer's own searches and views are shown (hidden by default). */
    showOwnReads,
    setShowOwnReads: (shown: boolean) => setParams(withOwnReads(params, shown)),
    eventId,
    /** Sets filters; `replace` for edits that should not each add a history entry. */
    update: (patch: Parameters<typeof withFilters>[1], options: { replace?: boolean } = {}) =>
      setParams(withFilters(params, patch), options),
    clear: () => setParams(withoutFilters(params)),
    applyQuery: (saved: AuditSearchQuery) =>
      setParams(withOwnReads(paramsFromQuery(saved), saved.hideOwnReads === 'false' || showOwnReads)),
    openEvent: (id: string) => {
      const next = new URLSearchParams(params);
      next.set('event', id);
      setParams(next, { state: { openedDrawer: true } satisfies DrawerState });
    },
    closeEvent: () => {
      if ((location.state as DrawerState | null)?.openedDrawer) {
        navigate(-1);
        return;
      }
      const next = new URLSearchParams(params);
      next.delete('event');
      setParams(next, { replace: true });
    },
  };
}

export type AuditFiltersState = ReturnType<typeof useAuditFilters>;
