import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database';

/**
 * Access control: custom roles (and host-app grants on built-in roles), host-app permissions,
 * access rules (IP, country, time), and the organization's time zone and access version.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const json = dialect === 'postgres' ? 'jsonb' : 'text';

  // Every change to roles, app permissions, rules or the time zone bumps the version in the same
  // transaction; every process keys its compiled policy by it, so nothing is ever served stale.
  await db.schema
    .alterTable('organizations')
    .addColumn('access_version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('organizations')
    .addColumn('time_zone', 'text', (c) => c.notNull().defaultTo('UTC'))
    .execute();

  await db.schema
    .createTable('roles')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) =>
      c.notNull().references('organizations.id').onDelete('cascade'),
    )
    .addColumn('key', 'text', (c) => c.notNull())
    // 1: the row only adds host-app grants to the built-in role of the same key.
    .addColumn('built_in', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('permissions', sql.raw(json), (c) => c.notNull())
    .addColumn('own_permissions', sql.raw(json), (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('roles_org_key_unique', ['organization_id', 'key'])
    .execute();

  await db.schema
    .createTable('app_permissions')
    .addColumn('organization_id', 'text', (c) =>
      c.notNull().references('organizations.id').onDelete('cascade'),
    )
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('registered_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('app_permissions_pk', ['organization_id', 'key'])
    .execute();

  await db.schema
    .createTable('access_rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) =>
      c.notNull().references('organizations.id').onDelete('cascade'),
    )
    // 'ip' | 'country' | 'time'
    .addColumn('kind', 'text', (c) => c.notNull())
    // 'allow' | 'deny'
    .addColumn('effect', 'text', (c) => c.notNull())
    // 'everyone' | 'members' | 'role' | 'api_keys'
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('role', 'text')
    // ip: CIDR list; country: ISO 3166-1 alpha-2 codes; time: { days, start, end }
    .addColumn('value', sql.raw(json), (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('access_rules_org_idx').on('access_rules').column('organization_id').execute();
}
