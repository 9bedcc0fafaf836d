import type BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  SelectQueryNode,
  type SqliteDatabase,
  SqliteDialect,
  type SqliteStatement,
  type TransactionSettings,
} from 'kysely';
import { withStatementCache } from './statement-cache';

/**
 * One SQLite connection shared by every request, handed out in arrival order.
 *
 * Kysely's own SQLite driver guards its connection with a mutex that wakes *every* waiter on each
 * release (they re-check and all but one go back to sleep), so under N concurrent requests each query
 * costs O(N) wake-ups; at 32 connections that tripled the cost of a session check. This queue wakes
 * exactly the next waiter, and statements are prepared once (see statement-cache.ts).
 */
export class SqliteFifoDialect extends SqliteDialect {
  private readonly cached: SqliteDatabase;

  constructor(database: BetterSqlite3.Database) {
    const cached = withStatementCache(database);
    super({ database: cached });
    this.cached = cached;
  }

  override createDriver(): Driver {
    return new SqliteFifoDriver(this.cached);
  }
}

class FifoMutex {
  private locked = false;
  private readonly waiters: Array<() => void> = [];

  lock(): Promise<void> {
    if (!this.locked) {
      this.locked = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  unlock(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.locked = false;
  }
}

class SqliteFifoDriver implements Driver {
  private readonly mutex = new FifoMutex();
  private readonly connection: SqliteFifoConnection;

  constructor(private readonly db: SqliteDatabase) {
    this.connection = new SqliteFifoConnection(db);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.mutex.lock();
    return this.connection;
  }

  async beginTransaction(connection: DatabaseConnection, _settings: TransactionSettings): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(): Promise<void> {
    this.mutex.unlock();
  }

  async destroy(): Promise<void> {
    this.db.close();
  }
}

class SqliteFifoConnection implements DatabaseConnection {
  constructor(private readonly db: SqliteDatabase) {}

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const statement: SqliteStatement = this.db.prepare(compiledQuery.sql);
    if (statement.reader) {
      return Promise.resolve({ rows: statement.all(compiledQuery.parameters) as R[] });
    }
    const { changes, lastInsertRowid } = statement.run(compiledQuery.parameters);
    return Promise.resolve({
      numAffectedRows: BigInt(changes),
      insertId: BigInt(lastInsertRowid),
      rows: [],
    });
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(compiledQuery.query)) throw new Error('SQLite streams only select queries');
    const statement = this.db.prepare(compiledQuery.sql);
    for (const row of statement.iterate(compiledQuery.parameters)) yield { rows: [row as R] };
  }
}
