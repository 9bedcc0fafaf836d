import type {
  InvitationOut,
  InviteResult,
  MemberOut,
  MemberWithSecurity,
  ResetMfaResult,
  RoleCatalog,
  UnlockResult,
} from '@custos/shared';
import { api, callSdk } from '../../app/api';

export const membersApi = api.injectEndpoints({
  endpoints: (build) => ({
    getRoles: build.query<RoleCatalog, void>({
      queryFn: () => callSdk((sdk) => sdk.roles.list()),
      providesTags: ['Roles'],
    }),
    listMembers: build.query<MemberWithSecurity[], void>({
      queryFn: () => callSdk(async (sdk) => (await sdk.members.list()).members),
      providesTags: ['Members'],
    }),
    updateMemberRoles: build.mutation<MemberOut, { userId: string; roles: string[] }>({
      queryFn: ({ userId, roles }) => callSdk((sdk) => sdk.members.updateRoles(userId, roles)),
      invalidatesTags: ['Members'],
    }),
    removeMember: build.mutation<{ ok: true }, string>({
      queryFn: (userId) => callSdk((sdk) => sdk.members.remove(userId)),
      invalidatesTags: ['Members'],
    }),
    resetMemberMfa: build.mutation<ResetMfaResult, string>({
      queryFn: (userId) => callSdk((sdk) => sdk.members.resetMfa(userId)),
      invalidatesTags: ['Members'],
    }),
    unlockMember: build.mutation<UnlockResult, string>({
      queryFn: (userId) => callSdk((sdk) => sdk.members.unlock(userId)),
      invalidatesTags: ['Members'],
    }),
    listInvitations: build.query<InvitationOut[], void>({
      queryFn: () => callSdk(async (sdk) => (await sdk.invitations.list()).invitations),
      providesTags: ['Invitations'],
    }),
    inviteMember: build.mutation<InviteResult, { email: string; roles: string[] }>({
      queryFn: (body) => callSdk((sdk) => sdk.invitations.create(body)),
      invalidatesTags: ['Invitations', 'Outbox'],
    }),
    revokeInvitation: build.mutation<{ ok: true }, string>({
      queryFn: (id) => callSdk((sdk) => sdk.invitations.revoke(id)),
      invalidatesTags: ['Invitations'],
    }),
    resendInvitation: build.mutation<InviteResult, { id: string; copyLink: boolean }>({
      queryFn: ({ id, copyLink }) => callSdk((sdk) => sdk.invitations.resend(id, { copyLink })),
      invalidatesTags: ['Invitations', 'Outbox'],
    }),
  }),
});

export const {
  useGetRolesQuery,
  useListMembersQuery,
  useUpdateMemberRolesMutation,
  useRemoveMemberMutation,
  useListInvitationsQuery,
  useInviteMemberMutation,
  useRevokeInvitationMutation,
  useResetMemberMfaMutation,
  useUnlockMemberMutation,
  useResendInvitationMutation,
} = membersApi;
