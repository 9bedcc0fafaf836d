import type {
  AcceptInvitationBody,
  InvitationPreview,
  MeResult,
  SignInBody,
  SignInResult,
} from '@custos/shared';
import { api, callSdk } from '../../app/api';

export const authApi = api.injectEndpoints({
  endpoints: (build) => ({
    getMe: build.query<MeResult, void>({
      queryFn: () => callSdk((sdk) => sdk.me.get()),
      providesTags: ['Me'],
    }),
    signIn: build.mutation<SignInResult, SignInBody>({
      queryFn: (body) => callSdk((sdk) => sdk.auth.signIn(body)),
    }),
    signOut: build.mutation<{ ok: true }, void>({
      queryFn: () => callSdk((sdk) => sdk.auth.signOut()),
    }),
    switchOrganization: build.mutation<MeResult, string>({
      queryFn: (organizationId) => callSdk((sdk) => sdk.auth.switchOrganization(organizationId)),
    }),
    previewInvitation: build.query<InvitationPreview, string>({
      queryFn: (token) => callSdk((sdk) => sdk.invitations.preview(token)),
    }),
    acceptInvitation: build.mutation<SignInResult, AcceptInvitationBody>({
      queryFn: (body) => callSdk((sdk) => sdk.invitations.accept(body)),
    }),
  }),
});

export const {
  useGetMeQuery,
  useSignInMutation,
  useSignOutMutation,
  useSwitchOrganizationMutation,
  usePreviewInvitationQuery,
  useAcceptInvitationMutation,
} = authApi;
