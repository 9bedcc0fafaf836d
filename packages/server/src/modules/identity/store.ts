import { type Kysely, sql } from 'kysely';
import { nowIso } from '../../platform/clock';
import { newId } from '../../platform/crypto/tokens';
import type { Executor } from '../../platform/db/executor';
import { parseJson, toJson } from '../../platform/db/json';
import { precompiled } from '../../platform/db/precompiled';
import type { DB } from '../../platform/db/schema';

export interface UserRow {
  id: string;
  email: string;
  name: string;
  passwordHash: string;
  isSuperAdmin: boolean;
  disabledAt: string | null;
  emailVerifiedAt: string | null;
  passwordChangedAt: string;
  /** Set while the user has a confirmed second factor. */
  mfaEnabledAt: string | null;
  createdAt: string;
}

export interface OrganizationRow {
  id: string;
  name: string;
  slug: string;
  createdAt: string;
}

export interface MembershipRow {
  organizationId: string;
  userId: string;
  roles: string[];
  createdAt: string;
}

const userColumns = [
  'id',
  'email',
  'name',
  'passwordHash',
  'isSuperAdmin',
  'disabledAt',
  'emailVerifiedAt',
  'passwordChangedAt',
  'mfaEnabledAt',
  'createdAt',
] as const;

function toUser(row: Omit<UserRow, 'isSuperAdmin'> & { isSuperAdmin: number }): UserRow {
  return { ...row, isSuperAdmin: row.isSuperAdmin === 1 };
}

export async function countUsers(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

// Both run on every sign-in: compiled once (precompiled.ts).
const userByEmail = precompiled(
  (db: Kysely<DB>, email: string) => db.selectFrom('users').select(userColumns).where('email', '=', email),
  [''] as const,
);
const userById = precompiled(
  (db: Kysely<DB>, id: string) => db.selectFrom('users').select(userColumns).where('id', '=', id),
  [''] as const,
);

export async function findUserByEmail(db: Executor, email: string): Promise<UserRow | undefined> {
  const [row] = await userByEmail(db, email);
  return row && toUser(row);
}

export async function findUserById(db: Executor, id: string): Promise<UserRow | undefined> {
  const [row] = await userById(db, id);
  return row && toUser(row);
}

export async function insertUser(
  trx: Executor,
  input: { email: string; name: string; passwordHash: string; isSuperAdmin: boolean; emailVerified: boolean },
): Promise<UserRow> {
  const at = nowIso();
  const row = {
    id: newId(),
    email: input.email,
    name: input.name,
    passwordHash: input.passwordHash,
    isSuperAdmin: input.isSuperAdmin ? 1 : 0,
    disabledAt: null,
    emailVerifiedAt: input.emailVerified ? at : null,
    passwordChangedAt: at,
    mfaEnabledAt: null,
    createdAt: at,
    updatedAt: at,
  };
  await trx.insertInto('users').values(row).execute();
  return toUser(row);
}

export async function updateUserName(trx: Executor, userId: string, name: string): Promise<void> {
  await trx.updateTable('users').set({ name, updatedAt: nowIso() }).where('id', '=', userId).execute();
}

export async function updateUserPassword(trx: Executor, userId: string, passwordHash: string): Promise<void> {
  const at = nowIso();
  await trx
    .updateTable('users')
    .set({ passwordHash, passwordChangedAt: at, updatedAt: at })
    .where('id', '=', userId)
    .execute();
}

export async function insertOrganization(trx: Executor, name: string): Promise<OrganizationRow> {
  const at = nowIso();
  const slug = await uniqueSlug(trx, name);
  const row = { id: newId(), name, slug, createdAt: at, updatedAt: at };
  await trx.insertInto('organizations').values(row).execute();
  return { id: row.id, name, slug, createdAt: at };
}

async function uniqueSlug(db: Executor, name: string): Promise<string> {
  const base =
    name
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'org';
  for (let attempt = 0; attempt < 20; attempt++) {
    const slug = attempt === 0 ? base : `${base}-${attempt + 1}`;
    const taken = await db
      .selectFrom('organizations')
      .select('id')
      .where('slug', '=', slug)
      .executeTakeFirst();
    if (!taken) return slug;
  }
  return `${base}-${newId().slice(-8)}`;
}

export async function findOrganization(db: Executor, idOrSlug: string): Promise<OrganizationRow | undefined> {
  return db
    .selectFrom('organizations')
    .select(['id', 'name', 'slug', 'createdAt'])
    .where((eb) => eb.or([eb('id', '=', idOrSlug), eb('slug', '=', idOrSlug)]))
    .executeTakeFirst();
}

export async function renameOrganization(trx: Executor, organizationId: string, name: string): Promise<void> {
  await trx
    .updateTable('organizations')
    .set({ name, updatedAt: nowIso() })
    .where('id', '=', organizationId)
    .execute();
}

export async function listOrganizationsWithCounts(
  db: Executor,
): Promise<Array<OrganizationRow & { memberCount: number }>> {
  const rows = await db
    .selectFrom('organizations as o')
    .leftJoin('memberships as m', 'm.organizationId', 'o.id')
    .select([
      'o.id',
      'o.name',
      'o.slug',
      'o.createdAt',
      (eb) => eb.fn.count<number>('m.id').as('memberCount'),
    ])
    .groupBy(['o.id', 'o.name', 'o.slug', 'o.createdAt'])
    .orderBy('o.createdAt')
    .orderBy('o.id')
    .execute();
  return rows.map((r) => ({ ...r, memberCount: Number(r.memberCount) }));
}

export async function insertMembership(
  trx: Executor,
  organizationId: string,
  userId: string,
  roles: readonly string[],
): Promise<void> {
  const at = nowIso();
  await trx
    .insertInto('memberships')
    .values({ id: newId(), organizationId, userId, roles: toJson(roles), createdAt: at, updatedAt: at })
    .execute();
}

export async function findMembership(
  db: Executor,
  organizationId: string,
  userId: string,
): Promise<MembershipRow | undefined> {
  const row = await db
    .selectFrom('memberships')
    .select(['organizationId', 'userId', 'roles', 'createdAt'])
    .where('organizationId', '=', organizationId)
    .where('userId', '=', userId)
    .executeTakeFirst();
  return row && { ...row, roles: parseJson<string[]>(row.roles) };
}

const membershipsOfUser = precompiled(
  (db: Kysely<DB>, userId: string) =>
    db
      .selectFrom('memberships as m')
      .innerJoin('organizations as o', 'o.id', 'm.organizationId')
      .select(['o.id', 'o.name', 'o.slug', 'o.createdAt', 'o.timeZone', 'm.roles'])
      .where('m.userId', '=', userId)
      .orderBy('m.createdAt')
      .orderBy('m.id'),
  [''] as const,
);

/** All organizations a user belongs to, with their roles, oldest membership first. */
export async function listMembershipsOfUser(
  db: Kysely<DB>,
  userId: string,
): Promise<Array<OrganizationRow & { roles: string[]; timeZone: string }>> {
  const rows = await membershipsOfUser(db, userId);
  return rows.map((r) => ({ ...r, roles: parseJson<string[]>(r.roles) }));
}

export async function listMembers(
  db: Executor,
  organizationId: string,
): Promise<
  Array<{
    userId: string;
    email: string;
    name: string;
    roles: string[];
    joinedAt: string;
    /** Set while a super admin has disabled the account (it cannot sign in anywhere). */
    disabledAt: string | null;
  }>
> {
  const rows = await db
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.userId')
    .select(['u.id as userId', 'u.email', 'u.name', 'm.roles', 'm.createdAt as joinedAt', 'u.disabledAt'])
    .where('m.organizationId', '=', organizationId)
    .orderBy('m.createdAt')
    .orderBy('m.id')
    .execute();
  return rows.map((r) => ({ ...r, roles: parseJson<string[]>(r.roles) }));
}

export async function updateMembershipRoles(
  trx: Executor,
  organizationId: string,
  userId: string,
  roles: readonly string[],
): Promise<void> {
  await trx
    .updateTable('memberships')
    .set({ roles: toJson(roles), updatedAt: nowIso() })
    .where('organizationId', '=', organizationId)
    .where('userId', '=', userId)
    .execute();
}

export async function deleteMembership(trx: Executor, organizationId: string, userId: string): Promise<void> {
  await trx
    .deleteFrom('memberships')
    .where('organizationId', '=', organizationId)
    .where('userId', '=', userId)
    .execute();
}

export async function countOwners(trx: Executor, organizationId: string): Promise<number> {
  const rows = await trx
    .selectFrom('memberships')
    .select('roles')
    .where('organizationId', '=', organizationId)
    .execute();
  return rows.filter((r) => parseJson<string[]>(r.roles).includes('owner')).length;
}

/**
 * Serializes changes to an organization's memberships: a no-op update takes the row lock on
 * PostgreSQL (SQLite transactions are serialized already), so two owners demoting each other
 * cannot both see the other as the remaining owner.
 */
export async function lockOrganization(trx: Executor, organizationId: string): Promise<void> {
  await trx
    .updateTable('organizations')
    .set((eb) => ({ updatedAt: eb.ref('updatedAt') }))
    .where('id', '=', organizationId)
    .execute();
}

export async function markEmailVerified(trx: Executor, userId: string): Promise<void> {
  const at = nowIso();
  await trx
    .updateTable('users')
    .set({ emailVerifiedAt: at, updatedAt: at })
    .where('id', '=', userId)
    .where('emailVerifiedAt', 'is', null)
    .execute();
}

/** The platform's user directory for super admins: newest first, optionally matching name or e-mail. */
export async function searchUsers(
  db: Executor,
  query: string | undefined,
  limit: number,
): Promise<UserRow[]> {
  let select = db.selectFrom('users').select(userColumns);
  if (query) {
    const pattern = `%${query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    select = select.where((eb) =>
      eb.or([
        eb(eb.fn('lower', ['email']), 'like', sql<string>`${pattern} escape '\\'`),
        eb(eb.fn('lower', ['name']), 'like', sql<string>`${pattern} escape '\\'`),
      ]),
    );
  }
  const rows = await select.orderBy('createdAt', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map(toUser);
}

/**
 * Names of the organization's members among `userIds` (their e-mail when the name is blank); others,
 * and other organizations' users, are left out.
 */
export async function memberNames(
  db: Executor,
  organizationId: string,
  userIds: string[],
): Promise<Map<string, string>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.userId')
    .select(['u.id', 'u.name', 'u.email'])
    .where('m.organizationId', '=', organizationId)
    .where('m.userId', 'in', userIds)
    .execute();
  return new Map(rows.map((r) => [r.id, r.name.trim() || r.email]));
}

/**
 * The organization's members whose e-mail or a word of whose name starts with `prefix` (any case),
 * or whose id is `prefix`: for a people picker. Read-only, bounded by `limit`.
 */
export async function suggestMembers(
  db: Executor,
  organizationId: string,
  prefix: string,
  limit: number,
): Promise<Array<{ id: string; name: string; email: string }>> {
  const escaped = prefix.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
  const starts = `${escaped}%`;
  const wordStarts = `% ${escaped}%`;
  return db
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.userId')
    .select(['u.id', 'u.name', 'u.email'])
    .where('m.organizationId', '=', organizationId)
    .where((eb) =>
      eb.or([
        eb('u.id', '=', prefix),
        sql<boolean>`lower(u.email) like ${starts} escape '\\'`,
        sql<boolean>`lower(u.name) like ${starts} escape '\\'`,
        sql<boolean>`lower(u.name) like ${wordStarts} escape '\\'`,
      ]),
    )
    .orderBy('u.name')
    .orderBy('u.id')
    .limit(limit)
    .execute();
}

/** Ids of the organization's members with this e-mail, or whose name contains `name` (any case). */
export async function findMemberIds(
  db: Executor,
  organizationId: string,
  match: { email: string } | { name: string },
  limit: number,
): Promise<string[]> {
  let select = db
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.userId')
    .select('u.id')
    .where('m.organizationId', '=', organizationId);
  if ('email' in match) {
    select = select.where('u.email', '=', match.email.toLowerCase());
  } else {
    const pattern = `%${match.name.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    select = select.where(sql<boolean>`lower(u.name) like ${pattern} escape '\\'`);
  }
  const rows = await select.orderBy('u.id').limit(limit).execute();
  return rows.map((r) => r.id);
}

export async function organizationsOfUsers(
  db: Executor,
  userIds: string[],
): Promise<Map<string, Array<{ id: string; name: string }>>> {
  const byUser = new Map<string, Array<{ id: string; name: string }>>();
  if (userIds.length === 0) return byUser;
  const rows = await db
    .selectFrom('memberships as m')
    .innerJoin('organizations as o', 'o.id', 'm.organizationId')
    .select(['m.userId', 'o.id', 'o.name'])
    .where('m.userId', 'in', userIds)
    .orderBy('m.createdAt')
    .execute();
  for (const row of rows) {
    const list = byUser.get(row.userId) ?? [];
    list.push({ id: row.id, name: row.name });
    byUser.set(row.userId, list);
  }
  return byUser;
}

export async function setUserDisabled(trx: Executor, userId: string, disabled: boolean): Promise<void> {
  const at = nowIso();
  await trx
    .updateTable('users')
    .set({ disabledAt: disabled ? at : null, updatedAt: at })
    .where('id', '=', userId)
    .execute();
}

/**
 * Takes the user row's lock (a no-op update locks it on PostgreSQL; SQLite runs one write
 * transaction at a time): the MFA module serializes changes to one user's factors on it.
 */
export async function lockUser(trx: Executor, userId: string): Promise<void> {
  await trx
    .updateTable('users')
    .set((eb) => ({ mfaEnabledAt: eb.ref('mfaEnabledAt') }))
    .where('id', '=', userId)
    .execute();
}

/** Marks the user as having (or no longer having) a confirmed second factor; a no-op if already so. */
export async function setMfaEnabled(trx: Executor, userId: string, enabled: boolean): Promise<void> {
  await trx
    .updateTable('users')
    .set({ mfaEnabledAt: enabled ? nowIso() : null })
    .where('id', '=', userId)
    .where('mfaEnabledAt', enabled ? 'is' : 'is not', null)
    .execute();
}

// ---- what access control keeps on the organization row ----

export interface AccessHead {
  accessVersion: number;
  timeZone: string;
}

// Read by every permission check that compiles the policy: compiled once (precompiled.ts).
const accessHeadQuery = precompiled(
  (db: Kysely<DB>, organizationId: string) =>
    db.selectFrom('organizations').select(['accessVersion', 'timeZone']).where('id', '=', organizationId),
  [''] as const,
);

/** The organization's access version and time zone, or undefined when there is no such organization. */
export async function findAccessHead(db: Executor, organizationId: string): Promise<AccessHead | undefined> {
  const [head] = await accessHeadQuery(db, organizationId);
  return head;
}

/**
 * Bumps the organization's access version (compiled access policies are cached by it). The update
 * also takes the organization's row lock, so concurrent edits apply one after another.
 */
export async function bumpAccessVersion(trx: Executor, organizationId: string): Promise<void> {
  await trx
    .updateTable('organizations')
    .set((eb) => ({ accessVersion: eb('accessVersion', '+', 1), updatedAt: nowIso() }))
    .where('id', '=', organizationId)
    .execute();
}

/** The time zone access rules' hours are read in. */
export async function setTimeZone(trx: Executor, organizationId: string, timeZone: string): Promise<void> {
  await trx
    .updateTable('organizations')
    .set({ timeZone, updatedAt: nowIso() })
    .where('id', '=', organizationId)
    .execute();
}

/** The role lists of the organization's members, as stored (access counts members per role from them). */
export async function memberRoleLists(db: Executor, organizationId: string): Promise<unknown[]> {
  const rows = await db
    .selectFrom('memberships')
    .select('roles')
    .where('organizationId', '=', organizationId)
    .execute();
  return rows.map((r) => r.roles);
}
