import { nowIso } from '../../platform/clock';
import { newId } from '../../platform/crypto/tokens';
import type { Executor } from '../../platform/db/executor';

/** One live reset link per account: a new one replaces the previous one. */
export async function replaceResetToken(trx: Executor, userId: string, tokenHash: string, expiresAt: string) {
  await trx.deleteFrom('passwordResetTokens').where('userId', '=', userId).execute();
  await trx
    .insertInto('passwordResetTokens')
    .values({ id: newId(), userId, tokenHash, createdAt: nowIso(), expiresAt, usedAt: null })
    .execute();
}

export async function findResetToken(db: Executor, tokenHash: string) {
  return db
    .selectFrom('passwordResetTokens')
    .select(['id', 'userId', 'createdAt', 'expiresAt', 'usedAt'])
    .where('tokenHash', '=', tokenHash)
    .executeTakeFirst();
}

/** Uses a reset token once: true only for the request that marks it used. */
export async function useResetToken(trx: Executor, id: string): Promise<boolean> {
  const result = await trx
    .updateTable('passwordResetTokens')
    .set({ usedAt: nowIso() })
    .where('id', '=', id)
    .where('usedAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
