import type { Kysely } from 'kysely';
import type { Dialect } from '../database';

/**
 * When the account's e-mail address was shown to be its owner's: set for operator-created accounts
 * and for accounts that came through an e-mailed link; null for accounts made through a link an admin
 * passed on by hand (no SMTP), which the real owner of the address may later reclaim.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('users').addColumn('email_verified_at', 'text').execute();
}
