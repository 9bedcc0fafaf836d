import type { Executor } from '../../../platform/db/executor';
import type { PrivacyVerificationCodesTable } from '../tables';

/** The public page's verification codes (privacy_verification_codes, purpose `request`). */

export type CodeRow = PrivacyVerificationCodesTable;

export const PURPOSE_REQUEST = 'request';

export async function insertCode(db: Executor, row: CodeRow): Promise<void> {
  await db.insertInto('privacyVerificationCodes').values(row).execute();
}

/** The code a submitter's token names, in this organization only. */
export async function findByToken(
  db: Executor,
  organizationId: string,
  tokenHash: string,
): Promise<CodeRow | undefined> {
  return db
    .selectFrom('privacyVerificationCodes')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .where('purpose', '=', PURPOSE_REQUEST)
    .where('tokenHash', '=', tokenHash)
    .executeTakeFirst();
}

/**
 * Counts one attempt, only while the code is unused and under `max` attempts (two guesses at once
 * cannot both slip under the limit). Answers whether the attempt may be checked.
 */
export async function countAttempt(
  db: Executor,
  organizationId: string,
  id: string,
  max: number,
): Promise<boolean> {
  const result = await db
    .updateTable('privacyVerificationCodes')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .where('usedAt', 'is', null)
    .where('attempts', '<', max)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Marks the code used; false when another request used it first. */
export async function markUsed(
  db: Executor,
  organizationId: string,
  id: string,
  at: string,
): Promise<boolean> {
  const result = await db
    .updateTable('privacyVerificationCodes')
    .set({ usedAt: at })
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .where('usedAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
