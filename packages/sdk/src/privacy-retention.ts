import type {
  CreateRetentionRuleBody,
  RetentionRuleOut,
  RetentionRunOut,
  UpdateRetentionRuleBody,
} from '@custos/shared';
import type { CustosClient } from './client';

const BASE = '/api/v1/privacy/retention';

/**
 * `client.privacy.retention`: rules per system and category (privacy:read to see, privacy:manage
 * to change) and runs — a dry run counts what would go, a real one removes it and sends host
 * systems their `retention` tasks.
 */
export function createRetentionApi(client: CustosClient) {
  const rule = (id: string) => `${BASE}/rules/${encodeURIComponent(id)}`;
  return {
    rules: async () => (await client.request<{ rules: RetentionRuleOut[] }>('GET', `${BASE}/rules`)).rules,
    createRule: (body: CreateRetentionRuleBody) =>
      client.request<RetentionRuleOut>('POST', `${BASE}/rules`, body),
    updateRule: (id: string, body: UpdateRetentionRuleBody) =>
      client.request<RetentionRuleOut>('PATCH', rule(id), body),
    deleteRule: (id: string) => client.request<{ deleted: true }>('DELETE', rule(id)),
    /** Counts what a run would remove now; changes nothing (the dry run is recorded and audited). */
    dryRun: () => client.request<RetentionRunOut>('POST', `${BASE}/runs`, { dryRun: true }),
    /** Removes Custos' expired data and sends each host system's rule as a task, now. */
    run: () => client.request<RetentionRunOut>('POST', `${BASE}/runs`, { dryRun: false }),
    runs: async () => (await client.request<{ runs: RetentionRunOut[] }>('GET', `${BASE}/runs`)).runs,
    getRun: (id: string) => client.request<RetentionRunOut>('GET', `${BASE}/runs/${encodeURIComponent(id)}`),
  };
}
