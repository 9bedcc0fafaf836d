import type { RevokedCount } from '@custos/sdk';
import type { SessionOut } from '@custos/shared';
import { api, callSdk } from '../../app/api';

export const sessionsApi = api.injectEndpoints({
  endpoints: (build) => ({
    /** The organization's live sessions, or one member's. */
    listSessions: build.query<SessionOut[], { userId?: string }>({
      queryFn: ({ userId }) =>
        callSdk(
          async (sdk) => (await sdk.sessions.list(userId ? { userId, limit: 500 } : { limit: 500 })).sessions,
        ),
      providesTags: ['Sessions'],
    }),
    revokeSession: build.mutation<{ ok: true }, string>({
      queryFn: (sessionId) => callSdk((sdk) => sdk.sessions.revoke(sessionId)),
      invalidatesTags: ['Sessions', 'MySessions'],
    }),
    /** One member's sessions, or without `userId` everyone's but the caller's. */
    revokeSessions: build.mutation<RevokedCount, { userId?: string }>({
      queryFn: (body) => callSdk((sdk) => sdk.sessions.revokeMany(body)),
      invalidatesTags: ['Sessions', 'MySessions'],
    }),
  }),
});

export const { useListSessionsQuery, useRevokeSessionMutation, useRevokeSessionsMutation } = sessionsApi;
