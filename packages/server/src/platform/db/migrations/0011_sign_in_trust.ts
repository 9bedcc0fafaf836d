import type { Kysely } from 'kysely';
import type { Dialect } from '../database';

/**
 * The sign-in guard asks, for every attempt at a known account, whether the account signed in
 * from this IP lately (a familiar IP). Without this index that question scanned every session the
 * user ever had, which grows with each sign-in; with it, it is one index seek. It starts with
 * `user_id`, so it serves every look-up by user too, and the single-column index it replaces would
 * only cost every new session one more page written.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createIndex('sessions_user_ip_idx')
    .on('sessions')
    .columns(['user_id', 'ip', 'created_at'])
    .execute();
  await db.schema.dropIndex('sessions_user_idx').execute();
}
