import type { SignedIn, StartImpersonationBody } from '@custos/shared';
import { api, callSdk } from '../../app/api';

export const impersonationApi = api.injectEndpoints({
  endpoints: (build) => ({
    startImpersonation: build.mutation<SignedIn, StartImpersonationBody>({
      queryFn: (body) => callSdk((sdk) => sdk.impersonation.start(body)),
    }),
    stopImpersonation: build.mutation<SignedIn, void>({
      queryFn: () => callSdk((sdk) => sdk.impersonation.stop()),
    }),
  }),
});

export const { useStartImpersonationMutation, useStopImpersonationMutation } = impersonationApi;

/**
 * Everything loaded so far belongs to the other identity, and so may state outside RTK Query:
 * start the console afresh.
 */
export function reloadAsNewIdentity(): void {
  window.location.assign('/');
}
