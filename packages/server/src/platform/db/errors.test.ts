import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, openTestDatabase } from '../../../test/harness';
import { AppError } from '../http/errors';
import type { Database } from './database';
import { mapDatabaseError } from './errors';

describe.each(backends)('database error mapping (%s)', (backend) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(backend);
  });
  afterAll(() => database.destroy());

  const org = (id: string, slug: string) => ({ id, name: 'n', slug, createdAt: 'x', updatedAt: 'x' });

  it('maps a unique violation to 409 CONFLICT', async () => {
    await database.db.insertInto('organizations').values(org('a', 'same')).execute();
    const error = await database.db
      .insertInto('organizations')
      .values(org('b', 'same'))
      .execute()
      .catch((e: unknown) => e);
    const mapped = mapDatabaseError(error);
    expect(mapped).toBeInstanceOf(AppError);
    expect(mapped).toMatchObject({ status: 409, code: 'CONFLICT' });
  });

  it('maps a foreign-key violation to 409 and leaves other errors alone', async () => {
    const error = await database.db
      .insertInto('memberships')
      .values({
        id: 'm',
        organizationId: 'missing',
        userId: 'missing',
        roles: '[]',
        createdAt: 'x',
        updatedAt: 'x',
      })
      .execute()
      .catch((e: unknown) => e);
    expect(mapDatabaseError(error)).toMatchObject({ status: 409 });
    const plain = new Error('boom');
    expect(mapDatabaseError(plain)).toBe(plain);
  });
});
