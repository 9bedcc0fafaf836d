import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database';

/**
 * A notify_user response records what became of its e-mail (sent, queued in the outbox because
 * e-mail is not configured, failed with the reason), so the console no longer says "done" for a
 * message nobody received. Responses placed before this cannot be told apart: they read `unknown`.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  // One column per statement: SQLite's ALTER TABLE adds one at a time.
  for (const column of ['delivery_status', 'delivery_detail', 'delivery_at']) {
    await db.schema.alterTable('threat_responses').addColumn(column, 'text').execute();
  }
  await sql`update threat_responses set delivery_status = 'unknown' where kind = 'notify_user'`.execute(db);
}
