import type { SecurityPolicy } from '@custos/shared';
import type { Kysely } from 'kysely';
import type { Executor } from '../../platform/db/executor';
import { parseJson } from '../../platform/db/json';
import { precompiled } from '../../platform/db/precompiled';
import type { DB } from '../../platform/db/schema';

export interface StoredPolicy extends SecurityPolicy {
  mfaRequiredSince: string | null;
  updatedAt: string;
}

// Read on every sign-in and session change: compiled once (precompiled.ts).
const policyRow = precompiled(
  (db: Kysely<DB>, organizationId: string) =>
    db.selectFrom('securityPolicies').selectAll().where('organizationId', '=', organizationId),
  [''] as const,
);

export async function findPolicy(db: Executor, organizationId: string): Promise<StoredPolicy | undefined> {
  const [row] = await policyRow(db, organizationId);
  if (!row) return undefined;
  const roles = parseJson<unknown>(row.mfaRoles);
  return {
    mfaRequirement: row.mfaRequirement as SecurityPolicy['mfaRequirement'],
    mfaRoles: Array.isArray(roles) ? roles.map(String) : [],
    mfaGraceDays: row.mfaGraceDays,
    mfaRequiredSince: row.mfaRequiredSince,
    stepUpMinutes: row.stepUpMinutes,
    idleTimeoutMinutes: row.idleTimeoutMinutes,
    absoluteLifetimeHours: row.absoluteLifetimeHours,
    maxConcurrentSessions: row.maxConcurrentSessions,
    sessionLimitAction: row.sessionLimitAction as SecurityPolicy['sessionLimitAction'],
    passwordMinLength: row.passwordMinLength,
    updatedAt: row.updatedAt,
  };
}

export async function savePolicy(trx: Executor, organizationId: string, policy: StoredPolicy): Promise<void> {
  const sessionRules = JSON.stringify({
    mfaRequirement: policy.mfaRequirement,
    mfaRoles: policy.mfaRoles,
    mfaGraceDays: policy.mfaGraceDays,
    mfaRequiredSince: policy.mfaRequiredSince,
    stepUpMinutes: policy.stepUpMinutes,
    idleTimeoutMinutes: policy.idleTimeoutMinutes,
  });
  const values = { ...policy, mfaRoles: JSON.stringify(policy.mfaRoles), sessionRules };
  await trx
    .insertInto('securityPolicies')
    .values({ organizationId, ...values })
    .onConflict((oc) => oc.column('organizationId').doUpdateSet(values))
    .execute();
}
