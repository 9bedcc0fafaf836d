import type {
  AccessRuleList,
  AccessRuleOut,
  CreateAccessRuleBody,
  TestAccessRulesBody,
  TestAccessRulesResult,
  UpdateAccessRuleBody,
} from '@custos/shared';
import { api, callSdk } from '../../app/api';

export const accessRulesApi = api.injectEndpoints({
  endpoints: (build) => ({
    listAccessRules: build.query<AccessRuleList, void>({
      queryFn: () => callSdk((sdk) => sdk.accessRules.list()),
      providesTags: ['AccessRules'],
    }),
    createAccessRule: build.mutation<AccessRuleOut, CreateAccessRuleBody>({
      queryFn: (body) => callSdk((sdk) => sdk.accessRules.create(body)),
      invalidatesTags: ['AccessRules'],
    }),
    updateAccessRule: build.mutation<AccessRuleOut, { id: string; body: UpdateAccessRuleBody }>({
      queryFn: ({ id, body }) => callSdk((sdk) => sdk.accessRules.update(id, body)),
      invalidatesTags: ['AccessRules'],
    }),
    deleteAccessRule: build.mutation<{ ok: true }, string>({
      queryFn: (id) => callSdk((sdk) => sdk.accessRules.remove(id)),
      invalidatesTags: ['AccessRules'],
    }),
    setAccessTimeZone: build.mutation<AccessRuleList, string>({
      queryFn: (timeZone) => callSdk((sdk) => sdk.accessRules.setTimeZone(timeZone)),
      // /me carries the organization's time zone too.
      invalidatesTags: ['AccessRules', 'Me'],
    }),
    testAccessRules: build.mutation<TestAccessRulesResult, TestAccessRulesBody>({
      queryFn: (body) => callSdk((sdk) => sdk.accessRules.test(body)),
    }),
  }),
});

export const {
  useListAccessRulesQuery,
  useCreateAccessRuleMutation,
  useUpdateAccessRuleMutation,
  useDeleteAccessRuleMutation,
  useSetAccessTimeZoneMutation,
  useTestAccessRulesMutation,
} = accessRulesApi;
