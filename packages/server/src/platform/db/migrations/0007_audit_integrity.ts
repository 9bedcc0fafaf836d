import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database';

/**
 * Audit trail integrity against a database writer: each log's origin is fixed when the log is
 * first checkpointed (so a new public URL changes nothing for existing logs), checkpoints carry
 * the co-signatures external witnesses returned, and each witness' view of each log is kept so
 * the next submission can prove consistency from exactly what that witness last saw.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  await db.schema.alterTable('audit_log_heads').addColumn('origin', 'text').execute();
  // Signature lines (`— <witness> <base64>`) added to the checkpoint's note, in the order received.
  await db.schema.alterTable('audit_checkpoints').addColumn('cosignatures', 'text').execute();
  await db.schema
    .createTable('audit_witness_heads')
    .addColumn('witness', 'text', (c) => c.notNull())
    .addColumn('log_id', 'text', (c) => c.notNull())
    .addColumn('size', sql.raw(big), (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_witness_heads_pk', ['witness', 'log_id'])
    .execute();
  // Rows found past a log's head (written around Custos), moved aside so the log can go on: kept as
  // evidence, exported, and named by the verifier.
  await db.schema
    .createTable('audit_quarantined_rows')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('log_id', 'text', (c) => c.notNull())
    // 'event' (an audit_events row) or 'node' (an audit_tree_nodes row)
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('seq', sql.raw(big), (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('quarantined_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('audit_quarantined_rows_log_idx')
    .on('audit_quarantined_rows')
    .columns(['log_id', 'seq'])
    .execute();
}
