import type { AdminUserOut } from '@custos/shared';
import { api, callSdk } from '../../app/api';

export const usersApi = api.injectEndpoints({
  endpoints: (build) => ({
    listUsers: build.query<AdminUserOut[], { q: string }>({
      queryFn: ({ q }) =>
        callSdk(async (sdk) => (await sdk.admin.users(q ? { q, limit: 100 } : { limit: 100 })).users),
      providesTags: ['AdminUsers'],
    }),
    disableUser: build.mutation<AdminUserOut, { userId: string; reason: string }>({
      queryFn: ({ userId, reason }) => callSdk((sdk) => sdk.admin.disableUser(userId, reason)),
      invalidatesTags: ['AdminUsers', 'Sessions', 'Members'],
    }),
    enableUser: build.mutation<AdminUserOut, string>({
      queryFn: (userId) => callSdk((sdk) => sdk.admin.enableUser(userId)),
      invalidatesTags: ['AdminUsers'],
    }),
  }),
});

export const { useListUsersQuery, useDisableUserMutation, useEnableUserMutation } = usersApi;
