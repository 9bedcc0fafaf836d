import { AsyncLocalStorage } from 'node:async_hooks';
import { CompiledQuery, type DatabaseConnection, type Driver, type Dialect as KyselyDialect } from 'kysely';

/**
 * PostgreSQL `statement_timeout` by the role of the work (issue 15): a request must not hold a
 * connection for long, whatever filters it sends, while an export or a background job legitimately
 * reads a whole log. The role travels with the async context, so code shared by both (checkpoints,
 * search) gets the limit of whoever runs it. Work outside any request (jobs, timers, the CLI,
 * migrations) is a job; requests enter the request role in a Fastify hook; exports leave it.
 * SQLite has no statement timeout (better-sqlite3 runs each statement to the end).
 */

/** Milliseconds one statement may run; 0 means no limit (PostgreSQL's own default). */
export interface StatementTimeouts {
  requestMs: number;
  jobMs: number;
}

export const DEFAULT_STATEMENT_TIMEOUTS: StatementTimeouts = Object.freeze({
  requestMs: 5_000,
  jobMs: 600_000,
});

type QueryRole = 'request' | 'job';

const roles = new AsyncLocalStorage<QueryRole>();

/** Runs `work`, and everything it starts, under the request timeout. */
export function runAsRequest<T>(work: () => T): T {
  return roles.run('request', work);
}

/** Runs `work`, and everything it starts, under the job timeout (exports, background jobs). */
export function runAsJob<T>(work: () => T): T {
  return roles.run('job', work);
}

/**
 * The items of `source`, each produced as a job. A response stream is pulled from whatever async
 * context the socket is in, so a generator started as a job would otherwise resume as anything.
 */
export async function* stepsAsJob<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  try {
    for (;;) {
      const step = await runAsJob(() => iterator.next());
      if (step.done) return;
      yield step.value;
    }
  } finally {
    // The reader gave up (client gone): let the source release what it holds.
    await runAsJob(async () => iterator.return?.());
  }
}

/**
 * Wraps a PostgreSQL dialect so each connection, when handed out, carries the timeout of the role
 * asking for it. A connection remembers what it was last set to, so the extra round trip is paid
 * only when a connection changes hands between a request and a job.
 */
export function withStatementTimeouts(dialect: KyselyDialect, timeouts: StatementTimeouts): KyselyDialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createDriver: () => applyTimeouts(dialect.createDriver(), timeouts),
  };
}

function applyTimeouts(inner: Driver, timeouts: StatementTimeouts): Driver {
  const current = new WeakMap<DatabaseConnection, number>();
  const driver: Driver = {
    init: () => inner.init(),
    async acquireConnection() {
      const wanted = (roles.getStore() ?? 'job') === 'request' ? timeouts.requestMs : timeouts.jobMs;
      const connection = await inner.acquireConnection();
      if (current.get(connection) === wanted) return connection;
      try {
        // set_config, unlike SET, takes its value as a bind parameter.
        await connection.executeQuery(
          CompiledQuery.raw("select set_config('statement_timeout', $1, false)", [String(wanted)]),
        );
      } catch (error) {
        current.delete(connection);
        await inner.releaseConnection(connection);
        throw error;
      }
      current.set(connection, wanted);
      return connection;
    },
    beginTransaction: (connection, settings) => inner.beginTransaction(connection, settings),
    commitTransaction: (connection) => inner.commitTransaction(connection),
    rollbackTransaction: (connection) => inner.rollbackTransaction(connection),
    releaseConnection: (connection) => inner.releaseConnection(connection),
    destroy: () => inner.destroy(),
  };
  if (inner.savepoint) driver.savepoint = inner.savepoint.bind(inner);
  if (inner.rollbackToSavepoint) driver.rollbackToSavepoint = inner.rollbackToSavepoint.bind(inner);
  if (inner.releaseSavepoint) driver.releaseSavepoint = inner.releaseSavepoint.bind(inner);
  return driver;
}
