import { type Kysely, sql } from 'kysely';
import type { Logger } from 'pino';
import type { Database, Dialect } from './database';
import type { DB } from './schema';
import { runAsJob } from './statement-timeout';

/**
 * Planner statistics on PostgreSQL (issue 15). A table nobody has analyzed gives the planner
 * default selectivities: on a fresh database, 20,000 audit events made it expect one row where
 * there were thousands, and one search ran a nested loop over 111 million rows for 25 s. Autovacuum
 * fixes that eventually (it analyzes after 10 % of a table changed, checking once a minute) when it
 * is on; Custos does not wait for it: it analyzes after migrations and after bulk writes.
 * SQLite needs none of this here: its planner's defaults serve these queries.
 */

/** Analyzes every table of the schema migrations just changed, or that has never been analyzed (a restore). */
export async function analyzeAfterMigrations(database: Database, migrated: boolean): Promise<void> {
  if (database.dialect !== 'postgres') return;
  await runAsJob(async () => {
    const { rows } = await sql<{ relname: string }>`
      select relname from pg_stat_user_tables
      where schemaname = current_schema()
        and (${migrated} or (last_analyze is null and last_autoanalyze is null))`.execute(database.db);
    if (rows.length === 0) return;
    await sql`analyze ${sql.join(rows.map((r) => sql.id(r.relname)))}`.execute(database.db);
  });
}

/** Rows written since a table was last analyzed before it is analyzed again: autovacuum's 10 %... */
const ANALYZE_FRACTION = 0.1;
/** ...but never for fewer rows than this, so a trickle of single events does not analyze each time. */
const ANALYZE_MIN_ROWS = 1_000;

export type AnalyzedTable = 'audit_events' | 'audit_event_targets' | 'audit_tree_nodes';

export interface TableStatistics {
  /** Counts rows a committed transaction wrote; analyzes the table later when enough changed. */
  noteWrites(table: AnalyzedTable, rows: number): void;
  /** Resolves when no ANALYZE is running or due; no new one starts after `stop`. */
  stop(): Promise<void>;
}

interface TableState {
  writtenSinceAnalyze: number;
  /** The row count the last ANALYZE found (pg_class.reltuples); unknown until the first. */
  rowsAtAnalyze: number;
}

/**
 * Analyzes a table once the rows written since its last ANALYZE reach a fraction of its size,
 * off the writer's path: in the background, one table at a time, under the job timeout. Each
 * server process counts its own writes; several processes only analyze a little more often.
 */
export function createTableStatistics(deps: {
  db: Kysely<DB>;
  dialect: Dialect;
  log: Logger;
}): TableStatistics {
  const { db, dialect, log } = deps;
  if (dialect !== 'postgres') return { noteWrites: () => {}, stop: async () => {} };
  const tables = new Map<AnalyzedTable, TableState>();
  const due = new Set<AnalyzedTable>();
  let running: Promise<void> | null = null;
  let stopped = false;

  function start(): void {
    if (running || stopped || due.size === 0) return;
    running = runAsJob(analyzeDue).finally(() => {
      running = null;
      start();
    });
  }

  async function analyzeDue(): Promise<void> {
    // Never on the committing caller's turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    for (const table of due) {
      if (stopped) return;
      due.delete(table);
      await analyze(db, table, tables.get(table)).catch((error: unknown) =>
        log.warn({ err: error, table }, 'analyzing a table after bulk writes failed'),
      );
    }
  }

  return {
    noteWrites(table, rows) {
      if (stopped || rows <= 0) return;
      const state = tables.get(table) ?? { writtenSinceAnalyze: 0, rowsAtAnalyze: 0 };
      tables.set(table, state);
      state.writtenSinceAnalyze += rows;
      if (state.writtenSinceAnalyze >= Math.max(ANALYZE_MIN_ROWS, ANALYZE_FRACTION * state.rowsAtAnalyze)) {
        due.add(table);
        start();
      }
    },
    async stop() {
      stopped = true;
      await running;
    },
  };
}

async function analyze(db: Kysely<DB>, table: AnalyzedTable, state: TableState | undefined): Promise<void> {
  if (state) state.writtenSinceAnalyze = 0;
  await sql`analyze ${sql.id(table)}`.execute(db);
  const { rows } = await sql<{ reltuples: number }>`
    select reltuples from pg_class where oid = to_regclass(${table})`.execute(db);
  if (state) state.rowsAtAnalyze = Math.max(0, Number(rows[0]?.reltuples ?? 0));
}
