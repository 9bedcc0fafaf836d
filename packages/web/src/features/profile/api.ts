import type { MeResult } from '@custos/shared';
import { api, callSdk } from '../../app/api';
import { authApi } from '../auth/api';

export const profileApi = api.injectEndpoints({
  endpoints: (build) => ({
    updateProfile: build.mutation<MeResult, { name: string }>({
      queryFn: (body) => callSdk((sdk) => sdk.me.update(body)),
      async onQueryStarted(_body, { dispatch, queryFulfilled }) {
        const result = await queryFulfilled.catch(() => undefined);
        if (result) dispatch(authApi.util.upsertQueryData('getMe', undefined, result.data));
      },
      invalidatesTags: ['Members'],
    }),
  }),
});

export const { useUpdateProfileMutation } = profileApi;
