import type { Kysely } from 'kysely';
import { nowIso } from '../../platform/clock';
import { newId } from '../../platform/crypto/tokens';
import type { Executor } from '../../platform/db/executor';
import { parseJson, toJson } from '../../platform/db/json';
import { precompiled } from '../../platform/db/precompiled';
import type { DB } from '../../platform/db/schema';
import { identity } from '../identity';
import type { RoleDefinition } from './policy';

const stringList = (value: unknown): string[] => {
  const parsed = parseJson<unknown>(value);
  return Array.isArray(parsed) ? parsed.map(String) : [];
};

export interface StoredRole extends RoleDefinition {
  id: string;
  name: string;
  description: string;
  createdAt: string;
  updatedAt: string;
}

/** What access control keeps on the organization's row, which identity owns. */
export type { AccessHead } from '../identity';

/** The organization's access version and time zone, or undefined when there is no such organization. */
export const findAccessHead = (db: Executor, organizationId: string) =>
  identity.findAccessHead(db, organizationId);

/**
 * Every change to what the policy compiles from bumps the version, in the change's transaction (it
 * also takes the organization's row lock, so concurrent edits apply one after another).
 */
export const bumpAccessVersion = (trx: Executor, organizationId: string) =>
  identity.bumpAccessVersion(trx, organizationId);

export async function listRoles(db: Executor, organizationId: string): Promise<StoredRole[]> {
  const rows = await db
    .selectFrom('roles')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .orderBy('createdAt')
    .orderBy('key')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    key: r.key,
    builtIn: r.builtIn === 1,
    name: r.name,
    description: r.description,
    permissions: stringList(r.permissions),
    ownPermissions: stringList(r.ownPermissions),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  }));
}

export async function findRole(
  db: Executor,
  organizationId: string,
  key: string,
): Promise<StoredRole | undefined> {
  return (await listRoles(db, organizationId)).find((r) => r.key === key);
}

export interface RoleWrite {
  key: string;
  builtIn: boolean;
  name: string;
  description: string;
  permissions: readonly string[];
  ownPermissions: readonly string[];
}

export async function insertRole(trx: Executor, organizationId: string, role: RoleWrite): Promise<void> {
  const at = nowIso();
  await trx
    .insertInto('roles')
    .values({
      id: newId(),
      organizationId,
      key: role.key,
      builtIn: role.builtIn ? 1 : 0,
      name: role.name,
      description: role.description,
      permissions: toJson(role.permissions),
      ownPermissions: toJson(role.ownPermissions),
      createdAt: at,
      updatedAt: at,
    })
    .execute();
}

export async function updateRole(
  trx: Executor,
  organizationId: string,
  key: string,
  role: Omit<RoleWrite, 'key' | 'builtIn'>,
): Promise<void> {
  await trx
    .updateTable('roles')
    .set({
      name: role.name,
      description: role.description,
      permissions: toJson(role.permissions),
      ownPermissions: toJson(role.ownPermissions),
      updatedAt: nowIso(),
    })
    .where('organizationId', '=', organizationId)
    .where('key', '=', key)
    .execute();
}

export async function deleteRole(trx: Executor, organizationId: string, key: string): Promise<void> {
  await trx.deleteFrom('roles').where('organizationId', '=', organizationId).where('key', '=', key).execute();
}

/** How many members hold each role key. */
export async function memberCounts(db: Executor, organizationId: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const roles of await identity.memberRoleLists(db, organizationId))
    for (const key of stringList(roles)) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

export interface StoredAppPermission {
  key: string;
  description: string;
  registeredBy: string | null;
  createdAt: string;
  updatedAt: string;
}

export async function listAppPermissions(
  db: Executor,
  organizationId: string,
): Promise<StoredAppPermission[]> {
  return db
    .selectFrom('appPermissions')
    .select(['key', 'description', 'registeredBy', 'createdAt', 'updatedAt'])
    .where('organizationId', '=', organizationId)
    .orderBy('key')
    .execute();
}

export async function upsertAppPermission(
  trx: Executor,
  organizationId: string,
  permission: { key: string; description: string; registeredBy: string | null },
): Promise<void> {
  const at = nowIso();
  await trx
    .insertInto('appPermissions')
    .values({ organizationId, ...permission, createdAt: at, updatedAt: at })
    .onConflict((oc) =>
      oc.columns(['organizationId', 'key']).doUpdateSet({
        description: permission.description,
        registeredBy: permission.registeredBy,
        updatedAt: at,
      }),
    )
    .execute();
}

export async function deleteAppPermissions(
  trx: Executor,
  organizationId: string,
  keys: readonly string[],
): Promise<void> {
  if (keys.length === 0) return;
  await trx
    .deleteFrom('appPermissions')
    .where('organizationId', '=', organizationId)
    .where('key', 'in', keys)
    .execute();
}

export interface SubjectRow {
  roles: string[];
  disabled: boolean;
  mfaEnabled: boolean;
  joinedAt: string;
  /** The organization's MFA requirement, for the enrolment deadline (null: no policy saved). */
  mfa: { requirement: string; roles: string[]; graceDays: number; requiredSince: string | null } | null;
}

/** Every authorize-by-user-id call runs it: compiled once, run with the ids. */
const subjectQuery = precompiled(
  (db: Kysely<DB>, organizationId: string, userId: string) =>
    db
      .selectFrom('memberships as m')
      .innerJoin('users as u', 'u.id', 'm.userId')
      .leftJoin('securityPolicies as p', 'p.organizationId', 'm.organizationId')
      .select([
        'm.roles',
        'm.createdAt as joinedAt',
        'u.disabledAt',
        'u.mfaEnabledAt',
        'p.mfaRequirement',
        'p.mfaRoles',
        'p.mfaGraceDays',
        'p.mfaRequiredSince',
      ])
      .where('m.organizationId', '=', organizationId)
      .where('m.userId', '=', userId),
  ['', ''] as const,
);

/** A user's roles in the organization, or undefined when they are not a member of it. */
export async function findSubject(
  db: Kysely<DB>,
  organizationId: string,
  userId: string,
): Promise<SubjectRow | undefined> {
  const [row] = await subjectQuery(db, organizationId, userId);
  if (!row) return undefined;
  return {
    roles: stringList(row.roles),
    disabled: row.disabledAt !== null,
    mfaEnabled: row.mfaEnabledAt !== null,
    joinedAt: row.joinedAt,
    mfa: row.mfaRequirement
      ? {
          requirement: row.mfaRequirement,
          roles: row.mfaRoles == null ? [] : stringList(row.mfaRoles),
          graceDays: row.mfaGraceDays ?? 0,
          requiredSince: row.mfaRequiredSince,
        }
      : null,
  };
}
