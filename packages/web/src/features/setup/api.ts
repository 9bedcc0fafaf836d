import type { SetupBody, SignInResult } from '@custos/shared';
import { api, callSdk } from '../../app/api';

export const setupApi = api.injectEndpoints({
  endpoints: (build) => ({
    getSetupStatus: build.query<{ required: boolean }, void>({
      queryFn: () => callSdk((sdk) => sdk.setup.status()),
      providesTags: ['Setup'],
    }),
    completeSetup: build.mutation<SignInResult, SetupBody>({
      queryFn: (body) => callSdk((sdk) => sdk.setup.complete(body)),
    }),
  }),
});

export const { useGetSetupStatusQuery, useCompleteSetupMutation } = setupApi;
