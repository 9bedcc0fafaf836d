import type { SwitchOrganizationResult } from '@custos/sdk';
import type {
  AcceptInvitationBody,
  InvitationPreview,
  MeResult,
  PasswordResetRequested,
  SignedIn,
  SignInAnswer,
  SignInBody,
  SignInResult,
  StepUpOptions,
  StepUpResult,
} from '@custos/shared';
import { api, callSdk } from '../../app/api';
import { getPasskeyAssertion } from '../../app/webauthn';
import { factorProof, type ProofInput, stepUpProof } from './proof';

export const authApi = api.injectEndpoints({
  endpoints: (build) => ({
    getMe: build.query<MeResult, void>({
      queryFn: () => callSdk((sdk) => sdk.me.get()),
      providesTags: ['Me'],
    }),
    signIn: build.mutation<SignInAnswer, SignInBody>({
      queryFn: (body) => callSdk((sdk) => sdk.auth.signIn(body)),
    }),
    /** Answers the sign-in challenge; a passkey runs the browser ceremony first. */
    verifyMfa: build.mutation<
      SignedIn,
      { challenge: string; proof: Exclude<ProofInput, { method: 'password' }> }
    >({
      queryFn: ({ challenge, proof }) =>
        callSdk(async (sdk) => {
          const answer = await factorProof(
            proof,
            async () => (await sdk.auth.mfaPasskeyOptions(challenge)).options,
          );
          return sdk.auth.verifyMfa({ challenge, ...answer });
        }),
    }),
    /** Passwordless sign-in: options, the browser's passkey prompt, then the server's check. */
    passkeySignIn: build.mutation<SignedIn, { organization?: string }>({
      queryFn: ({ organization }) =>
        callSdk(async (sdk) => {
          const { options, ceremony } = await sdk.auth.passkeyOptions();
          const response = await getPasskeyAssertion(options);
          return sdk.auth.passkeySignIn({ ceremony, response, ...(organization ? { organization } : {}) });
        }),
    }),
    signOut: build.mutation<{ ok: true }, void>({
      queryFn: () => callSdk((sdk) => sdk.auth.signOut()),
    }),
    switchOrganization: build.mutation<SwitchOrganizationResult, string>({
      queryFn: (organizationId) => callSdk((sdk) => sdk.auth.switchOrganization(organizationId)),
    }),
    requestPasswordReset: build.mutation<PasswordResetRequested, string>({
      queryFn: (email) => callSdk((sdk) => sdk.auth.requestPasswordReset(email)),
    }),
    completePasswordReset: build.mutation<{ ok: true }, { token: string; newPassword: string }>({
      queryFn: (body) => callSdk((sdk) => sdk.auth.completePasswordReset(body)),
    }),
    getStepUpOptions: build.query<StepUpOptions, void>({
      queryFn: () => callSdk((sdk) => sdk.auth.stepUpOptions()),
      keepUnusedDataFor: 0,
    }),
    stepUp: build.mutation<StepUpResult, ProofInput>({
      queryFn: (proof) => callSdk(async (sdk) => sdk.auth.stepUp(await stepUpProof(sdk, proof))),
      invalidatesTags: ['Me', 'MySecurity'],
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
  useVerifyMfaMutation,
  usePasskeySignInMutation,
  useSignOutMutation,
  useSwitchOrganizationMutation,
  useRequestPasswordResetMutation,
  useCompletePasswordResetMutation,
  useGetStepUpOptionsQuery,
  useStepUpMutation,
  usePreviewInvitationQuery,
  useAcceptInvitationMutation,
} = authApi;
