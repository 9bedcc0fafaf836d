import type { SystemCapabilities } from '@custos/shared';
import { api, callSdk } from '../../app/api';

export const systemApi = api.injectEndpoints({
  endpoints: (build) => ({
    // A server's capabilities change only with its configuration (a restart): fetched once a session.
    getCapabilities: build.query<SystemCapabilities, void>({
      queryFn: () => callSdk((sdk) => sdk.capabilities()),
      keepUnusedDataFor: 3600,
    }),
  }),
});

export const { useGetCapabilitiesQuery } = systemApi;

/**
 * True when the server said e-mail is not configured. While it has not answered (or could not),
 * nothing is claimed either way.
 */
export function useEmailOff(): boolean {
  const { data } = useGetCapabilitiesQuery();
  return data?.email.configured === false;
}
