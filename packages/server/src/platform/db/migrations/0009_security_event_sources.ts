import type { Kysely } from 'kysely';
import type { Dialect } from '../database';

/**
 * Security events keep every address their attempts came from (attempts, the country of that IP,
 * first and last seen), so a fold never swaps the attacker's address for the latest one; and each
 * evidence row keeps the facts of its attempt (IP, country, device, account, outcome, reason), so
 * an investigator reads them in place. Evidence kept before this has none of the facts (nulls).
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('security_event_sources')
    .addColumn('security_event_id', 'text', (c) =>
      c.notNull().references('security_events.id').onDelete('cascade'),
    )
    // Denormalized from the event so every read filters by tenant without a join.
    .addColumn('organization_id', 'text', (c) =>
      c.notNull().references('organizations.id').onDelete('cascade'),
    )
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('country', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('security_event_sources_pk', ['security_event_id', 'ip'])
    .execute();
  // The top sources of an event, most attempts first.
  await db.schema
    .createIndex('security_event_sources_top_idx')
    .on('security_event_sources')
    .columns(['security_event_id', 'attempts'])
    .execute();

  // One column per statement: SQLite's ALTER TABLE adds one at a time.
  const facts: Array<[string, 'text' | 'integer']> = [
    ['ip', 'text'],
    ['country', 'text'],
    ['device', 'text'],
    ['user_id', 'text'],
    ['user_label', 'text'],
    // 1: the address tried has no account (the address itself is never kept here).
    ['unknown_account', 'integer'],
    // 'succeeded' | 'failed' | 'refused' | 'denied'
    ['outcome', 'text'],
    ['reason', 'text'],
  ];
  for (const [column, type] of facts) {
    await db.schema.alterTable('security_event_evidence').addColumn(column, type).execute();
  }
}
