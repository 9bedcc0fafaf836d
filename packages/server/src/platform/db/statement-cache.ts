import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

const MAX_STATEMENTS = 1000;

/**
 * Kysely's SQLite driver prepares every query anew; preparing costs more than running a simple
 * indexed lookup. Our SQL text is parameterized and drawn from a bounded set, so prepared statements
 * are kept by SQL text (cleared wholesale if the set ever grows past the bound).
 */
export function withStatementCache(db: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    prepare(sql: string): SqliteStatement {
      let statement = cache.get(sql);
      if (!statement) {
        if (cache.size >= MAX_STATEMENTS) cache.clear();
        // better-sqlite3 binds an array of parameters as Kysely passes it; only the typings differ.
        statement = db.prepare(sql) as unknown as SqliteStatement;
        cache.set(sql, statement);
      }
      return statement;
    },
    close: () => db.close(),
  };
}
