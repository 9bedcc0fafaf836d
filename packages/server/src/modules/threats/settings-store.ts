import type { DetectorSettings, DetectorType, ResponseRule } from '@custos/shared';
import type { Transaction } from 'kysely';
import type { Executor } from '../../platform/db/executor';
import { parseJson, toJson } from '../../platform/db/json';
import type { DB } from '../../platform/db/schema';
import { jsonText } from './store';

/** What an organization changed: detectors it set, and its response rules (null = the defaults). */
export interface StoredThreatSettings {
  detectors: Partial<Record<DetectorType, DetectorSettings>>;
  responses: ResponseRule[] | null;
  updatedAt: string;
  updatedBy: string | null;
}

export async function findSettings(
  db: Executor,
  organizationId: string,
): Promise<StoredThreatSettings | undefined> {
  const row = await db
    .selectFrom('threatSettings')
    .select([
      jsonText('detectors').as('detectors'),
      jsonText('responses').as('responses'),
      'updatedAt',
      'updatedBy',
    ])
    .where('organizationId', '=', organizationId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    detectors: parseJson<StoredThreatSettings['detectors']>(row.detectors) ?? {},
    responses: row.responses === null ? null : parseJson<ResponseRule[]>(row.responses),
    updatedAt: row.updatedAt,
    updatedBy: row.updatedBy,
  };
}

/**
 * Takes the organization's settings row lock for a read-modify-write (an upsert that changes
 * nothing still locks the row on PostgreSQL; SQLite has one writer). A first save inserts the
 * placeholder it then overwrites in the same transaction, so nobody ever sees it.
 */
export async function lockSettings(trx: Transaction<DB>, organizationId: string, at: string): Promise<void> {
  await trx
    .insertInto('threatSettings')
    .values({ organizationId, detectors: toJson({}), responses: null, updatedAt: at, updatedBy: null })
    .onConflict((oc) =>
      oc.column('organizationId').doUpdateSet((eb) => ({ updatedAt: eb.ref('threatSettings.updatedAt') })),
    )
    .execute();
}

export async function saveSettings(
  trx: Executor,
  organizationId: string,
  settings: StoredThreatSettings,
): Promise<void> {
  await trx
    .updateTable('threatSettings')
    .set({
      detectors: toJson(settings.detectors),
      responses: settings.responses === null ? null : toJson(settings.responses),
      updatedAt: settings.updatedAt,
      updatedBy: settings.updatedBy,
    })
    .where('organizationId', '=', organizationId)
    .execute();
}
