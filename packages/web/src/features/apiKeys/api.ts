import type { ApiKeyOut, CreateApiKeyBody, CreateApiKeyResult } from '@custos/shared';
import { api, callSdk } from '../../app/api';

export const apiKeysApi = api.injectEndpoints({
  endpoints: (build) => ({
    listApiKeys: build.query<ApiKeyOut[], void>({
      queryFn: () => callSdk(async (sdk) => (await sdk.apiKeys.list()).apiKeys),
      providesTags: ['ApiKeys'],
    }),
    createApiKey: build.mutation<CreateApiKeyResult, CreateApiKeyBody>({
      queryFn: (body) => callSdk((sdk) => sdk.apiKeys.create(body)),
      invalidatesTags: ['ApiKeys'],
    }),
    revokeApiKey: build.mutation<ApiKeyOut, string>({
      queryFn: (id) => callSdk((sdk) => sdk.apiKeys.revoke(id)),
      invalidatesTags: ['ApiKeys'],
    }),
  }),
});

export const { useListApiKeysQuery, useCreateApiKeyMutation, useRevokeApiKeyMutation } = apiKeysApi;
