import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from './database';
import { CompiledCache, precompiled, precompiledWrite } from './precompiled';

interface Notes {
  notes: { noteId: number; noteText: string };
}

const byId = precompiled(
  (db: Kysely<Notes>, id: number) =>
    db.selectFrom('notes').select(['noteId', 'noteText']).where('noteId', '=', id),
  [0] as const,
);
const rename = precompiledWrite(
  (db: Kysely<Notes>, text: string, id: number) =>
    db.updateTable('notes').set({ noteText: text }).where('noteId', '=', id),
  ['', 0] as const,
);

describe('precompiled queries', () => {
  const database = openDatabase({ kind: 'sqlite', file: ':memory:' });
  const db = database.db as unknown as Kysely<Notes>;
  beforeAll(async () => {
    await sql`create table notes (note_id integer primary key, note_text text)`.execute(db);
    await sql`insert into notes values (1, 'one'), (2, 'two')`.execute(db);
  });
  afterAll(() => database.destroy());

  it('run with each call’s own parameters, with the plugins’ renaming', async () => {
    expect(await byId(db, 1)).toEqual([{ noteId: 1, noteText: 'one' }]);
    expect(await byId(db, 2)).toEqual([{ noteId: 2, noteText: 'two' }]);
    expect(await byId(db, 3)).toEqual([]);
  });

  it('run inside a transaction on its connection, and roll back with it', async () => {
    await expect(
      db.transaction().execute(async (trx) => {
        expect(await rename(trx, 'changed', 1)).toBe(1);
        // Read on the transaction's own connection (SQLite has one: a wait here would deadlock).
        expect(await byId(trx, 1)).toEqual([{ noteId: 1, noteText: 'changed' }]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await byId(db, 1)).toEqual([{ noteId: 1, noteText: 'one' }]);
  });

  it('answer how many rows a write changed', async () => {
    expect(await rename(db, 'uno', 1)).toBe(1);
    expect(await rename(db, 'none', 99)).toBe(0);
  });

  it('share one compile between a database and its transactions, not with a plugin-less handle', async () => {
    const cache = new CompiledCache<object>();
    const forDb = cache.get(db, () => ({}));
    await db.transaction().execute(async (trx) => {
      expect(cache.get(trx, () => ({}))).toBe(forDb);
    });
    // Without the camel-case plugin the same builder compiles to other column names.
    expect(cache.get(db.withoutPlugins(), () => ({}))).not.toBe(forDb);
    // Another database (another dialect instance) compiles its own.
    const other = openDatabase({ kind: 'sqlite', file: ':memory:' });
    try {
      expect(cache.get(other.db, () => ({}))).not.toBe(forDb);
    } finally {
      await other.destroy();
    }
  });

  it('refuse a call whose parameters do not match the compiled query', async () => {
    const wrong = precompiled(
      (d: Kysely<Notes>, id: number) =>
        d.selectFrom('notes').select('noteId').where('noteId', '=', id).where('noteText', '=', 'x'),
      [0] as const,
    );
    await expect(wrong(db, 1)).rejects.toThrow(/takes 2 parameters, got 1/);
  });
});
