import { nowIso } from '../../platform/clock';
import { newId } from '../../platform/crypto/tokens';
import type { Executor } from '../../platform/db/executor';

/** Replaces any earlier setup token: only the newest printed link works. */
export async function replaceSetupToken(db: Executor, tokenHash: string, expiresAt: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('setupTokens').where('usedAt', 'is', null).execute();
    await trx
      .insertInto('setupTokens')
      .values({ id: newId(), tokenHash, createdAt: nowIso(), expiresAt, usedAt: null })
      .execute();
  });
}

/** Spends a live token; false when it is unknown, used or expired. */
export async function useSetupToken(trx: Executor, tokenHash: string): Promise<boolean> {
  const result = await trx
    .updateTable('setupTokens')
    .set({ usedAt: nowIso() })
    .where('tokenHash', '=', tokenHash)
    .where('usedAt', 'is', null)
    .where('expiresAt', '>', nowIso())
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
