import type { Transaction } from 'kysely';
import type { Executor } from '../../platform/db/executor';
import type { DB } from '../../platform/db/schema';

/** Levels a tree of safe-integer size can have. */
const MAX_LEVEL = 53;

export type EventRowPastHead = Awaited<ReturnType<typeof eventsPastHead>>[number];
export type NodeRowPastHead = Awaited<ReturnType<typeof nodesPastHead>>[number];

/** Event rows with a seq the head has not reached, oldest first. */
export async function eventsPastHead(trx: Executor, logId: string, size: number) {
  return trx
    .selectFrom('auditEvents')
    .selectAll()
    .where('logId', '=', logId)
    .where('seq', '>', size)
    .orderBy('seq')
    .execute();
}

/** Whether any event row sits past the head (one index probe). */
export async function hasEventPastHead(db: Executor, logId: string, size: number): Promise<boolean> {
  const row = await db
    .selectFrom('auditEvents')
    .select('seq')
    .where('logId', '=', logId)
    .where('seq', '>', size)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Tree nodes not complete in a tree of `size` leaves: (idx + 1)·2^level > size. One index range
 * scan per level (an OR of them would scan the log's whole tree).
 */
export async function nodesPastHead(trx: Executor, logId: string, size: number) {
  const nodes = [];
  for (let level = 0; level <= MAX_LEVEL; level++) {
    nodes.push(
      ...(await trx
        .selectFrom('auditTreeNodes')
        .selectAll()
        .where('logId', '=', logId)
        .where('level', '=', level)
        .where('idx', '>=', Math.floor(size / 2 ** level))
        .execute()),
    );
  }
  nodes.push(
    ...(await trx
      .selectFrom('auditTreeNodes')
      .selectAll()
      .where('logId', '=', logId)
      .where('level', '>', MAX_LEVEL)
      .execute()),
  );
  return nodes;
}

export interface QuarantinedRow {
  id: string;
  logId: string;
  kind: 'event' | 'node';
  seq: number;
  data: string;
  quarantinedAt: string;
}

/** Keeps the rows as evidence, then removes them (and their target rows) from the log. */
export async function moveAside(
  trx: Transaction<DB>,
  logId: string,
  size: number,
  rows: QuarantinedRow[],
  nodes: NodeRowPastHead[],
): Promise<void> {
  for (const row of rows) await trx.insertInto('auditQuarantinedRows').values(row).execute();
  await trx.deleteFrom('auditEventTargets').where('logId', '=', logId).where('seq', '>', size).execute();
  await trx.deleteFrom('auditEvents').where('logId', '=', logId).where('seq', '>', size).execute();
  for (const node of nodes) {
    await trx
      .deleteFrom('auditTreeNodes')
      .where('logId', '=', logId)
      .where('level', '=', node.level)
      .where('idx', '=', node.idx)
      .execute();
  }
}

/** The quarantined event rows of a log, by seq (what exports carry). */
export async function quarantinedEvents(
  db: Executor,
  logId: string,
): Promise<{ seq: number; body: string | null; quarantinedAt: string }[]> {
  const rows = await db
    .selectFrom('auditQuarantinedRows')
    .select(['seq', 'data', 'quarantinedAt'])
    .where('logId', '=', logId)
    .where('kind', '=', 'event')
    .orderBy('seq')
    .limit(10_000)
    .execute();
  return rows.map((r) => {
    const data = JSON.parse(r.data) as { body?: unknown };
    return {
      seq: Number(r.seq),
      body: typeof data.body === 'string' ? data.body : null,
      quarantinedAt: r.quarantinedAt,
    };
  });
}
