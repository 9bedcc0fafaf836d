import type { Kysely } from 'kysely';
import { nowIso } from '../../platform/clock';
import type { DB } from '../../platform/db/schema';
import { type Caller, systemMeta } from '../../platform/http/caller';
import type { AuditRecorder } from './recorder';
import * as store from './store';

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
  const policies = await store.purgeablePolicies(db);
  let total = 0;
  for (const { organizationId, retentionDays } of policies) {
    const cutoff = new Date(now.getTime() - retentionDays * DAY_MS).toISOString();
    total += await db.transaction().execute(async (trx) => {
      const purged = await store.purgeBodiesBefore(trx, organizationId, cutoff);
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
  await store.deleteExpiredIdempotencyKeys(db, nowIso());
}
