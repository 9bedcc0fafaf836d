import type { Kysely } from 'kysely';
import type { Dialect } from '../database';

/**
 * Alert channels can take the organization's signed audit checkpoints (`audit.checkpoint`
 * deliveries). Existing channels read as off. The index serves the per-channel look-ups made for
 * every new checkpoint (the waiting delivery to refresh, the last one sent).
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .alterTable('alert_channels')
    .addColumn('send_checkpoints', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('alert_channels')
    .addColumn('checkpoint_interval_minutes', 'integer', (c) => c.notNull().defaultTo(60))
    .execute();
  await db.schema
    .createIndex('alert_deliveries_channel_kind_idx')
    .on('alert_deliveries')
    .columns(['channel_id', 'kind', 'created_at'])
    .execute();
}
