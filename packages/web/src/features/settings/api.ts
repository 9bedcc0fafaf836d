import type { OrganizationOut } from '@custos/shared';
import { api, callSdk } from '../../app/api';

export const settingsApi = api.injectEndpoints({
  endpoints: (build) => ({
    renameOrganization: build.mutation<OrganizationOut, { name: string }>({
      queryFn: (body) => callSdk((sdk) => sdk.organization.update(body)),
      invalidatesTags: ['Me', 'Organizations'],
    }),
  }),
});

export const { useRenameOrganizationMutation } = settingsApi;
