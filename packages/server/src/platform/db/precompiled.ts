import type {
  Compilable,
  CompiledQuery,
  DialectAdapter,
  Kysely,
  KyselyPlugin,
  QueryExecutor,
  QueryResult,
} from 'kysely';

/**
 * A hot query compiled once per database and then run with fresh parameters, skipping Kysely's
 * per-call query building (about a tenth of a sign-in's main-thread time when every query was
 * built anew). Only for queries whose parameters are exactly the values passed in, in order
 * (placeholders are positional in both dialects).
 */
export function precompiled<DB, Row, Params extends readonly unknown[]>(
  build: (db: Kysely<DB>, ...placeholders: Params) => Compilable<Row>,
  placeholders: Params,
): (db: Kysely<DB>, ...params: Params) => Promise<Row[]> {
  const run = compiledRunner(build, placeholders);
  return async (db, ...params) => (await run(db, params)).rows;
}

/** The same for an insert, update or delete: answers how many rows it changed. */
export function precompiledWrite<DB, Params extends readonly unknown[]>(
  build: (db: Kysely<DB>, ...placeholders: Params) => Compilable<unknown>,
  placeholders: Params,
): (db: Kysely<DB>, ...params: Params) => Promise<number> {
  const run = compiledRunner(build, placeholders);
  return async (db, ...params) => Number((await run(db, params)).numAffectedRows ?? 0);
}

function compiledRunner<DB, Row, Params extends readonly unknown[]>(
  build: (db: Kysely<DB>, ...placeholders: Params) => Compilable<Row>,
  placeholders: Params,
): (db: Kysely<DB>, params: Params) => Promise<QueryResult<Row>> {
  const cache = new CompiledCache<CompiledQuery<Row>>();
  return (db, params) => {
    const compiled = cache.get(db, () => {
      const query = build(db, ...placeholders).compile();
      if (query.parameters.length !== params.length) {
        throw new Error(
          `precompiled query takes ${query.parameters.length} parameters, got ${params.length}`,
        );
      }
      return query;
    });
    return db.executeQuery<Row>({ ...compiled, parameters: params });
  };
}

/**
 * What was compiled for a database, found again from any of its transactions. Compiled SQL depends
 * on the dialect and on the plugins (the camel-case plugin renames columns), so the key is the
 * dialect's adapter, which a database shares with its transactions, and the plugins themselves
 * (a transaction copies its database's list, so they are compared one by one).
 */
export class CompiledCache<T> {
  private readonly byAdapter = new WeakMap<
    DialectAdapter,
    { plugins: readonly KyselyPlugin[]; value: T }[]
  >();

  get(db: { getExecutor(): QueryExecutor }, make: () => T): T {
    const executor = db.getExecutor();
    let entries = this.byAdapter.get(executor.adapter);
    if (!entries) {
      entries = [];
      this.byAdapter.set(executor.adapter, entries);
    }
    const found = entries.find((e) => samePlugins(e.plugins, executor.plugins));
    if (found) return found.value;
    const value = make();
    entries.push({ plugins: executor.plugins, value });
    return value;
  }
}

function samePlugins(a: readonly KyselyPlugin[], b: readonly KyselyPlugin[]): boolean {
  return a.length === b.length && a.every((plugin, i) => plugin === b[i]);
}
