import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database';

/**
 * SQLite's full-text index over audit events is filled in batches instead of by every insert.
 *
 * Indexing each event as it was inserted wrote a new FTS5 segment per transaction (and merged them
 * later): a fifth of a sign-in's main-thread time (docs/benchmarks.md). Now an insert does nothing
 * for search. `audit_search_index.indexed_upto` is the highest audit_events rowid the index holds;
 * the `audit.search-index` job and every full-text search first index the rows above it
 * (search-index-store.ts), so a search still finds every event committed before it began.
 *
 * The update and delete triggers keep the index exact on both sides of the mark: a row above it is
 * not in the index and must not be deleted from it (an FTS5 'delete' of what was never indexed
 * corrupts the index). After a delete the mark never stays above the highest remaining rowid:
 * SQLite gives a new row max(rowid) + 1, which must land above the mark to be indexed.
 *
 * PostgreSQL keeps its generated tsvector and GIN index; the table exists there too (unused), so
 * both schemas match.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('audit_search_index')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('indexed_upto', 'bigint', (c) => c.notNull())
    .execute();
  if (dialect !== 'sqlite') return;
  await sql`insert into audit_search_index (id, indexed_upto)
    select 1, coalesce(max(rowid), 0) from audit_events`.execute(db);
  await sql`drop trigger audit_events_fts_insert`.execute(db);
  await sql`drop trigger audit_events_fts_update`.execute(db);
  await sql`drop trigger audit_events_fts_delete`.execute(db);
  await sql`create trigger audit_events_fts_update after update of search_text on audit_events
    when old.rowid <= (select indexed_upto from audit_search_index where id = 1) begin
      insert into audit_events_fts(audit_events_fts, rowid, search_text)
        select 'delete', old.rowid, old.search_text where old.search_text is not null;
      insert into audit_events_fts(rowid, search_text)
        select new.rowid, new.search_text where new.search_text is not null;
    end`.execute(db);
  await sql`create trigger audit_events_fts_delete after delete on audit_events begin
      insert into audit_events_fts(audit_events_fts, rowid, search_text)
        select 'delete', old.rowid, old.search_text
        where old.search_text is not null
          and old.rowid <= (select indexed_upto from audit_search_index where id = 1);
      update audit_search_index set indexed_upto = (select coalesce(max(rowid), 0) from audit_events)
        where id = 1 and indexed_upto > (select coalesce(max(rowid), 0) from audit_events);
    end`.execute(db);
}
