import type { OutboxMessage } from '@custos/shared';
import { api, callSdk } from '../../app/api';

export const outboxApi = api.injectEndpoints({
  endpoints: (build) => ({
    listOutbox: build.query<OutboxMessage[], void>({
      queryFn: () => callSdk(async (sdk) => (await sdk.admin.outbox()).messages),
      providesTags: ['Outbox'],
    }),
  }),
});

export const { useListOutboxQuery } = outboxApi;
