import type { CreateRoleBody, RoleOut, UpdateRoleBody } from '@custos/shared';
import { api, callSdk } from '../../app/api';

/**
 * Custom roles and host-app grants. The catalog itself (`getRoles`) lives with the members, whose
 * role pickers read it too; these mutations invalidate it. A change to a role the caller holds
 * changes what they may do, so `/me` is read again as well.
 */
export const rolesApi = api.injectEndpoints({
  endpoints: (build) => ({
    createRole: build.mutation<RoleOut, CreateRoleBody>({
      queryFn: (body) => callSdk((sdk) => sdk.roles.create(body)),
      invalidatesTags: ['Roles', 'Me'],
    }),
    updateRole: build.mutation<RoleOut, { key: string; body: UpdateRoleBody }>({
      queryFn: ({ key, body }) => callSdk((sdk) => sdk.roles.update(key, body)),
      invalidatesTags: ['Roles', 'Me'],
    }),
    deleteRole: build.mutation<{ ok: true }, string>({
      queryFn: (key) => callSdk((sdk) => sdk.roles.remove(key)),
      invalidatesTags: ['Roles', 'Me'],
    }),
  }),
});

export const { useCreateRoleMutation, useUpdateRoleMutation, useDeleteRoleMutation } = rolesApi;
