import type { Executor } from '../../../platform/db/executor';
import type { PrivacyAccessPackagesTable, PrivacyVerificationCodesTable } from '../tables';

/** Access packages (privacy_access_packages) and their download codes (codes, purpose `package`). */

export type PackageRow = PrivacyAccessPackagesTable;
type CodeRow = PrivacyVerificationCodesTable;

export const PURPOSE_PACKAGE = 'package';

export async function insertPackage(db: Executor, row: PackageRow): Promise<void> {
  await db.insertInto('privacyAccessPackages').values(row).execute();
}

export async function packageOfRequest(
  db: Executor,
  organizationId: string,
  requestId: string,
): Promise<PackageRow | undefined> {
  return db
    .selectFrom('privacyAccessPackages')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .where('requestId', '=', requestId)
    .orderBy('createdAt', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function findPackage(
  db: Executor,
  organizationId: string,
  id: string,
): Promise<PackageRow | undefined> {
  return db
    .selectFrom('privacyAccessPackages')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Completed access and portability requests (any organization) that have no package yet. */
export async function requestsWithoutPackage(db: Executor, limit: number) {
  return db
    .selectFrom('privacyRequests as r')
    .select(['r.organizationId', 'r.id'])
    .where('r.state', '=', 'completed')
    .where('r.type', 'in', ['access', 'portability'])
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(selectFrom('privacyAccessPackages as p').select('p.id').whereRef('p.requestId', '=', 'r.id')),
      ),
    )
    .orderBy('r.closedAt', 'asc')
    .limit(limit)
    .execute();
}

export async function countDownload(db: Executor, organizationId: string, id: string, at: string) {
  await db
    .updateTable('privacyAccessPackages')
    .set((eb) => ({ downloads: eb('downloads', '+', 1), lastDownloadedAt: at }))
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .execute();
}

/** Packages whose link has expired and whose file is not yet wiped (any organization). */
export async function expiredPackages(db: Executor, now: string, limit: number) {
  return db
    .selectFrom('privacyAccessPackages')
    .select(['id', 'organizationId', 'requestId', 'expiresAt'])
    .where('deletedAt', 'is', null)
    .where('expiresAt', '<=', now)
    .orderBy('expiresAt', 'asc')
    .limit(limit)
    .execute();
}

/** Wipes a package's file (the row stays as the record that one was made); false if already gone. */
export async function wipePackage(
  db: Executor,
  organizationId: string,
  id: string,
  at: string,
): Promise<boolean> {
  const result = await db
    .updateTable('privacyAccessPackages')
    .set({ fileRefSealed: null, deletedAt: at })
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .where('deletedAt', 'is', null)
    .executeTakeFirst();
  await db
    .deleteFrom('privacyVerificationCodes')
    .where('organizationId', '=', organizationId)
    .where('packageId', '=', id)
    .execute();
  return Number(result.numUpdatedRows) === 1;
}

export async function insertCode(db: Executor, row: CodeRow): Promise<void> {
  await db.insertInto('privacyVerificationCodes').values(row).execute();
}

export async function findCode(
  db: Executor,
  organizationId: string,
  packageId: string,
  tokenHash: string,
): Promise<CodeRow | undefined> {
  return db
    .selectFrom('privacyVerificationCodes')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .where('purpose', '=', PURPOSE_PACKAGE)
    .where('packageId', '=', packageId)
    .where('tokenHash', '=', tokenHash)
    .executeTakeFirst();
}

/** Counts one attempt while the code is unused and under `max` (parallel guesses cannot slip under). */
export async function countAttempt(db: Executor, organizationId: string, id: string, max: number) {
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

export async function markCodeUsed(db: Executor, organizationId: string, id: string, at: string) {
  const result = await db
    .updateTable('privacyVerificationCodes')
    .set({ usedAt: at })
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .where('usedAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
