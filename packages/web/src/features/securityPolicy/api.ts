import type { SecurityPolicyOut, UpdateSecurityPolicyBody } from '@custos/shared';
import { api, callSdk } from '../../app/api';

export const securityPolicyApi = api.injectEndpoints({
  endpoints: (build) => ({
    getSecurityPolicy: build.query<SecurityPolicyOut, void>({
      queryFn: () => callSdk((sdk) => sdk.security.policy()),
      providesTags: ['SecurityPolicy'],
    }),
    updateSecurityPolicy: build.mutation<SecurityPolicyOut, UpdateSecurityPolicyBody>({
      queryFn: (body) => callSdk((sdk) => sdk.security.updatePolicy(body)),
      // The MFA requirement decides who must enrol, which /me reports.
      invalidatesTags: ['SecurityPolicy', 'Me'],
    }),
  }),
});

export const { useGetSecurityPolicyQuery, useUpdateSecurityPolicyMutation } = securityPolicyApi;
