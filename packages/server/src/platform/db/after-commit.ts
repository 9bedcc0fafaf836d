import type { DatabaseConnection, Driver, Kysely, Dialect as KyselyDialect, Transaction } from 'kysely';

/**
 * After-commit callbacks: work that must see only committed data (threat detection reads the audit
 * events a transaction wrote) runs the moment the transaction's COMMIT returns, and never when it
 * rolls back. The driver is wrapped so commit and rollback of each connection are observed; a
 * callback is registered against the connection its transaction holds.
 */
const pending = new WeakMap<DatabaseConnection, Array<() => void>>();

let onCallbackError: (error: unknown) => void = (error) => {
  console.error('after-commit callback failed', error);
};

/** Where failing callbacks are reported (the app's logger). */
export function reportAfterCommitErrors(report: (error: unknown) => void): void {
  onCallbackError = report;
}

export function withAfterCommit(dialect: KyselyDialect): KyselyDialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createDriver: () => observeCommits(dialect.createDriver()),
  };
}

function observeCommits(inner: Driver): Driver {
  const driver: Driver = {
    init: () => inner.init(),
    acquireConnection: () => inner.acquireConnection(),
    beginTransaction: (connection, settings) => {
      pending.delete(connection);
      return inner.beginTransaction(connection, settings);
    },
    async commitTransaction(connection) {
      await inner.commitTransaction(connection);
      const callbacks = pending.get(connection);
      if (!callbacks) return;
      pending.delete(connection);
      // The transaction has committed: a failing callback must neither skip the others nor make
      // the committed work look failed (Kysely would then try to roll it back).
      for (const callback of callbacks) {
        try {
          callback();
        } catch (error) {
          onCallbackError(error);
        }
      }
    },
    async rollbackTransaction(connection) {
      pending.delete(connection);
      await inner.rollbackTransaction(connection);
    },
    releaseConnection: (connection) => inner.releaseConnection(connection),
    destroy: () => inner.destroy(),
  };
  if (inner.savepoint) driver.savepoint = inner.savepoint.bind(inner);
  if (inner.rollbackToSavepoint) driver.rollbackToSavepoint = inner.rollbackToSavepoint.bind(inner);
  if (inner.releaseSavepoint) driver.releaseSavepoint = inner.releaseSavepoint.bind(inner);
  return driver;
}

/**
 * Runs `callback` once `trx` commits (synchronously after COMMIT returns; errors are the callback's
 * own business). Outside a transaction it runs at once. A rolled-back transaction drops it.
 */
export async function afterCommit<T>(trx: Transaction<T> | Kysely<T>, callback: () => void): Promise<void> {
  if (!trx.isTransaction) {
    callback();
    return;
  }
  await trx.getExecutor().provideConnection(async (connection) => {
    const callbacks = pending.get(connection);
    if (callbacks) callbacks.push(callback);
    else pending.set(connection, [callback]);
  });
}
