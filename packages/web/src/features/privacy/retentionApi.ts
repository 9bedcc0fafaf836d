import type {
  CreateRetentionRuleBody,
  RetentionRuleOut,
  RetentionRunOut,
  UpdateRetentionRuleBody,
} from '@custos/shared';
import { api, callSdk } from '../../app/api';

// Retention's tags live with it, so neither the shared api nor the privacy slice changes.
const retentionBase = api.enhanceEndpoints({
  addTagTypes: ['PrivacyRetentionRules', 'PrivacyRetentionRuns'],
});

export const retentionApi = retentionBase.injectEndpoints({
  endpoints: (build) => ({
    listRetentionRules: build.query<RetentionRuleOut[], void>({
      queryFn: () => callSdk((sdk) => sdk.privacy.retention.rules()),
      providesTags: ['PrivacyRetentionRules'],
    }),
    createRetentionRule: build.mutation<RetentionRuleOut, CreateRetentionRuleBody>({
      queryFn: (body) => callSdk((sdk) => sdk.privacy.retention.createRule(body)),
      invalidatesTags: ['PrivacyRetentionRules'],
    }),
    updateRetentionRule: build.mutation<RetentionRuleOut, { id: string; body: UpdateRetentionRuleBody }>({
      queryFn: ({ id, body }) => callSdk((sdk) => sdk.privacy.retention.updateRule(id, body)),
      invalidatesTags: ['PrivacyRetentionRules'],
    }),
    removeRetentionRule: build.mutation<{ deleted: true }, string>({
      queryFn: (id) => callSdk((sdk) => sdk.privacy.retention.deleteRule(id)),
      invalidatesTags: ['PrivacyRetentionRules'],
    }),
    listRetentionRuns: build.query<RetentionRunOut[], void>({
      queryFn: () => callSdk((sdk) => sdk.privacy.retention.runs()),
      providesTags: ['PrivacyRetentionRuns'],
    }),
    runRetention: build.mutation<RetentionRunOut, { dryRun: boolean }>({
      queryFn: ({ dryRun }) =>
        callSdk((sdk) => (dryRun ? sdk.privacy.retention.dryRun() : sdk.privacy.retention.run())),
      invalidatesTags: ['PrivacyRetentionRuns', 'PrivacyRetentionRules'],
    }),
  }),
});

export const {
  useListRetentionRulesQuery,
  useCreateRetentionRuleMutation,
  useUpdateRetentionRuleMutation,
  useRemoveRetentionRuleMutation,
  useListRetentionRunsQuery,
  useRunRetentionMutation,
} = retentionApi;
