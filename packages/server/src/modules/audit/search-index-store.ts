import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../../platform/db/database';
import type { Executor } from '../../platform/db/executor';
import type { DB } from '../../platform/db/schema';

/**
 * SQLite's full-text index takes in new events in batches (migration 0013): an insert leaves it
 * alone, and this indexes the rows above `audit_search_index.indexed_upto`. One batch writes one
 * FTS5 segment however many events it holds, where indexing at every insert wrote one per
 * transaction.
 */

/** Events indexed per transaction, so a backlog never holds the one SQLite connection for long. */
export const SEARCH_INDEX_BATCH = 2_000;

/**
 * Indexes every event the full-text index lacks; answers how many rows it took in. Run before a
 * full-text search, so the search sees every event committed before it began, and by the
 * `audit.search-index` job. Inside the caller's transaction when given one; otherwise one
 * transaction per batch. A no-op on PostgreSQL, whose search vector is a generated column.
 */
export async function indexPendingSearchText(db: Executor, dialect: Dialect): Promise<number> {
  if (dialect !== 'sqlite') return 0;
  let indexed = 0;
  for (;;) {
    const batch = db.isTransaction
      ? await indexBatch(db)
      : await (db as Kysely<DB>).transaction().execute(indexBatch);
    indexed += batch;
    if (batch < SEARCH_INDEX_BATCH) return indexed;
  }
}

/**
 * The next rows above the mark, up to SEARCH_INDEX_BATCH: indexed and the mark moved past them in
 * one transaction (a row indexed twice is a corrupt FTS5 index, and cannot be undone).
 */
async function indexBatch(trx: Executor): Promise<number> {
  const mark = await trx
    .selectFrom('auditSearchIndex')
    .select('indexedUpto')
    .where('id', '=', 1)
    .executeTakeFirstOrThrow();
  const from = Number(mark.indexedUpto);
  const next = await sql<{ upTo: number | null; rows: number }>`
    select max(rowid) as up_to, count(*) as rows from (
      select rowid from audit_events where rowid > ${from} order by rowid limit ${SEARCH_INDEX_BATCH}
    )`.execute(trx);
  const [batch] = next.rows;
  if (!batch || batch.upTo === null) return 0;
  await sql`insert into audit_events_fts(rowid, search_text)
    select rowid, search_text from audit_events
    where rowid > ${from} and rowid <= ${batch.upTo} and search_text is not null
    order by rowid`.execute(trx);
  await trx.updateTable('auditSearchIndex').set({ indexedUpto: batch.upTo }).where('id', '=', 1).execute();
  return Number(batch.rows);
}
