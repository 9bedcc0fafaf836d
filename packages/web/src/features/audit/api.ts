import type {
  AuditCheckpointOut,
  AuditEventWithProof,
  AuditSearchResult,
  AuditSettingsBody,
  AuditSettingsOut,
  EraseSubjectResult,
  SavedSearchBody,
  SavedSearchOut,
} from '@custos/sdk';
import type { AuditSearchQuery } from '@custos/shared';
import { api, callSdk } from '../../app/api';
import { checkHistory, type HistoryCheck } from './historyCheck';

/** Events per page of the log; the next page loads when the end of the table scrolls into view. */
export const AUDIT_PAGE_SIZE = 50;

export const auditApi = api.injectEndpoints({
  endpoints: (build) => ({
    /** Pages of the search, newest first; a page's `nextCursor` is the next page's `before`. */
    searchAuditEvents: build.infiniteQuery<AuditSearchResult, AuditSearchQuery, number | null>({
      infiniteQueryOptions: {
        initialPageParam: null,
        getNextPageParam: (lastPage) => lastPage.nextCursor,
      },
      queryFn: ({ queryArg, pageParam }) =>
        callSdk((sdk) =>
          sdk.audit.search({
            ...queryArg,
            limit: AUDIT_PAGE_SIZE,
            ...(pageParam ? { before: pageParam } : {}),
          }),
        ),
      providesTags: ['AuditEvents'],
    }),
    getAuditEvent: build.query<AuditEventWithProof, string>({
      queryFn: (id) => callSdk((sdk) => sdk.audit.event(id)),
      providesTags: (_result, _error, id) => [{ type: 'AuditEvents', id }],
    }),
    getAuditCheckpoint: build.query<AuditCheckpointOut, void>({
      queryFn: () => callSdk((sdk) => sdk.audit.checkpoint()),
      providesTags: ['AuditCheckpoint'],
    }),
    /** The log checked against the checkpoint this browser remembers for the organization (its id). */
    verifyAuditHistory: build.query<HistoryCheck, string>({
      queryFn: (organizationId) => callSdk((sdk) => checkHistory(sdk, organizationId)),
      providesTags: ['AuditCheckpoint'],
    }),
    listSavedSearches: build.query<SavedSearchOut[], void>({
      queryFn: () => callSdk(async (sdk) => (await sdk.audit.savedSearches.list()).savedSearches),
      providesTags: ['SavedSearches'],
    }),
    saveSearch: build.mutation<SavedSearchOut, SavedSearchBody>({
      queryFn: (body) => callSdk((sdk) => sdk.audit.savedSearches.create(body)),
      invalidatesTags: ['SavedSearches'],
    }),
    deleteSavedSearch: build.mutation<{ ok: true }, string>({
      queryFn: (id) => callSdk((sdk) => sdk.audit.savedSearches.remove(id)),
      invalidatesTags: ['SavedSearches'],
    }),
    getAuditSettings: build.query<AuditSettingsOut, void>({
      queryFn: () => callSdk((sdk) => sdk.audit.settings.get()),
      providesTags: ['AuditSettings'],
    }),
    updateAuditSettings: build.mutation<AuditSettingsOut, AuditSettingsBody>({
      queryFn: (body) => callSdk((sdk) => sdk.audit.settings.update(body)),
      invalidatesTags: ['AuditSettings'],
    }),
    eraseSubject: build.mutation<EraseSubjectResult, string>({
      queryFn: (subject) => callSdk((sdk) => sdk.audit.eraseSubject(subject)),
      // Erased fields now read as "[erased]" wherever they are shown.
      invalidatesTags: ['AuditEvents'],
    }),
  }),
});

export const {
  useSearchAuditEventsInfiniteQuery,
  useGetAuditEventQuery,
  useGetAuditCheckpointQuery,
  useVerifyAuditHistoryQuery,
  useListSavedSearchesQuery,
  useSaveSearchMutation,
  useDeleteSavedSearchMutation,
  useGetAuditSettingsQuery,
  useUpdateAuditSettingsMutation,
  useEraseSubjectMutation,
} = auditApi;
