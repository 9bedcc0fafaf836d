import type { Kysely, Transaction } from 'kysely';
import { nowIso } from '../../platform/clock';
import { newId } from '../../platform/crypto/tokens';
import { precompiled } from '../../platform/db/precompiled';
import type { DB } from '../../platform/db/schema';

type Executor = Kysely<DB> | Transaction<DB>;

/** Why a session ended, kept on the row for the session list and investigations. */
export type RevokeReason =
  | 'signed_out'
  | 'revoked_by_user'
  | 'revoked_by_admin'
  | 'password_changed'
  | 'password_reset'
  | 'factor_changed'
  | 'session_limit'
  | 'idle_timeout'
  | 'user_disabled'
  | 'member_removed'
  | 'account_reclaimed'
  | 'impersonation_ended';

/** Everything the session check needs, in one indexed query. */
export interface SessionContextRow {
  sessionId: string;
  userId: string;
  organizationId: string | null;
  expiresAt: string;
  lastSeenAt: string;
  revokedAt: string | null;
  stepUpAt: string | null;
  impersonatorId: string | null;
  impersonatorSessionId: string | null;
  impersonationReason: string | null;
  email: string;
  name: string;
  isSuperAdmin: number;
  disabledAt: string | null;
  userCreatedAt: string;
  mfaEnabledAt: string | null;
  roles: unknown;
  joinedAt: string | null;
  mfaRequirement: string | null;
  mfaRoles: unknown;
  mfaGraceDays: number | null;
  mfaRequiredSince: string | null;
  stepUpMinutes: number | null;
  idleTimeoutMinutes: number | null;
  impersonatorName: string | null;
  impersonatorEmail: string | null;
}

function sessionContextQuery(db: Kysely<DB>) {
  return db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.userId')
    .leftJoin('memberships as m', (join) =>
      join.onRef('m.userId', '=', 's.userId').onRef('m.organizationId', '=', 's.organizationId'),
    )
    .leftJoin('securityPolicies as p', 'p.organizationId', 's.organizationId')
    .leftJoin('users as iu', 'iu.id', 's.impersonatorId')
    .select([
      's.id as sessionId',
      's.userId',
      's.organizationId',
      's.expiresAt',
      's.lastSeenAt',
      's.revokedAt',
      's.stepUpAt',
      's.impersonatorId',
      's.impersonatorSessionId',
      's.impersonationReason',
      'u.email',
      'u.name',
      'u.isSuperAdmin',
      'u.disabledAt',
      'u.createdAt as userCreatedAt',
      'u.mfaEnabledAt',
      'm.roles',
      'm.createdAt as joinedAt',
      'p.mfaRequirement',
      'p.mfaRoles',
      'p.mfaGraceDays',
      'p.mfaRequiredSince',
      'p.stepUpMinutes',
      'p.idleTimeoutMinutes',
      'iu.name as impersonatorName',
      'iu.email as impersonatorEmail',
    ]);
}

/** The session check, run on every authenticated request: one indexed query, compiled once. */
const sessionByTokenHash = precompiled(
  (db: Kysely<DB>, tokenHash: string) => sessionContextQuery(db).where('s.tokenHash', '=', tokenHash),
  [''] as const,
);
const sessionById = precompiled(
  (db: Kysely<DB>, sessionId: string) => sessionContextQuery(db).where('s.id', '=', sessionId),
  [''] as const,
);

export async function findSessionContext(
  db: Kysely<DB>,
  by: { tokenHash: string } | { sessionId: string },
): Promise<SessionContextRow | undefined> {
  const rows =
    'tokenHash' in by ? await sessionByTokenHash(db, by.tokenHash) : await sessionById(db, by.sessionId);
  return rows[0] as SessionContextRow | undefined;
}

export interface NewSession {
  tokenHash: string;
  userId: string;
  organizationId: string | null;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
  stepUpAt: string | null;
  authMethod: string;
  deviceFingerprint: string | null;
  deviceLabel: string | null;
  country: string | null;
  newDevice: number;
  newCountry: number;
  impersonatorId: string | null;
  impersonatorSessionId: string | null;
  impersonationReason: string | null;
}

export async function insertSession(
  trx: Executor,
  input: NewSession,
): Promise<{ id: string; createdAt: string }> {
  const at = nowIso();
  const id = newId();
  await trx
    .insertInto('sessions')
    .values({ id, ...input, createdAt: at, lastSeenAt: at, revokedAt: null, revokedReason: null })
    .execute();
  return { id, createdAt: at };
}

export async function touchSession(db: Executor, sessionId: string, at: string): Promise<void> {
  await db.updateTable('sessions').set({ lastSeenAt: at }).where('id', '=', sessionId).execute();
}

/** A new token for the same session (re-authentication, privilege change): the old one stops working. */
export async function replaceToken(trx: Executor, sessionId: string, tokenHash: string): Promise<void> {
  await trx.updateTable('sessions').set({ tokenHash }).where('id', '=', sessionId).execute();
}

export async function markSteppedUp(trx: Executor, sessionId: string, at: string): Promise<void> {
  await trx.updateTable('sessions').set({ stepUpAt: at }).where('id', '=', sessionId).execute();
}

export async function setSessionOrganization(trx: Executor, sessionId: string, organizationId: string) {
  await trx.updateTable('sessions').set({ organizationId }).where('id', '=', sessionId).execute();
}

export async function revokeSession(trx: Executor, sessionId: string, reason: RevokeReason): Promise<number> {
  const result = await trx
    .updateTable('sessions')
    .set({ revokedAt: nowIso(), revokedReason: reason })
    .where('id', '=', sessionId)
    .where('revokedAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Ends a user's sessions, optionally only those in one organization, optionally sparing one. */
export async function revokeUserSessions(
  trx: Executor,
  userId: string,
  reason: RevokeReason,
  options: { organizationId?: string; exceptSessionId?: string } = {},
): Promise<number> {
  let query = trx
    .updateTable('sessions')
    .set({ revokedAt: nowIso(), revokedReason: reason })
    .where('userId', '=', userId)
    .where('revokedAt', 'is', null);
  if (options.organizationId) query = query.where('organizationId', '=', options.organizationId);
  if (options.exceptSessionId) query = query.where('id', '!=', options.exceptSessionId);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Ends the impersonation sessions a super admin opened (they belong to the impersonated users). */
export async function revokeSessionsImpersonatedBy(
  trx: Executor,
  impersonatorId: string,
  reason: RevokeReason,
): Promise<number> {
  const result = await trx
    .updateTable('sessions')
    .set({ revokedAt: nowIso(), revokedReason: reason })
    .where('impersonatorId', '=', impersonatorId)
    .where('revokedAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Ends every session in an organization but one (the admin's own). */
export async function revokeOrganizationSessions(
  trx: Executor,
  organizationId: string,
  exceptSessionId: string | null,
): Promise<number> {
  let query = trx
    .updateTable('sessions')
    .set({ revokedAt: nowIso(), revokedReason: 'revoked_by_admin' })
    .where('organizationId', '=', organizationId)
    .where('revokedAt', 'is', null);
  if (exceptSessionId) query = query.where('id', '!=', exceptSessionId);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export interface SessionListRow {
  id: string;
  userId: string;
  userName: string;
  userEmail: string;
  organizationId: string | null;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  ip: string | null;
  country: string | null;
  deviceLabel: string | null;
  newDevice: number | null;
  newCountry: number | null;
  impersonatorName: string | null;
  idleTimeoutMinutes: number | null;
}

/**
 * Sessions not revoked and within their lifetime, newest first: of one organization, of one user, or
 * both. The idle timeout depends on each session's organization, so callers filter on it.
 */
export async function listLiveSessions(
  db: Executor,
  filter: { organizationId?: string; userId?: string; now: string; limit: number; offset?: number },
): Promise<SessionListRow[]> {
  let query = db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.userId')
    .leftJoin('users as iu', 'iu.id', 's.impersonatorId')
    .leftJoin('securityPolicies as p', 'p.organizationId', 's.organizationId')
    .select([
      'p.idleTimeoutMinutes',
      's.id',
      's.userId',
      'u.name as userName',
      'u.email as userEmail',
      's.organizationId',
      's.createdAt',
      's.lastSeenAt',
      's.expiresAt',
      's.ip',
      's.country',
      's.deviceLabel',
      's.newDevice',
      's.newCountry',
      'iu.name as impersonatorName',
    ])
    .where('s.revokedAt', 'is', null)
    .where('s.expiresAt', '>', filter.now);
  if (filter.organizationId) query = query.where('s.organizationId', '=', filter.organizationId);
  if (filter.userId) query = query.where('s.userId', '=', filter.userId);
  return query
    .orderBy('s.createdAt', 'desc')
    .orderBy('s.id', 'desc')
    .limit(filter.limit)
    .offset(filter.offset ?? 0)
    .execute();
}

export async function findSession(
  db: Executor,
  id: string,
): Promise<
  { id: string; userId: string; organizationId: string | null; revokedAt: string | null } | undefined
> {
  return db
    .selectFrom('sessions')
    .select(['id', 'userId', 'organizationId', 'revokedAt'])
    .where('id', '=', id)
    .executeTakeFirst();
}

/** A user's live sessions in one organization, oldest first (for the concurrent-session limit). */
export async function liveSessionIdsOldestFirst(
  trx: Executor,
  userId: string,
  organizationId: string | null,
  now: string,
  idleSince: string,
): Promise<string[]> {
  let query = trx
    .selectFrom('sessions')
    .select('id')
    .where('userId', '=', userId)
    .where('revokedAt', 'is', null)
    .where('expiresAt', '>', now)
    .where('lastSeenAt', '>', idleSince)
    .where('impersonatorId', 'is', null);
  query = organizationId
    ? query.where('organizationId', '=', organizationId)
    : query.where('organizationId', 'is', null);
  const rows = await query.orderBy('createdAt').orderBy('id').execute();
  return rows.map((r) => r.id);
}

/** Records a device or country the user signed in from; answers whether it was new and the user had history. */
export async function rememberOrigin(
  trx: Executor,
  userId: string,
  kind: 'device' | 'country',
  value: string,
  label: string | null,
): Promise<{ isNew: boolean; hadHistory: boolean }> {
  const at = nowIso();
  const known = await trx
    .selectFrom('userSignInOrigins')
    .select(['value'])
    .where('userId', '=', userId)
    .where('kind', '=', kind)
    .execute();
  const isNew = !known.some((k) => k.value === value);
  if (isNew) {
    await trx
      .insertInto('userSignInOrigins')
      .values({ userId, kind, value, label, firstSeenAt: at, lastSeenAt: at })
      .onConflict((oc) => oc.columns(['userId', 'kind', 'value']).doUpdateSet({ lastSeenAt: at }))
      .execute();
  } else {
    await trx
      .updateTable('userSignInOrigins')
      .set({ lastSeenAt: at, label })
      .where('userId', '=', userId)
      .where('kind', '=', kind)
      .where('value', '=', value)
      .execute();
  }
  return { isNew, hadHistory: known.length > 0 };
}
