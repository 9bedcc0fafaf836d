import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { afterCommit, reportAfterCommitErrors } from './after-commit';
import { openDatabase } from './database';

describe('after-commit callbacks', () => {
  const database = openDatabase({ kind: 'sqlite', file: ':memory:' });
  const { db } = database;
  afterAll(() => database.destroy());

  it('run once the transaction commits, and see what it wrote', async () => {
    await sql`create table notes (text text)`.execute(db);
    const seen: string[] = [];
    await db.transaction().execute(async (trx) => {
      await sql`insert into notes values ('kept')`.execute(trx);
      await afterCommit(trx, () => seen.push('committed'));
      expect(seen).toEqual([]);
    });
    expect(seen).toEqual(['committed']);
  });

  it('never run for a rolled-back transaction', async () => {
    const seen: string[] = [];
    await expect(
      db.transaction().execute(async (trx) => {
        await afterCommit(trx, () => seen.push('never'));
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await db.transaction().execute(async () => {});
    expect(seen).toEqual([]);
  });

  it('run at once outside a transaction', async () => {
    const seen: string[] = [];
    await afterCommit(db, () => seen.push('now'));
    expect(seen).toEqual(['now']);
  });

  it('a failing callback neither stops the others nor fails the committed transaction', async () => {
    const errors: unknown[] = [];
    reportAfterCommitErrors((error) => errors.push(error));
    const seen: string[] = [];
    await db.transaction().execute(async (trx) => {
      await afterCommit(trx, () => {
        throw new Error('listener broke');
      });
      await afterCommit(trx, () => seen.push('second'));
    });
    expect(seen).toEqual(['second']);
    expect(errors).toHaveLength(1);
  });
});
