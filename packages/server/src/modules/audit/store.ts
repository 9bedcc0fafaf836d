import type { Kysely, Transaction } from 'kysely';
import { parseJson, toJson } from '../../platform/db/json';
import type { DB } from '../../platform/db/schema';
import type { AuditEvent } from './event';

type Executor = Kysely<DB> | Transaction<DB>;

/** Reserves the next sequence number of a log. The upsert takes a row lock, serializing writers per log. */
export async function nextSeq(trx: Executor, logId: string): Promise<number> {
  const row = await trx
    .insertInto('auditLogHeads')
    .values({ logId, size: 1 })
    .onConflict((oc) => oc.column('logId').doUpdateSet((eb) => ({ size: eb('auditLogHeads.size', '+', 1) })))
    .returning('size')
    .executeTakeFirstOrThrow();
  return Number(row.size);
}

export async function insertEvent(trx: Executor, logId: string, event: AuditEvent): Promise<void> {
  await trx
    .insertInto('auditEvents')
    .values({
      id: event.id,
      logId,
      organizationId: event.organizationId,
      seq: event.seq,
      occurredAt: event.occurredAt,
      receivedAt: event.receivedAt,
      actorType: event.actor.type,
      actorId: event.actor.id,
      actor: toJson(event.actor),
      impersonator: event.impersonator ? toJson(event.impersonator) : null,
      action: event.action,
      outcome: event.outcome,
      targets: toJson(event.targets),
      source: event.source,
      requestId: event.requestId,
      changes: event.changes ? toJson(event.changes) : null,
      metadata: event.metadata ? toJson(event.metadata) : null,
      leafHash: event.leafHash,
    })
    .execute();
}

/** Events of one organization's log, newest first. */
export async function listEvents(db: Executor, organizationId: string, limit: number): Promise<AuditEvent[]> {
  const rows = await db
    .selectFrom('auditEvents')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .orderBy('seq', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    organizationId: r.organizationId,
    seq: Number(r.seq),
    occurredAt: r.occurredAt,
    receivedAt: r.receivedAt,
    actor: parseJson(r.actor),
    impersonator: r.impersonator ? parseJson(r.impersonator) : null,
    action: r.action,
    outcome: r.outcome as AuditEvent['outcome'],
    targets: parseJson(r.targets),
    source: r.source as AuditEvent['source'],
    requestId: r.requestId,
    changes: r.changes ? parseJson(r.changes) : null,
    metadata: r.metadata ? parseJson(r.metadata) : null,
    leafHash: r.leafHash,
  }));
}
