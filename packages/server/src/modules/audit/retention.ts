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
      const seqs = await store.purgeBodiesBefore(trx, organizationId, cutoff);
      if (seqs.length > 0) {
        await audit.record(trx, SYSTEM, {
          action: 'audit.events_purged',
          organizationId,
          // The ranges are what proves each missing body was purged, not removed (verify-purges.ts).
          metadata: {
            purged: seqs.length,
            ranges: toRanges(seqs),
            olderThan: cutoff,
            retentionDays,
            at: nowIso(),
          },
        });
      }
      return seqs.length;
    });
  }
  return total;
}

/** Ascending seqs as `[from, to]` runs: one pair for the usual contiguous purge of the oldest events. */
export function toRanges(seqs: readonly number[]): [number, number][] {
  const ranges: [number, number][] = [];
  for (const seq of seqs) {
    const last = ranges.at(-1);
    if (last && last[1] === seq - 1) last[1] = seq;
    else ranges.push([seq, seq]);
  }
  return ranges;
}

/** Idempotency keys are kept 24 hours. */
export async function dropExpiredIdempotencyKeys(db: Kysely<DB>): Promise<void> {
  await store.deleteExpiredIdempotencyKeys(db, nowIso());
}
