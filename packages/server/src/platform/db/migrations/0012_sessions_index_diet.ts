import type { Kysely } from 'kysely';
import type { Dialect } from '../database';

/**
 * `sessions_org_idx` (organization_id, revoked_at) is a prefix of `sessions_org_live_idx`
 * (organization_id, revoked_at, expires_at), which serves every query it served; keeping both only
 * cost every new or revoked session one more index page written.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.dropIndex('sessions_org_idx').execute();
}
