import type { SecurityOverview } from '@custos/shared';
import { api, callSdk } from '../../app/api';

export const overviewApi = api.injectEndpoints({
  endpoints: (build) => ({
    /** The dashboard's figures; the live stream invalidates 'SecurityOverview' so they follow. */
    securityOverview: build.query<SecurityOverview, void>({
      queryFn: () => callSdk((sdk) => sdk.threats.overview()),
      providesTags: ['SecurityOverview'],
    }),
  }),
});

export const { useSecurityOverviewQuery } = overviewApi;
