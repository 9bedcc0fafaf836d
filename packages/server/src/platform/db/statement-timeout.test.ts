import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, openTestDatabase } from '../../../test/harness';
import type { Database } from './database';
import { isQueryTimeout, mapDatabaseError } from './errors';
import type { DB } from './schema';
import { runAsJob, runAsRequest, stepsAsJob } from './statement-timeout';

// SQLite has no statement timeout; nothing to test there.
const postgresOnly = backends.includes('postgres') ? describe : describe.skip;

async function timeoutNow(db: Kysely<DB>): Promise<string> {
  const { rows } = await sql<{ statementTimeout: string }>`show statement_timeout`.execute(db);
  return rows[0]?.statementTimeout ?? '';
}

postgresOnly('statement timeouts per role of the work (issue 15)', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase('postgres', { requestMs: 150, jobMs: 20_000 });
  });
  afterAll(() => database.destroy());

  const sleep = (seconds: number) => sql`select pg_sleep(${seconds})`.execute(database.db);

  it('cancels a request statement past the request timeout, which answers 503 QUERY_TIMEOUT', async () => {
    const error = await runAsRequest(() => sleep(0.5)).catch((e: unknown) => e);
    expect(isQueryTimeout(error)).toBe(true);
    expect(mapDatabaseError(error)).toMatchObject({
      status: 503,
      code: 'QUERY_TIMEOUT',
      message: expect.stringMatching(/narrow the search.*try again/i),
    });
  });

  it('gives jobs, and work outside any request (timers, CLI, migrations), the long timeout', async () => {
    await expect(runAsJob(() => sleep(0.3))).resolves.toBeDefined();
    await expect(sleep(0.3)).resolves.toBeDefined();
  });

  it('sets each connection to the role of whoever takes it, inside transactions too', async () => {
    for (let round = 0; round < 3; round++) {
      expect(await runAsRequest(() => timeoutNow(database.db))).toBe('150ms');
      expect(await runAsJob(() => timeoutNow(database.db))).toBe('20s');
      const inTransaction = await runAsRequest(() =>
        database.db.transaction().execute((trx) => timeoutNow(trx)),
      );
      expect(inTransaction).toBe('150ms');
    }
  });

  it('keeps every step of a job stream a job, whoever pulls it', async () => {
    const db = database.db;
    async function* pages() {
      for (let page = 0; page < 3; page++) yield await timeoutNow(db);
    }
    const seen: string[] = [];
    await runAsRequest(async () => {
      for await (const value of stepsAsJob(pages())) seen.push(value);
    });
    expect(seen).toEqual(['20s', '20s', '20s']);
  });
});
