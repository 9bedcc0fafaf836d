import type {
  CreateResponseBody,
  DetectorType,
  ListResponsesQuery,
  ListSecurityEventsQuery,
  SecurityEventDetail,
  SecurityEventList,
  SecurityEventOut,
  ThreatResponseOut,
  ThreatSettingsOut,
  UpdateSecurityEventBody,
  UpdateThreatSettingsBody,
} from '@custos/shared';
import { api, callSdk } from '../../app/api';
import type { ApiError } from '../../app/errors';

/** Events per page of the list; "Load more" asks for the next page. */
export const EVENTS_PAGE_SIZE = 50;

/** How many triage calls of a bulk action run at once. */
const BULK_CONCURRENCY = 4;

export interface BulkTriageResult {
  updated: string[];
  failed: { id: string; error: ApiError }[];
}

/** Runs `work` over `items`, a few at a time, in order of completion. */
async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let start = 0; start < items.length; start += size) {
    await Promise.all(items.slice(start, start + size).map(work));
  }
}

/** How many of a type's newest events are looked through for one still open. */
const LATEST_OF_TYPE_SCAN = 10;

/** The first event still open or acknowledged, else the newest; null for none. */
export function preferUntriaged<T extends Pick<SecurityEventOut, 'status'>>(events: T[]): T | null {
  return events.find((e) => e.status === 'open' || e.status === 'acknowledged') ?? events[0] ?? null;
}

export const threatsApi = api.injectEndpoints({
  endpoints: (build) => ({
    /** Pages of security events, newest activity first; a page's `nextCursor` opens the next. */
    listSecurityEvents: build.infiniteQuery<SecurityEventList, ListSecurityEventsQuery, string | null>({
      infiniteQueryOptions: {
        initialPageParam: null,
        getNextPageParam: (lastPage) => lastPage.nextCursor,
      },
      queryFn: ({ queryArg, pageParam }) =>
        callSdk((sdk) =>
          sdk.threats.events.list({
            ...queryArg,
            limit: EVENTS_PAGE_SIZE,
            ...(pageParam ? { cursor: pageParam } : {}),
          }),
        ),
      providesTags: ['SecurityEvents'],
    }),
    /**
     * The latest event a detector raised, preferring one still waiting for triage; null when there
     * is none. `asOf` only keys the cache: callers pass what should make it ask again (a new alarm).
     */
    latestSecurityEventOfType: build.query<SecurityEventOut | null, { type: DetectorType; asOf: string }>({
      queryFn: ({ type }) =>
        callSdk(async (sdk) =>
          preferUntriaged(
            (await sdk.threats.events.list({ type: [type], limit: LATEST_OF_TYPE_SCAN })).events,
          ),
        ),
      providesTags: ['SecurityEvents'],
    }),
    getSecurityEvent: build.query<SecurityEventDetail, string>({
      queryFn: (id) => callSdk((sdk) => sdk.threats.events.get(id)),
      providesTags: (_result, _error, id) => [{ type: 'SecurityEvents', id }, 'ThreatResponses'],
    }),
    updateSecurityEvent: build.mutation<SecurityEventOut, { id: string; body: UpdateSecurityEventBody }>({
      queryFn: ({ id, body }) => callSdk((sdk) => sdk.threats.events.update(id, body)),
      invalidatesTags: ['SecurityEvents', 'SecurityOverview'],
    }),
    /** The same triage for many events; answers which ones the server refused and why. */
    triageSecurityEvents: build.mutation<BulkTriageResult, { ids: string[]; body: UpdateSecurityEventBody }>({
      queryFn: async ({ ids, body }) => {
        const result: BulkTriageResult = { updated: [], failed: [] };
        await inBatches(ids, BULK_CONCURRENCY, async (id) => {
          const answer = await callSdk((sdk) => sdk.threats.events.update(id, body));
          if ('data' in answer) result.updated.push(id);
          else result.failed.push({ id, error: answer.error });
        });
        return { data: result };
      },
      invalidatesTags: ['SecurityEvents', 'SecurityOverview'],
    }),
    listThreatResponses: build.query<ThreatResponseOut[], ListResponsesQuery>({
      queryFn: (query) => callSdk(async (sdk) => (await sdk.threats.responses.list(query)).responses),
      providesTags: ['ThreatResponses'],
    }),
    /** Blocks an IP or locks an account by hand (step-up). */
    createThreatResponse: build.mutation<ThreatResponseOut, CreateResponseBody>({
      queryFn: (body) => callSdk((sdk) => sdk.threats.responses.create(body)),
      invalidatesTags: ['ThreatResponses', 'SecurityOverview'],
    }),
    liftThreatResponse: build.mutation<ThreatResponseOut, string>({
      queryFn: (id) => callSdk((sdk) => sdk.threats.responses.lift(id)),
      invalidatesTags: ['ThreatResponses', 'SecurityEvents', 'SecurityOverview'],
    }),
    getThreatSettings: build.query<ThreatSettingsOut, void>({
      queryFn: () => callSdk((sdk) => sdk.threats.settings()),
      providesTags: ['ThreatSettings'],
    }),
    /** Detector settings and response rules (step-up). */
    updateThreatSettings: build.mutation<ThreatSettingsOut, UpdateThreatSettingsBody>({
      queryFn: (body) => callSdk((sdk) => sdk.threats.updateSettings(body)),
      invalidatesTags: ['ThreatSettings', 'SecurityOverview'],
    }),
  }),
});

export const {
  useListSecurityEventsInfiniteQuery,
  useGetSecurityEventQuery,
  useLatestSecurityEventOfTypeQuery,
  useUpdateSecurityEventMutation,
  useTriageSecurityEventsMutation,
  useListThreatResponsesQuery,
  useCreateThreatResponseMutation,
  useLiftThreatResponseMutation,
  useGetThreatSettingsQuery,
  useUpdateThreatSettingsMutation,
} = threatsApi;
