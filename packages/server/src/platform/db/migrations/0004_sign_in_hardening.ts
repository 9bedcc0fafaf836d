import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database';

/**
 * Sign-in hardening: MFA factors and recovery codes, sign-in and WebAuthn challenges, per-organization
 * security policy, device awareness on sessions, password-reset tokens and impersonation.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const json = dialect === 'postgres' ? 'jsonb' : 'text';
  const counter = dialect === 'postgres' ? 'bigint' : 'integer';

  await db.schema
    .createTable('mfa_factors')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    // TOTP: the seed sealed with AES-256-GCM under a key derived from the master key.
    .addColumn('secret_sealed', 'text')
    // TOTP: the last time step accepted; a code of that step or earlier is a replay.
    .addColumn('last_used_step', counter)
    // Passkeys: the credential, its COSE public key (base64url) and signature counter.
    .addColumn('credential_id', 'text', (c) => c.unique())
    .addColumn('public_key', 'text')
    .addColumn('sign_count', counter)
    .addColumn('transports', sql.raw(json))
    .addColumn('backed_up', 'integer')
    .addColumn('confirmed_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .execute();
  await db.schema.createIndex('mfa_factors_user_idx').on('mfa_factors').column('user_id').execute();

  await db.schema
    .createTable('recovery_codes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addUniqueConstraint('recovery_codes_user_hash_unique', ['user_id', 'code_hash'])
    .execute();

  await db.schema
    .createTable('auth_challenges')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('session_id', 'text', (c) => c.references('sessions.id').onDelete('cascade'))
    .addColumn('organization_id', 'text', (c) => c.references('organizations.id').onDelete('cascade'))
    .addColumn('webauthn_challenge', 'text')
    // An invitation accepted with the password, joined only once the second factor is given.
    .addColumn('invitation_id', 'text', (c) => c.references('invitations.id').onDelete('cascade'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('consumed_at', 'text')
    .execute();

  await db.schema
    .createTable('security_policies')
    .addColumn('organization_id', 'text', (c) =>
      c.primaryKey().references('organizations.id').onDelete('cascade'),
    )
    .addColumn('mfa_requirement', 'text', (c) => c.notNull())
    .addColumn('mfa_roles', sql.raw(json), (c) => c.notNull())
    .addColumn('mfa_grace_days', 'integer', (c) => c.notNull())
    // When the current requirement started: members' grace periods count from it (or from joining).
    .addColumn('mfa_required_since', 'text')
    .addColumn('step_up_minutes', 'integer', (c) => c.notNull())
    .addColumn('idle_timeout_minutes', 'integer', (c) => c.notNull())
    .addColumn('absolute_lifetime_hours', 'integer', (c) => c.notNull())
    .addColumn('max_concurrent_sessions', 'integer', (c) => c.notNull())
    .addColumn('session_limit_action', 'text', (c) => c.notNull())
    .addColumn('password_min_length', 'integer', (c) => c.notNull())
    // What the session check needs of the policy, as one JSON value (fewer columns on every request).
    .addColumn('session_rules', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema.alterTable('users').addColumn('mfa_enabled_at', 'text').execute();

  for (const [column, type] of [
    ['step_up_at', 'text'],
    ['auth_method', 'text'],
    ['device_fingerprint', 'text'],
    ['device_label', 'text'],
    ['country', 'text'],
    ['new_device', 'integer'],
    ['new_country', 'integer'],
    ['revoked_reason', 'text'],
    ['impersonator_id', 'text'],
    // The impersonator's session, reason, name and e-mail as one JSON snapshot: read with every
    // request of the session, so it costs the session check no join.
    ['impersonation', 'text'],
  ] as const) {
    await db.schema.alterTable('sessions').addColumn(column, type).execute();
  }
  await db.schema
    .createIndex('sessions_org_idx')
    .on('sessions')
    .columns(['organization_id', 'revoked_at'])
    .execute();

  await db.schema
    .createTable('user_sign_in_origins')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('label', 'text')
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_sign_in_origins_pk', ['user_id', 'kind', 'value'])
    .execute();

  await db.schema
    .createTable('password_reset_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute();
}
