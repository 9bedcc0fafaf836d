import type { Kysely } from 'kysely';
import { nowIso } from '../../platform/clock';
import { newId } from '../../platform/crypto/tokens';
import type { DB } from '../../platform/db/schema';
import * as store from './store';

/** Levels a tree of safe-integer size can have. */
const MAX_LEVEL = 53;

export interface QuarantineResult {
  /** Seqs of the event rows moved aside. */
  events: number[];
  /** Tree node rows moved aside. */
  nodes: number;
}

/**
 * Moves every row past the log's head — event rows with a seq the head has not reached, tree nodes
 * not complete in its tree — out of the log into `audit_quarantined_rows`. Under the head's lock,
 * so no append is in flight: such a row can only have been written around Custos. It is kept as
 * evidence (exports carry it, the verifier names it), and the log can take its next event again.
 */
export async function quarantineRowsPastHead(db: Kysely<DB>, logId: string): Promise<QuarantineResult> {
  return db.transaction().execute(async (trx) => {
    const { size } = await store.lockHead(trx, logId);
    const events = await trx
      .selectFrom('auditEvents')
      .selectAll()
      .where('logId', '=', logId)
      .where('seq', '>', size)
      .orderBy('seq')
      .execute();
    // Per level, the nodes not complete in the head's tree: (idx + 1)·2^level > size. One index
    // range scan each (an OR of them would scan the log's whole tree).
    const nodes = [];
    for (let level = 0; level <= MAX_LEVEL; level++) {
      const found = await trx
        .selectFrom('auditTreeNodes')
        .selectAll()
        .where('logId', '=', logId)
        .where('level', '=', level)
        .where('idx', '>=', Math.floor(size / 2 ** level))
        .execute();
      nodes.push(...found);
    }
    nodes.push(
      ...(await trx
        .selectFrom('auditTreeNodes')
        .selectAll()
        .where('logId', '=', logId)
        .where('level', '>', MAX_LEVEL)
        .execute()),
    );
    const at = nowIso();
    const rows = [
      ...events.map((row) => ({ kind: 'event' as const, seq: Number(row.seq), data: JSON.stringify(row) })),
      ...nodes.map((row) => ({
        kind: 'node' as const,
        seq: Number(row.idx) * 2 ** Number(row.level) + 1,
        data: JSON.stringify(row),
      })),
    ];
    for (const row of rows) {
      await trx
        .insertInto('auditQuarantinedRows')
        .values({ id: newId(), logId, ...row, quarantinedAt: at })
        .execute();
    }
    if (events.length > 0) {
      await trx.deleteFrom('auditEventTargets').where('logId', '=', logId).where('seq', '>', size).execute();
      await trx.deleteFrom('auditEvents').where('logId', '=', logId).where('seq', '>', size).execute();
    }
    for (const node of nodes) {
      await trx
        .deleteFrom('auditTreeNodes')
        .where('logId', '=', logId)
        .where('level', '=', node.level)
        .where('idx', '=', node.idx)
        .execute();
    }
    return { events: events.map((e) => Number(e.seq)), nodes: nodes.length };
  });
}

/** The quarantined event rows of a log, by seq (what exports carry). */
export async function quarantinedEvents(
  db: Kysely<DB>,
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
