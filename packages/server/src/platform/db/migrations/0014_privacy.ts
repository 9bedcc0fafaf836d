import { type ColumnDefinitionBuilder, type Kysely, sql } from 'kysely';
import type { Dialect } from '../database';

/**
 * Privacy (issue 18): the data map (systems, the categories they hold with purposes, retention
 * and erasure strategy, the organization's own categories), data subject requests with their
 * statutory clocks and timeline, per-system tasks and their sealed results, retention rules and
 * runs, access packages and the public page's verification codes, and per-organization settings.
 *
 * Personal data of a subject (contact e-mail, name, what they asked, task results, package files)
 * is sealed under the subject's keyring key in the organization's scope — the same key the audit
 * trail seals the subject's fields under — so erasing the subject (destroying that key) wipes it
 * here too. Lookups by e-mail go through a keyed blind index, never the address.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const json = dialect === 'postgres' ? 'jsonb' : 'text';
  const orgRef = (c: ColumnDefinitionBuilder) =>
    c.notNull().references('organizations.id').onDelete('cascade');

  await db.schema
    .createTable('privacy_settings')
    .addColumn('organization_id', 'text', (c) => orgRef(c).primaryKey())
    // { gdpr?: boolean, ccpa?: boolean } — only the regimes whose default the organization changed
    .addColumn('clock_waits_for_verification', sql.raw(json), (c) => c.notNull())
    // number[] of days before the due date; null = the default [7, 2]
    .addColumn('reminder_days_before', sql.raw(json))
    // 1/0: whether the public request page takes requests; null = the default (on)
    .addColumn('public_intake', 'integer')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .execute();

  await db.schema
    .createTable('privacy_systems')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => orgRef(c))
    // 'custos' (built in, one per organization) | 'host'
    .addColumn('kind', 'text', (c) => c.notNull())
    // 'custos' on the built-in system, null otherwise: the unique index below allows one per organization
    .addColumn('built_in', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('owner', 'text')
    .addColumn('description', 'text')
    .addColumn('webhook_url', 'text')
    // the whsec_ signing secret, sealed with a key derived from the master key
    .addColumn('webhook_secret_sealed', 'text')
    .addColumn('webhook_secret_hint', 'text')
    .addColumn('polling', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('subject_types', sql.raw(json), (c) => c.notNull())
    .addColumn('storage_country', 'text')
    .addColumn('recipients', sql.raw(json), (c) => c.notNull())
    // the API key that registered it, when a host app did
    .addColumn('api_key_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('privacy_systems_builtin_idx')
    .on('privacy_systems')
    .columns(['organization_id', 'built_in'])
    .unique()
    .execute();
  await db.schema
    .createIndex('privacy_systems_name_idx')
    .on('privacy_systems')
    .columns(['organization_id', 'name'])
    .unique()
    .execute();

  await db.schema
    .createTable('privacy_system_categories')
    .addColumn('system_id', 'text', (c) => c.notNull().references('privacy_systems.id').onDelete('cascade'))
    .addColumn('organization_id', 'text', (c) => orgRef(c))
    // a taxonomy key (shared DATA_CATEGORIES) or custom.<slug>
    .addColumn('category_key', 'text', (c) => c.notNull())
    // Purpose[]: { purpose, lawfulBasis }
    .addColumn('purposes', sql.raw(json), (c) => c.notNull())
    .addColumn('retention_days', 'integer')
    .addColumn('retention_trigger', 'text')
    .addColumn('retention_action', 'text')
    .addColumn('erasure_strategy', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('privacy_system_categories_pk', ['system_id', 'category_key'])
    .execute();
  await db.schema
    .createIndex('privacy_system_categories_key_idx')
    .on('privacy_system_categories')
    .columns(['organization_id', 'category_key'])
    .execute();

  await db.schema
    .createTable('privacy_custom_categories')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => orgRef(c))
    // custom.<slug>
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('special', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('phi', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('privacy_custom_categories_key_idx')
    .on('privacy_custom_categories')
    .columns(['organization_id', 'key'])
    .unique()
    .execute();

  await db.schema
    .createTable('privacy_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => orgRef(c))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('regime', 'text', (c) => c.notNull())
    // received | verifying | awaiting_approval | in_progress | completed | denied | canceled
    .addColumn('state', 'text', (c) => c.notNull())
    // console | api | public
    .addColumn('source', 'text', (c) => c.notNull())
    // the host app's id of the subject, as given (a pseudonym, not contact data)
    .addColumn('subject_ref', 'text')
    // the keyring's id of the subject the sealed fields are under (scope: the organization)
    .addColumn('subject_key', 'text', (c) => c.notNull())
    .addColumn('email_sealed', 'text')
    // keyed blind index of the lower-cased e-mail, for duplicate detection and the public page
    .addColumn('email_index', 'text')
    .addColumn('subject_name_sealed', 'text')
    .addColumn('details_sealed', 'text')
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('verified_at', 'text')
    .addColumn('approved_at', 'text')
    // the organization's setting when the request arrived, so a later change does not move its clock
    .addColumn('clock_waits', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('time_zone', 'text', (c) => c.notNull())
    // YYYY-MM-DD in time_zone
    .addColumn('start_date', 'text', (c) => c.notNull())
    .addColumn('ack_by', 'text')
    .addColumn('due_date', 'text', (c) => c.notNull())
    // the instant due_date ends in time_zone: what "overdue" and sorting compare
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('extension_notice_by', 'text', (c) => c.notNull())
    .addColumn('extensions', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('extension_reason', 'text')
    .addColumn('duplicate_of', 'text', (c) => c.references('privacy_requests.id').onDelete('set null'))
    .addColumn('denial_reason', 'text')
    .addColumn('denial_ground', 'text')
    .addColumn('closed_at', 'text')
    // the reminder date (YYYY-MM-DD) last recorded, and when the overdue alert was raised
    .addColumn('reminded_for', 'text')
    .addColumn('overdue_alerted_at', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('privacy_requests_due_idx')
    .on('privacy_requests')
    .columns(['organization_id', 'state', 'due_at'])
    .execute();
  // The clock sweep across organizations: open requests by due instant.
  await db.schema
    .createIndex('privacy_requests_sweep_idx')
    .on('privacy_requests')
    .columns(['state', 'due_at'])
    .execute();
  await db.schema
    .createIndex('privacy_requests_subject_idx')
    .on('privacy_requests')
    .columns(['organization_id', 'subject_key', 'type'])
    .execute();
  await db.schema
    .createIndex('privacy_requests_email_idx')
    .on('privacy_requests')
    .columns(['organization_id', 'email_index', 'type'])
    .execute();

  await db.schema
    .createTable('privacy_request_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('request_id', 'text', (c) => c.notNull().references('privacy_requests.id').onDelete('cascade'))
    .addColumn('organization_id', 'text', (c) => orgRef(c))
    // created | verified | approved | denied | canceled | extended | completed | reminder | overdue | notice_sent | task_* ...
    .addColumn('kind', 'text', (c) => c.notNull())
    // user | api_key | system
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_name', 'text')
    .addColumn('data', sql.raw(json), (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('privacy_request_events_request_idx')
    .on('privacy_request_events')
    .columns(['request_id', 'at'])
    .execute();

  await db.schema
    .createTable('privacy_retention_rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => orgRef(c))
    .addColumn('system_id', 'text', (c) => c.notNull().references('privacy_systems.id').onDelete('cascade'))
    // null = every category of the system
    .addColumn('category_key', 'text')
    .addColumn('period_days', 'integer', (c) => c.notNull())
    // since_creation | since_last_activity | since_account_closure
    .addColumn('trigger', 'text', (c) => c.notNull())
    // delete | anonymize
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('last_run_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('privacy_retention_rules_org_idx')
    .on('privacy_retention_rules')
    .columns(['organization_id', 'system_id'])
    .execute();
  // One rule per system and category: two would disagree about the period.
  await db.schema
    .createIndex('privacy_retention_rules_category_idx')
    .on('privacy_retention_rules')
    .columns(['system_id', 'category_key'])
    .unique()
    .execute();

  await db.schema
    .createTable('privacy_retention_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => orgRef(c))
    .addColumn('dry_run', 'integer', (c) => c.notNull().defaultTo(0))
    // running | completed | failed
    .addColumn('state', 'text', (c) => c.notNull())
    // per rule and system: what was (or would be) removed
    .addColumn('summary', sql.raw(json), (c) => c.notNull())
    .addColumn('started_by', 'text')
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema
    .createIndex('privacy_retention_runs_org_idx')
    .on('privacy_retention_runs')
    .columns(['organization_id', 'started_at'])
    .execute();

  await db.schema
    .createTable('privacy_tasks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => orgRef(c))
    // null for retention tasks
    .addColumn('request_id', 'text', (c) => c.references('privacy_requests.id').onDelete('cascade'))
    .addColumn('retention_run_id', 'text', (c) =>
      c.references('privacy_retention_runs.id').onDelete('cascade'),
    )
    .addColumn('system_id', 'text', (c) => c.notNull().references('privacy_systems.id').onDelete('cascade'))
    // access | portability | erasure | rectification | restriction | objection | recipient_notice | retention
    .addColumn('kind', 'text', (c) => c.notNull())
    // queued | delivered | claimed | done | failed | skipped
    .addColumn('state', 'text', (c) => c.notNull())
    // webhook | polling | builtin: how the task reaches its system, fixed when it is made
    .addColumn('delivery', 'text', (c) => c.notNull())
    // what the host needs (categories with erasure strategies, the recipient, the retention rule)
    .addColumn('payload', sql.raw(json), (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('claimed_by', 'text')
    .addColumn('last_error', 'text')
    // the privacy_task_results id of an access task's upload, or the host's own reference
    .addColumn('result_ref', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema.createIndex('privacy_tasks_request_idx').on('privacy_tasks').column('request_id').execute();
  await db.schema
    .createIndex('privacy_tasks_queue_idx')
    .on('privacy_tasks')
    .columns(['system_id', 'state', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('privacy_tasks_due_idx')
    .on('privacy_tasks')
    .columns(['state', 'next_attempt_at'])
    .execute();

  await db.schema
    .createTable('privacy_task_results')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => orgRef(c))
    .addColumn('task_id', 'text', (c) => c.notNull().references('privacy_tasks.id').onDelete('cascade'))
    // sealed under the subject's key: erasing the subject wipes the result
    .addColumn('content_sealed', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('privacy_task_results_task_idx')
    .on('privacy_task_results')
    .column('task_id')
    .execute();

  await db.schema
    .createTable('privacy_access_packages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => orgRef(c))
    .addColumn('request_id', 'text', (c) => c.notNull().references('privacy_requests.id').onDelete('cascade'))
    // the ZIP itself (base64, at most MAX_PACKAGE_BYTES), sealed under the subject's key; null once deleted
    .addColumn('file_ref_sealed', 'text')
    .addColumn('sha256', 'text')
    .addColumn('size_bytes', 'integer')
    // SHA-256 of the download link's token
    .addColumn('token_hash', 'text')
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('downloads', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_downloaded_at', 'text')
    .addColumn('deleted_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    // one package per request: two servers building it at once, one insert wins
    .createIndex('privacy_access_packages_request_idx')
    .unique()
    .on('privacy_access_packages')
    .column('request_id')
    .execute();
  await db.schema
    .createIndex('privacy_access_packages_expiry_idx')
    .on('privacy_access_packages')
    .columns(['deleted_at', 'expires_at'])
    .execute();

  await db.schema
    .createTable('privacy_verification_codes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => orgRef(c))
    // request (the public page) | package (a download)
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.references('privacy_requests.id').onDelete('cascade'))
    .addColumn('package_id', 'text', (c) => c.references('privacy_access_packages.id').onDelete('cascade'))
    .addColumn('email_index', 'text', (c) => c.notNull())
    // keyed hash of the code; the code itself exists only in the e-mail
    .addColumn('code_hash', 'text', (c) => c.notNull())
    // SHA-256 of the token only the submitter holds (the public page); it names the code to check
    .addColumn('token_hash', 'text', (c) => c.unique())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('privacy_verification_codes_lookup_idx')
    .on('privacy_verification_codes')
    .columns(['organization_id', 'email_index', 'purpose'])
    .execute();
}
