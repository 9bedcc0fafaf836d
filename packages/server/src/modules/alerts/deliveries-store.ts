import type { Selectable, Transaction } from 'kysely';
import type { Executor } from '../../platform/db/executor';
import type { AlertDeliveriesTable, DB } from '../../platform/db/schema';

export type DeliveryKind = 'alert' | 'digest' | 'test' | 'audit.checkpoint';
export type DeliveryStatus = 'pending' | 'retrying' | 'delivered' | 'failed';
export type DeliveryRow = Selectable<AlertDeliveriesTable>;
export type DeliveryWithChannel = DeliveryRow & { channelName: string; channelKind: string };

export async function insertDelivery(
  db: Executor,
  row: {
    id: string;
    organizationId: string;
    channelId: string;
    securityEventId: string | null;
    kind: DeliveryKind;
    messageId: string;
    payload: string;
    at: string;
    /** When the first attempt is due; default `at` (now). */
    dueAt?: string;
  },
): Promise<void> {
  await db
    .insertInto('alertDeliveries')
    .values({
      id: row.id,
      organizationId: row.organizationId,
      channelId: row.channelId,
      securityEventId: row.securityEventId,
      kind: row.kind,
      messageId: row.messageId,
      payload: row.payload,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: row.dueAt ?? row.at,
      createdAt: row.at,
    })
    .execute();
}

function withChannel(db: Executor, organizationId: string) {
  return db
    .selectFrom('alertDeliveries as d')
    .innerJoin('alertChannels as c', 'c.id', 'd.channelId')
    .selectAll('d')
    .select(['c.name as channelName', 'c.kind as channelKind'])
    .where('d.organizationId', '=', organizationId);
}

export async function findDelivery(
  db: Executor,
  organizationId: string,
  id: string,
): Promise<DeliveryWithChannel | null> {
  return (await withChannel(db, organizationId).where('d.id', '=', id).executeTakeFirst()) ?? null;
}

export interface DeliveryFilter {
  channelId?: string;
  status?: DeliveryStatus;
  kind?: DeliveryKind;
  securityEventId?: string;
  /** Keyset: rows strictly older than this (createdAt, id). */
  before?: { createdAt: string; id: string };
  limit: number;
}

/** Newest first; the caller asks for one more than the page to learn whether there is a next. */
export async function listDeliveries(
  db: Executor,
  organizationId: string,
  filter: DeliveryFilter,
): Promise<DeliveryWithChannel[]> {
  let query = withChannel(db, organizationId);
  if (filter.channelId) query = query.where('d.channelId', '=', filter.channelId);
  if (filter.status) query = query.where('d.status', '=', filter.status);
  if (filter.kind) query = query.where('d.kind', '=', filter.kind);
  if (filter.securityEventId) query = query.where('d.securityEventId', '=', filter.securityEventId);
  const before = filter.before;
  if (before) {
    query = query.where((eb) =>
      eb.or([
        eb('d.createdAt', '<', before.createdAt),
        eb.and([eb('d.createdAt', '=', before.createdAt), eb('d.id', '<', before.id)]),
      ]),
    );
  }
  return query.orderBy('d.createdAt', 'desc').orderBy('d.id', 'desc').limit(filter.limit).execute();
}

export async function attemptsOf(db: Executor, deliveryId: string) {
  return db
    .selectFrom('alertDeliveryAttempts')
    .selectAll()
    .where('deliveryId', '=', deliveryId)
    .orderBy('attempt')
    .execute();
}

/** Deliveries whose next attempt is due, every organization (the worker's queue). */
export async function dueDeliveries(db: Executor, now: string, limit: number) {
  return db
    .selectFrom('alertDeliveries')
    .select(['id', 'attempts', 'nextAttemptAt'])
    .where('status', 'in', ['pending', 'retrying'])
    .where('nextAttemptAt', '<=', now)
    .orderBy('nextAttemptAt')
    .limit(limit)
    .execute();
}

/**
 * Takes the next attempt of a delivery: a conditional UPDATE on the attempt count and due time
 * read before, so of two workers (or processes) only one wins an attempt. The due time moves to
 * `leaseUntil`, so an attempt cut short by a crash is picked up again once the lease runs out.
 */
export async function claimAttempt(
  db: Executor,
  id: string,
  seen: { attempts: number; nextAttemptAt: string | null },
  leaseUntil: string,
): Promise<boolean> {
  if (seen.nextAttemptAt === null) return false;
  const result = await db
    .updateTable('alertDeliveries')
    .set({ attempts: seen.attempts + 1, nextAttemptAt: leaseUntil })
    .where('id', '=', id)
    .where('attempts', '=', seen.attempts)
    .where('nextAttemptAt', '=', seen.nextAttemptAt)
    .where('status', 'in', ['pending', 'retrying'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function deliveryById(db: Executor, id: string): Promise<DeliveryRow | null> {
  return (await db.selectFrom('alertDeliveries').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
}

export interface AttemptRecord {
  deliveryId: string;
  attempt: number;
  at: string;
  responseCode: number | null;
  durationMs: number;
  error: string | null;
}

/** The attempt's row and the delivery's new state, together. */
export async function recordAttempt(
  trx: Transaction<DB>,
  attempt: AttemptRecord,
  next: { status: DeliveryStatus; nextAttemptAt: string | null; deliveredAt: string | null },
): Promise<void> {
  await trx.insertInto('alertDeliveryAttempts').values(attempt).execute();
  await trx
    .updateTable('alertDeliveries')
    .set({
      status: next.status,
      nextAttemptAt: next.nextAttemptAt,
      lastResponseCode: attempt.responseCode,
      lastError: attempt.error,
      ...(next.deliveredAt ? { deliveredAt: next.deliveredAt } : {}),
    })
    .where('id', '=', attempt.deliveryId)
    .where('attempts', '=', attempt.attempt)
    .execute();
}

/**
 * Whether an attempt of this delivery is running now: claimed (the attempt count moved on and the
 * due time became the lease) but not recorded yet, and the lease has not run out (after a crash it
 * does, and the delivery is free again).
 */
export async function attemptInFlight(db: Executor, delivery: DeliveryRow, now: string): Promise<boolean> {
  if (delivery.status !== 'pending' && delivery.status !== 'retrying') return false;
  if (delivery.attempts === 0 || delivery.nextAttemptAt === null || delivery.nextAttemptAt <= now)
    return false;
  const recorded = await db
    .selectFrom('alertDeliveryAttempts')
    .select('attempt')
    .where('deliveryId', '=', delivery.id)
    .where('attempt', '=', delivery.attempts)
    .executeTakeFirst();
  return recorded === undefined;
}

/**
 * A manual replay: due now, whatever its state (the message id stays). Conditional on the state
 * read before, so a worker claiming the delivery in between wins and the replay answers false.
 */
export async function requeue(
  trx: Transaction<DB>,
  organizationId: string,
  seen: Pick<DeliveryRow, 'id' | 'attempts' | 'nextAttemptAt'>,
  at: string,
): Promise<boolean> {
  const result = await trx
    .updateTable('alertDeliveries')
    .set({ status: 'pending', nextAttemptAt: at })
    .where('organizationId', '=', organizationId)
    .where('id', '=', seen.id)
    .where('attempts', '=', seen.attempts)
    .where((eb) =>
      seen.nextAttemptAt === null
        ? eb('nextAttemptAt', 'is', null)
        : eb('nextAttemptAt', '=', seen.nextAttemptAt),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Severities this channel was already sent for this event (from the payloads it was sent). */
export async function sentPayloadsFor(db: Executor, channelIds: string[], securityEventId: string) {
  if (channelIds.length === 0) return [];
  return db
    .selectFrom('alertDeliveries')
    .select(['channelId', 'payload'])
    .where('channelId', 'in', channelIds)
    .where('securityEventId', '=', securityEventId)
    .where('kind', '=', 'alert')
    .execute();
}

// ---------------------------------------------------------------- audit checkpoints

/**
 * Puts a newer checkpoint, due at `dueAt`, into the channel's checkpoint delivery that waits and
 * was never attempted (with `dueAfter`, only one due later than that). Conditional on that, so a
 * worker claiming it in between wins and this answers false. The receiver gets the newest
 * checkpoint when the time comes.
 */
export async function refreshWaitingCheckpoint(
  trx: Transaction<DB>,
  channelId: string,
  change: { payload: string; dueAt: string; dueAfter: string | null },
): Promise<boolean> {
  let update = trx
    .updateTable('alertDeliveries')
    .set({ payload: change.payload, nextAttemptAt: change.dueAt })
    .where('channelId', '=', channelId)
    .where('kind', '=', 'audit.checkpoint')
    .where('status', '=', 'pending')
    .where('attempts', '=', 0);
  if (change.dueAfter !== null) update = update.where('nextAttemptAt', '>', change.dueAfter);
  const result = await update.executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * When the channel's newest attempted checkpoint delivery was first attempted: the last time it got
 * one. Claimed but not recorded yet means it is being sent now. Null: it never got one.
 */
export async function lastCheckpointSentAt(db: Executor, channelId: string, now: string) {
  const row = await db
    .selectFrom('alertDeliveries as d')
    .select('d.attempts')
    .select((eb) =>
      eb
        .selectFrom('alertDeliveryAttempts as a')
        .select('a.at')
        .whereRef('a.deliveryId', '=', 'd.id')
        .where('a.attempt', '=', 1)
        .as('firstAttemptAt'),
    )
    .where('d.channelId', '=', channelId)
    .where('d.kind', '=', 'audit.checkpoint')
    .where('d.attempts', '>', 0)
    .orderBy('d.createdAt', 'desc')
    .orderBy('d.id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return null;
  return row.firstAttemptAt ?? now;
}

// ---------------------------------------------------------------- digest queue

export async function queueDigestItem(db: Executor, channelId: string, securityEventId: string, at: string) {
  await db
    .insertInto('alertDigestItems')
    .values({ channelId, securityEventId, queuedAt: at })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** Channels with queued digest items, with their organization. */
export async function channelsWithDigestItems(db: Executor) {
  return db
    .selectFrom('alertDigestItems as i')
    .innerJoin('alertChannels as c', 'c.id', 'i.channelId')
    .select(['c.id', 'c.organizationId'])
    .distinct()
    .execute();
}

/**
 * Removes and answers a channel's queued items: the DELETE is the claim, so when two processes
 * flush at once each item lands in exactly one digest.
 */
export async function takeDigestItems(trx: Transaction<DB>, channelId: string): Promise<string[]> {
  const rows = await trx
    .deleteFrom('alertDigestItems')
    .where('channelId', '=', channelId)
    .returning(['securityEventId', 'queuedAt'])
    .execute();
  return rows.sort((a, b) => a.queuedAt.localeCompare(b.queuedAt)).map((r) => r.securityEventId);
}

/** Deliveries that will not be tried again. */
const FINISHED: DeliveryStatus[] = ['delivered', 'failed'];

/** Privacy retention: how many of an organization's finished deliveries were made before `cutoff`. */
export async function countFinishedDeliveriesBefore(
  db: Executor,
  organizationId: string,
  cutoff: string,
): Promise<number> {
  const row = await db
    .selectFrom('alertDeliveries')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('organizationId', '=', organizationId)
    .where('status', 'in', FINISHED)
    .where('createdAt', '<', cutoff)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Privacy retention: removes them (their attempts go with them, by the foreign key); answers how many. */
export async function deleteFinishedDeliveriesBefore(
  db: Executor,
  organizationId: string,
  cutoff: string,
): Promise<number> {
  const result = await db
    .deleteFrom('alertDeliveries')
    .where('organizationId', '=', organizationId)
    .where('status', 'in', FINISHED)
    .where('createdAt', '<', cutoff)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
