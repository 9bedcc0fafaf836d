import type { ChangePasswordBody, OkWithToken, RecoveryCodes, RevokedCount } from '@custos/sdk';
import type { FactorAdded, FactorOut, MySecurity, SessionOut, TotpEnrollment } from '@custos/shared';
import { api, callSdk } from '../../app/api';
import { createPasskey } from '../../app/webauthn';

/** Factor changes alter the enrolment state `/me` reports, so they refresh it too. */
const FACTOR_TAGS = ['MySecurity', 'MySessions', 'Me'] as const;

export const mySecurityApi = api.injectEndpoints({
  endpoints: (build) => ({
    getMySecurity: build.query<MySecurity, void>({
      queryFn: () => callSdk((sdk) => sdk.me.security()),
      providesTags: ['MySecurity'],
    }),
    startTotp: build.mutation<TotpEnrollment, string | undefined>({
      queryFn: (name) => callSdk((sdk) => sdk.me.factors.startTotp(name)),
    }),
    confirmTotp: build.mutation<FactorAdded, { factorId: string; code: string }>({
      queryFn: ({ factorId, code }) => callSdk((sdk) => sdk.me.factors.confirmTotp(factorId, { code })),
      invalidatesTags: [...FACTOR_TAGS],
    }),
    /** Registration options, the browser's passkey prompt, then the server's check. */
    addPasskey: build.mutation<FactorAdded, { name: string }>({
      queryFn: ({ name }) =>
        callSdk(async (sdk) => {
          const { options, ceremony } = await sdk.me.factors.passkeyOptions();
          const response = await createPasskey(options);
          return sdk.me.factors.addPasskey({ ceremony, response, name });
        }),
      invalidatesTags: [...FACTOR_TAGS],
    }),
    renameFactor: build.mutation<FactorOut, { factorId: string; name: string }>({
      queryFn: ({ factorId, name }) => callSdk((sdk) => sdk.me.factors.rename(factorId, name)),
      invalidatesTags: ['MySecurity'],
    }),
    removeFactor: build.mutation<OkWithToken, string>({
      queryFn: (factorId) => callSdk((sdk) => sdk.me.factors.remove(factorId)),
      invalidatesTags: [...FACTOR_TAGS],
    }),
    generateRecoveryCodes: build.mutation<RecoveryCodes, void>({
      queryFn: () => callSdk((sdk) => sdk.me.generateRecoveryCodes()),
      invalidatesTags: ['MySecurity'],
    }),
    changeMyPassword: build.mutation<OkWithToken, ChangePasswordBody>({
      queryFn: (body) => callSdk((sdk) => sdk.me.changePassword(body)),
      invalidatesTags: ['MySecurity', 'MySessions'],
    }),
    listMySessions: build.query<SessionOut[], void>({
      queryFn: () => callSdk(async (sdk) => (await sdk.me.sessions.list()).sessions),
      providesTags: ['MySessions'],
    }),
    revokeMySession: build.mutation<{ ok: true }, string>({
      queryFn: (sessionId) => callSdk((sdk) => sdk.me.sessions.revoke(sessionId)),
      invalidatesTags: ['MySessions', 'Sessions'],
    }),
    revokeMyOtherSessions: build.mutation<RevokedCount, void>({
      queryFn: () => callSdk((sdk) => sdk.me.sessions.revokeOthers()),
      invalidatesTags: ['MySessions', 'Sessions'],
    }),
  }),
});

export const {
  useGetMySecurityQuery,
  useStartTotpMutation,
  useConfirmTotpMutation,
  useAddPasskeyMutation,
  useRenameFactorMutation,
  useRemoveFactorMutation,
  useGenerateRecoveryCodesMutation,
  useChangeMyPasswordMutation,
  useListMySessionsQuery,
  useRevokeMySessionMutation,
  useRevokeMyOtherSessionsMutation,
} = mySecurityApi;
