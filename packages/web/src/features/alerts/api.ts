import type {
  AlertChannelCreated,
  AlertChannelOut,
  AlertDeliveryDetail,
  AlertDeliveryList,
  AlertDeliveryOut,
  CreateAlertChannelBody,
  ListDeliveriesQuery,
  UpdateAlertChannelBody,
} from '@custos/shared';
import { api, callSdk } from '../../app/api';

/** Deliveries per page of the log. */
export const DELIVERIES_PAGE_SIZE = 50;

export const alertsApi = api.injectEndpoints({
  endpoints: (build) => ({
    listAlertChannels: build.query<AlertChannelOut[], void>({
      queryFn: () => callSdk(async (sdk) => (await sdk.alerts.channels.list()).channels),
      providesTags: ['AlertChannels'],
    }),
    /** A webhook's `secret` is in this answer only (step-up). */
    createAlertChannel: build.mutation<AlertChannelCreated, CreateAlertChannelBody>({
      queryFn: (body) => callSdk((sdk) => sdk.alerts.channels.create(body)),
      invalidatesTags: ['AlertChannels', 'SecurityOverview'],
    }),
    updateAlertChannel: build.mutation<AlertChannelOut, { id: string; body: UpdateAlertChannelBody }>({
      queryFn: ({ id, body }) => callSdk((sdk) => sdk.alerts.channels.update(id, body)),
      invalidatesTags: ['AlertChannels', 'SecurityOverview'],
    }),
    deleteAlertChannel: build.mutation<{ ok: true }, string>({
      queryFn: (id) => callSdk((sdk) => sdk.alerts.channels.remove(id)),
      invalidatesTags: ['AlertChannels', 'AlertDeliveries', 'SecurityOverview'],
    }),
    /** The new secret is in this answer only; the old one stops working (step-up). */
    rotateAlertChannelSecret: build.mutation<AlertChannelCreated, string>({
      queryFn: (id) => callSdk((sdk) => sdk.alerts.channels.rotateSecret(id)),
      invalidatesTags: ['AlertChannels'],
    }),
    testAlertChannel: build.mutation<AlertDeliveryOut, string>({
      queryFn: (id) => callSdk((sdk) => sdk.alerts.channels.test(id)),
      invalidatesTags: ['AlertChannels', 'AlertDeliveries'],
    }),
    listAlertDeliveries: build.infiniteQuery<AlertDeliveryList, ListDeliveriesQuery, string | null>({
      infiniteQueryOptions: {
        initialPageParam: null,
        getNextPageParam: (lastPage) => lastPage.nextCursor,
      },
      queryFn: ({ queryArg, pageParam }) =>
        callSdk((sdk) =>
          sdk.alerts.deliveries.list({
            ...queryArg,
            limit: DELIVERIES_PAGE_SIZE,
            ...(pageParam ? { cursor: pageParam } : {}),
          }),
        ),
      providesTags: ['AlertDeliveries'],
    }),
    getAlertDelivery: build.query<AlertDeliveryDetail, string>({
      queryFn: (id) => callSdk((sdk) => sdk.alerts.deliveries.get(id)),
      providesTags: (_result, _error, id) => [{ type: 'AlertDeliveries', id }],
    }),
    /** Sends the same message (same webhook-id) again now. */
    replayAlertDelivery: build.mutation<AlertDeliveryOut, string>({
      queryFn: (id) => callSdk((sdk) => sdk.alerts.deliveries.replay(id)),
      invalidatesTags: ['AlertDeliveries', 'AlertChannels'],
    }),
  }),
});

export const {
  useListAlertChannelsQuery,
  useCreateAlertChannelMutation,
  useUpdateAlertChannelMutation,
  useDeleteAlertChannelMutation,
  useRotateAlertChannelSecretMutation,
  useTestAlertChannelMutation,
  useListAlertDeliveriesInfiniteQuery,
  useGetAlertDeliveryQuery,
  useReplayAlertDeliveryMutation,
} = alertsApi;
