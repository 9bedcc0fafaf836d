import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database';

/**
 * Threat detection: per-organization detector settings and response rules, security events with
 * their evidence and timeline, automatic responses (locks, IP blocks, ...), trusted devices (so a
 * lockout never shuts the real user out), alert channels and their deliveries, and the session
 * flag that demands a step-up at the next request.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const json = dialect === 'postgres' ? 'jsonb' : 'text';
  const orgRef = (c: import('kysely').ColumnDefinitionBuilder) =>
    c.notNull().references('organizations.id').onDelete('cascade');

  await db.schema
    .createTable('threat_settings')
    .addColumn('organization_id', 'text', (c) => orgRef(c).primaryKey())
    // { detectorType: { enabled, severity, thresholds } } — only what differs from the defaults
    .addColumn('detectors', sql.raw(json), (c) => c.notNull())
    // ResponseRule[]; null = the default rules
    .addColumn('responses', sql.raw(json))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .execute();

  await db.schema
    .createTable('security_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => orgRef(c))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    // 'open' | 'acknowledged' | 'resolved' | 'false_positive'
    .addColumn('status', 'text', (c) => c.notNull())
    // 'user' | 'ip' | 'api_key'
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('subject_label', 'text')
    .addColumn('source_ip', 'text')
    .addColumn('country', 'text')
    // One attack = one event: signals with the same key fold into the open event.
    .addColumn('dedup_key', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('explanation', 'text', (c) => c.notNull())
    .addColumn('details', sql.raw(json), (c) => c.notNull())
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('assignee_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('security_events_org_seen_idx')
    .on('security_events')
    .columns(['organization_id', 'last_seen_at', 'id'])
    .execute();
  await db.schema
    .createIndex('security_events_dedup_idx')
    .on('security_events')
    .columns(['organization_id', 'dedup_key', 'status'])
    .execute();

  await db.schema
    .createTable('security_event_evidence')
    .addColumn('security_event_id', 'text', (c) =>
      c.notNull().references('security_events.id').onDelete('cascade'),
    )
    .addColumn('audit_event_id', 'text', (c) => c.notNull())
    .addColumn('audit_seq', 'integer', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('security_event_evidence_pk', ['security_event_id', 'audit_event_id'])
    .execute();

  await db.schema
    .createTable('security_event_activity')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('security_event_id', 'text', (c) =>
      c.notNull().references('security_events.id').onDelete('cascade'),
    )
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_name', 'text')
    .addColumn('data', sql.raw(json), (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('security_event_activity_event_idx')
    .on('security_event_activity')
    .columns(['security_event_id', 'at'])
    .execute();

  await db.schema
    .createTable('threat_responses')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => orgRef(c))
    .addColumn('security_event_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    // lock_account: 'untrusted' | 'all'
    .addColumn('scope', 'text')
    .addColumn('user_id', 'text')
    .addColumn('ip', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('lifted_at', 'text')
    .addColumn('lifted_by', 'text')
    .addColumn('lifted_by_name', 'text')
    .execute();
  await db.schema
    .createIndex('threat_responses_org_idx')
    .on('threat_responses')
    .columns(['organization_id', 'kind', 'lifted_at'])
    .execute();
  await db.schema.createIndex('threat_responses_user_idx').on('threat_responses').column('user_id').execute();
  await db.schema.createIndex('threat_responses_ip_idx').on('threat_responses').column('ip').execute();

  // A browser that completed a sign-in carries a random token (HttpOnly cookie); its hash lives
  // here once per user who signed in on it.
  await db.schema
    .createTable('trusted_devices')
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('trusted_devices_pk', ['token_hash', 'user_id'])
    .execute();
  await db.schema.createIndex('trusted_devices_user_idx').on('trusted_devices').column('user_id').execute();

  await db.schema
    .createTable('alert_channels')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => orgRef(c))
    // 'webhook' | 'email'
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('recipients', sql.raw(json))
    // the whsec_ secret, sealed with the keyring
    .addColumn('secret_sealed', 'text')
    .addColumn('secret_hint', 'text')
    .addColumn('min_severity', 'text', (c) => c.notNull())
    .addColumn('types', sql.raw(json))
    .addColumn('digest_low', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('alert_channels_org_idx')
    .on('alert_channels')
    .column('organization_id')
    .execute();

  await db.schema
    .createTable('alert_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => orgRef(c))
    .addColumn('channel_id', 'text', (c) => c.notNull().references('alert_channels.id').onDelete('cascade'))
    .addColumn('security_event_id', 'text')
    // 'alert' | 'digest' | 'test'
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    // 'pending' | 'retrying' | 'delivered' | 'failed'
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text')
    .addColumn('last_response_code', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('delivered_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('alert_deliveries_org_idx')
    .on('alert_deliveries')
    .columns(['organization_id', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('alert_deliveries_due_idx')
    .on('alert_deliveries')
    .columns(['status', 'next_attempt_at'])
    .execute();

  await db.schema
    .createTable('alert_delivery_attempts')
    .addColumn('delivery_id', 'text', (c) =>
      c.notNull().references('alert_deliveries.id').onDelete('cascade'),
    )
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('response_code', 'integer')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('error', 'text')
    .addPrimaryKeyConstraint('alert_delivery_attempts_pk', ['delivery_id', 'attempt'])
    .execute();

  // Low-severity events waiting for a channel's digest.
  await db.schema
    .createTable('alert_digest_items')
    .addColumn('channel_id', 'text', (c) => c.notNull().references('alert_channels.id').onDelete('cascade'))
    .addColumn('security_event_id', 'text', (c) =>
      c.notNull().references('security_events.id').onDelete('cascade'),
    )
    .addColumn('queued_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('alert_digest_items_pk', ['channel_id', 'security_event_id'])
    .execute();

  // The security overview: active sessions and sign-in countries of an organization.
  await db.schema
    .createIndex('sessions_org_live_idx')
    .on('sessions')
    .columns(['organization_id', 'revoked_at', 'expires_at'])
    .execute();
  await db.schema
    .createIndex('sessions_org_created_idx')
    .on('sessions')
    .columns(['organization_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('security_events_org_status_idx')
    .on('security_events')
    .columns(['organization_id', 'status', 'severity'])
    .execute();

  // A response demanded a fresh verification: every request but step-up and sign-out waits for it.
  await db.schema.alterTable('sessions').addColumn('step_up_demanded_at', 'text').execute();
}
