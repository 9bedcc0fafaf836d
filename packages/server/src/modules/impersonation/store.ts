import type { Kysely, Transaction } from 'kysely';
import { nowIso } from '../../platform/clock';
import type { DB } from '../../platform/db/schema';
import type { RevokeReason } from '../sessions';

type Executor = Kysely<DB> | Transaction<DB>;

/**
 * Ends the impersonation sessions a super admin opened. They belong to the impersonated users, so
 * ending "every session of" the admin by user id misses them, yet they act on the admin's authority:
 * when that authority goes (account disabled, password reset), they must go too.
 */
export async function revokeImpersonationsBy(
  trx: Executor,
  impersonatorId: string,
  reason: RevokeReason,
): Promise<number> {
  const result = await trx
    .updateTable('sessions')
    .set({ revokedAt: nowIso(), revokedReason: reason })
    .where('impersonatorId', '=', impersonatorId)
    .where('revokedAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
