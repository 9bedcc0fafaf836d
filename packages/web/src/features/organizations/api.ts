import type { CreateOrganizationResult, OrganizationSummary } from '@custos/shared';
import { api, callSdk } from '../../app/api';

export const organizationsApi = api.injectEndpoints({
  endpoints: (build) => ({
    listOrganizations: build.query<OrganizationSummary[], void>({
      queryFn: () => callSdk(async (sdk) => (await sdk.admin.organizations()).organizations),
      providesTags: ['Organizations'],
    }),
    createOrganization: build.mutation<CreateOrganizationResult, { name: string; ownerEmail?: string }>({
      queryFn: (body) => callSdk((sdk) => sdk.admin.createOrganization(body)),
      // Without another owner the super admin becomes the owner: their memberships change.
      invalidatesTags: ['Organizations', 'Outbox', 'Me'],
    }),
  }),
});

export const { useListOrganizationsQuery, useCreateOrganizationMutation } = organizationsApi;
