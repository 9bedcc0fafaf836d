import type { Executor } from '../../platform/db/executor';
import { parseJson, toJson } from '../../platform/db/json';

/** The organization's privacy settings; absent = every default. */
export interface StoredPrivacySettings {
  clockWaitsForVerification: Partial<Record<string, boolean>>;
  reminderDaysBefore: number[] | null;
  /** null = the default (on). */
  publicIntake: boolean | null;
  updatedAt: string;
}

export async function findSettings(
  db: Executor,
  organizationId: string,
): Promise<StoredPrivacySettings | undefined> {
  const row = await db
    .selectFrom('privacySettings')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    clockWaitsForVerification: parseJson(row.clockWaitsForVerification),
    reminderDaysBefore: row.reminderDaysBefore === null ? null : parseJson(row.reminderDaysBefore),
    publicIntake: row.publicIntake === null ? null : row.publicIntake === 1,
    updatedAt: row.updatedAt,
  };
}

export async function saveSettings(
  db: Executor,
  organizationId: string,
  settings: StoredPrivacySettings,
  updatedBy: string | null,
): Promise<void> {
  const values = {
    clockWaitsForVerification: toJson(settings.clockWaitsForVerification),
    reminderDaysBefore: settings.reminderDaysBefore === null ? null : toJson(settings.reminderDaysBefore),
    publicIntake: settings.publicIntake === null ? null : settings.publicIntake ? 1 : 0,
    updatedAt: settings.updatedAt,
    updatedBy,
  };
  await db
    .insertInto('privacySettings')
    .values({ organizationId, ...values })
    .onConflict((oc) => oc.column('organizationId').doUpdateSet(values))
    .execute();
}
