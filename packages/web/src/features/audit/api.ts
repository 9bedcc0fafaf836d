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
import type {
  AuditActorSuggestion,
  AuditActorsResult,
  AuditIntegrityOut,
  AuditSearchQuery,
} from '@custos/shared';
import { api, callSdk } from '../../app/api';
import { checkHistory, type HistoryCheck, replaceRemembered } from './historyCheck';

/** Events per page of the log; the next page loads when the end of the table scrolls into view. */
export const AUDIT_PAGE_SIZE = 50;
/** Suggestions the actor picker shows at most. */
export const AUDIT_ACTOR_SUGGESTIONS = 8;

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
    /** The actor filter's suggestions for what was typed (a name, e-mail or id prefix). */
    suggestAuditActors: build.query<AuditActorSuggestion[], string>({
      // The SDK has no method for this route yet: the client's typed request is the same call.
      queryFn: (q) =>
        callSdk(async (sdk) => {
          const query = new URLSearchParams({ q, limit: String(AUDIT_ACTOR_SUGGESTIONS) });
          return (await sdk.request<AuditActorsResult>('GET', `/api/v1/audit/actors?${query}`)).actors;
        }),
      keepUnusedDataFor: 30,
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
    /**
     * The server's own check of the organization's log against what its signer signed (run on each
     * call), and the witnesses co-signing it. Keyed by organization id, so a switch asks again.
     */
    getAuditIntegrity: build.query<AuditIntegrityOut, string>({
      // The SDK has no method for this route yet: the client's typed request is the same call.
      queryFn: () => callSdk((sdk) => sdk.audit.integrity()),
      providesTags: ['AuditIntegrity'],
    }),
    /**
     * Accepts the server's current history as this browser's new baseline: the checkpoint it shows
     * now replaces the one remembered (after a legitimate restore or key change).
     */
    forgetRememberedCheckpoint: build.mutation<null, { organizationId: string; check: HistoryCheck }>({
      queryFn: ({ organizationId, check }) => replaceRemembered(organizationId, check),
      invalidatesTags: ['AuditCheckpoint'],
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
  useSuggestAuditActorsQuery,
  useGetAuditEventQuery,
  useGetAuditCheckpointQuery,
  useVerifyAuditHistoryQuery,
  useGetAuditIntegrityQuery,
  useForgetRememberedCheckpointMutation,
  useListSavedSearchesQuery,
  useSaveSearchMutation,
  useDeleteSavedSearchMutation,
  useGetAuditSettingsQuery,
  useUpdateAuditSettingsMutation,
  useEraseSubjectMutation,
} = auditApi;
