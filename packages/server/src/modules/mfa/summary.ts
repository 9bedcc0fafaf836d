import type { Executor } from '../../platform/db/executor';
import * as store from './store';

/** What second factors a user has, without any secret: for an admin's list of members. */
export interface FactorSummary {
  totp: number;
  passkey: number;
  /** Recovery codes exist and at least one is unused. */
  recoveryCodes: boolean;
}

const NONE: FactorSummary = { totp: 0, passkey: 0, recoveryCodes: false };

/** Each user's confirmed factors by kind and whether unused recovery codes exist; users without any get zeros. */
export async function factorSummaries(
  db: Executor,
  userIds: readonly string[],
): Promise<Map<string, FactorSummary>> {
  const summaries = new Map<string, FactorSummary>(userIds.map((id) => [id, { ...NONE }]));
  const [factors, codes] = await Promise.all([
    store.countFactorsByUser(db, userIds),
    store.usersWithUnusedRecoveryCodes(db, userIds),
  ]);
  for (const row of factors) {
    const summary = summaries.get(row.userId);
    if (summary) summary[row.type] += row.count;
  }
  for (const userId of codes) {
    const summary = summaries.get(userId);
    if (summary) summary.recoveryCodes = true;
  }
  return summaries;
}
