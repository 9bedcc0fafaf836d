import type { Kysely } from 'kysely';
import { nowIso } from '../../platform/clock';
import type { DB } from '../../platform/db/schema';
import { type Caller, systemMeta } from '../../platform/http/caller';
import type { AuditRecorder } from './recorder';

const SYSTEM: Caller = { kind: 'anonymous', meta: systemMeta() };
const DAY_MS = 86_400_000;

/**
 * Retention: bodies of events older than the organization's retention are dropped (with their
 * plaintext search projections); seq, leaf hash and the tree stay, so later events still verify and
 * the gap is visible. A legal hold stops it. Each purge is itself an audit event.
 */
export async function purgeExpiredEvents(
  db: Kysely<DB>,
  audit: AuditRecorder,
  now = new Date(),
): Promise<number> {
  const policies = await db
    .selectFrom('auditSettings')
    .select(['organizationId', 'retentionDays'])
    .where('retentionDays', 'is not', null)
    .where('legalHold', '=', 0)
    .execute();
  let total = 0;
  for (const { organizationId, retentionDays } of policies) {
    const cutoff = new Date(now.getTime() - (retentionDays as number) * DAY_MS).toISOString();
    total += await db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('auditEvents')
        .set({ body: null, searchText: null, actorIpKey: null })
        .where('logId', '=', organizationId)
        .where('occurredAt', '<', cutoff)
        .where('body', 'is not', null)
        .executeTakeFirst();
      const purged = Number(result.numUpdatedRows);
      if (purged > 0) {
        await audit.record(trx, SYSTEM, {
          action: 'audit.events_purged',
          organizationId,
          metadata: { purged, olderThan: cutoff, retentionDays, at: nowIso() },
        });
      }
      return purged;
    });
  }
  return total;
}

/** Idempotency keys are kept 24 hours. */
export async function dropExpiredIdempotencyKeys(db: Kysely<DB>): Promise<void> {
  await db.deleteFrom('auditIdempotencyKeys').where('expiresAt', '<=', nowIso()).execute();
}
