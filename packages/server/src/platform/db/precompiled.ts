import type { Compilable, CompiledQuery, Kysely } from 'kysely';

/**
 * A hot query compiled once per database handle and then run with fresh parameters, skipping
 * Kysely's per-call query building. Only for queries whose parameters are exactly the values
 * passed in, in order (placeholders are positional in both dialects).
 */
export function precompiled<DB, Row, Params extends readonly unknown[]>(
  build: (db: Kysely<DB>, ...placeholders: Params) => Compilable<Row>,
  placeholders: Params,
): (db: Kysely<DB>, ...params: Params) => Promise<Row[]> {
  const compiledByDb = new WeakMap<Kysely<DB>, CompiledQuery<Row>>();
  return async (db, ...params) => {
    let compiled = compiledByDb.get(db);
    if (!compiled) {
      compiled = build(db, ...placeholders).compile();
      if (compiled.parameters.length !== params.length) {
        throw new Error(
          `precompiled query takes ${compiled.parameters.length} parameters, got ${params.length}`,
        );
      }
      compiledByDb.set(db, compiled);
    }
    const result = await db.executeQuery<Row>({ ...compiled, parameters: params });
    return result.rows;
  };
}
