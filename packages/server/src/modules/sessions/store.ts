import { type CompiledQuery, type ExpressionBuilder, type Kysely, sql } from 'kysely';
import { nowIso } from '../../platform/clock';
import { newId } from '../../platform/crypto/tokens';
import type { Executor } from '../../platform/db/executor';
import { parseJson } from '../../platform/db/json';
import { CompiledCache, precompiled, precompiledWrite } from '../../platform/db/precompiled';
import type { DB } from '../../platform/db/schema';

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
  | 'impersonation_ended'
  | 'security_response'
  | 'account_locked';

/** Everything the session check needs, in one indexed query. */
export interface SessionContextRow {
  sessionId: string;
  userId: string;
  organizationId: string | null;
  expiresAt: string;
  lastSeenAt: string;
  revokedAt: string | null;
  stepUpAt: string | null;
  /** A threat response asked for a fresh verification at this time. */
  stepUpDemandedAt: string | null;
  impersonatorId: string | null;
  impersonation: string | null;
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
  /** The organization's access version: which compiled roles and rules apply (0: none customised). */
  accessVersion: number | null;
}

/**
 * The session check's query, written out with camelCase aliases and run without Kysely's plugins:
 * every request runs it, and mapping each row's keys from snake_case costs more than the read.
 */
function sessionContextSql(by: 'token_hash' | 'id', value: string) {
  return sql<RawContextRow>`select s.id as "sessionId", s.user_id as "userId", s.organization_id as "organizationId",
    s.expires_at as "expiresAt", s.last_seen_at as "lastSeenAt", s.revoked_at as "revokedAt",
    s.step_up_at as "stepUpAt", s.step_up_demanded_at as "stepUpDemandedAt", s.impersonation as "impersonation",
    u.email as "email", u.name as "name", u.is_super_admin as "isSuperAdmin", u.disabled_at as "disabledAt",
    u.created_at as "userCreatedAt", u.mfa_enabled_at as "mfaEnabledAt",
    m.roles as "roles", m.created_at as "joinedAt", p.session_rules as "sessionRules",
    o.access_version as "accessVersion"
    from sessions s
    inner join users u on u.id = s.user_id
    left join memberships m on m.user_id = s.user_id and m.organization_id = s.organization_id
    left join security_policies p on p.organization_id = s.organization_id
    left join organizations o on o.id = s.organization_id
    where ${sql.ref(`s.${by}`)} = ${value}`;
}

type RawContextRow = Omit<SessionContextRow, keyof SessionRules | 'impersonatorId'> & {
  impersonation: string | null;
  sessionRules: string | null;
};

interface CompiledContext {
  token_hash: CompiledQuery<RawContextRow>;
  id: CompiledQuery<RawContextRow>;
}
// Run without plugins: the query names its columns itself, and renaming them again costs.
const compiledContext = new CompiledCache<CompiledContext>();
const bareByDb = new WeakMap<Kysely<DB>, Kysely<DB>>();
function bareOf(db: Kysely<DB>): Kysely<DB> {
  let bare = bareByDb.get(db);
  if (!bare) {
    bare = db.withoutPlugins();
    bareByDb.set(db, bare);
  }
  return bare;
}

/** The policy fields the check reads, from their one-column form (few distinct values: parsed once). */
type SessionRules = Pick<
  SessionContextRow,
  'mfaRequirement' | 'mfaRoles' | 'mfaGraceDays' | 'mfaRequiredSince' | 'stepUpMinutes' | 'idleTimeoutMinutes'
>;
const NO_RULES: SessionRules = {
  mfaRequirement: null,
  mfaRoles: null,
  mfaGraceDays: null,
  mfaRequiredSince: null,
  stepUpMinutes: null,
  idleTimeoutMinutes: null,
};
const parsedRules = new Map<string, SessionRules>();
function rulesOf(text: string | null): SessionRules {
  if (!text) return NO_RULES;
  let rules = parsedRules.get(text);
  if (!rules) {
    const r = parseJson<Partial<Record<keyof SessionRules, unknown>>>(text);
    const num = (v: unknown) => (typeof v === 'number' ? v : null);
    const str = (v: unknown) => (typeof v === 'string' ? v : null);
    rules = {
      mfaRequirement: str(r.mfaRequirement),
      mfaRoles: Array.isArray(r.mfaRoles) ? JSON.stringify(r.mfaRoles) : null,
      mfaGraceDays: num(r.mfaGraceDays),
      mfaRequiredSince: str(r.mfaRequiredSince),
      stepUpMinutes: num(r.stepUpMinutes),
      idleTimeoutMinutes: num(r.idleTimeoutMinutes),
    };
    if (parsedRules.size >= 10_000) parsedRules.clear();
    parsedRules.set(text, rules);
  }
  return rules;
}

/**
 * The session check reads few columns (each costs on every request): the organization's rules come
 * as one JSON column kept by the policy store, and the impersonator inside the session's snapshot.
 */
function toContextRow(raw: RawContextRow): SessionContextRow {
  const impersonatorId = raw.impersonation ? impersonatorIdOf(raw.impersonation) : null;
  // In place: the row is ours, and copying it costs more than the read on this path.
  return Object.assign(raw, rulesOf(raw.sessionRules), { impersonatorId });
}

function impersonatorIdOf(snapshot: string): string | null {
  const parsed = parseJson<{ userId?: unknown }>(snapshot);
  return typeof parsed.userId === 'string' ? parsed.userId : null;
}

export async function findSessionContext(
  db: Kysely<DB>,
  by: { tokenHash: string } | { sessionId: string },
): Promise<SessionContextRow | undefined> {
  const bare = bareOf(db);
  const queries = compiledContext.get(bare, () => ({
    token_hash: sessionContextSql('token_hash', '').compile(bare),
    id: sessionContextSql('id', '').compile(bare),
  }));
  const [query, value] = 'tokenHash' in by ? [queries.token_hash, by.tokenHash] : [queries.id, by.sessionId];
  const { rows } = await bare.executeQuery<RawContextRow>({ ...query, parameters: [value] });
  const raw = rows[0];
  return raw ? toContextRow(raw) : undefined;
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
  impersonation: string | null;
}

export async function insertSession(
  trx: Executor,
  input: NewSession,
): Promise<{ id: string; createdAt: string }> {
  const at = nowIso();
  const id = newId();
  await sessionInsert(
    trx,
    id,
    input.tokenHash,
    input.userId,
    input.organizationId,
    input.expiresAt,
    input.ip,
    input.userAgent,
    input.stepUpAt,
    input.authMethod,
    input.deviceFingerprint,
    input.deviceLabel,
    input.country,
    input.newDevice,
    input.newCountry,
    input.impersonatorId,
    input.impersonation,
    at,
    at,
  );
  return { id, createdAt: at };
}

// Every sign-in inserts one: compiled once (precompiled.ts), its values in this order.
const sessionInsert = precompiledWrite(
  (
    db: Kysely<DB>,
    id: string,
    tokenHash: string,
    userId: string,
    organizationId: string | null,
    expiresAt: string,
    ip: string | null,
    userAgent: string | null,
    stepUpAt: string | null,
    authMethod: string,
    deviceFingerprint: string | null,
    deviceLabel: string | null,
    country: string | null,
    newDevice: number,
    newCountry: number,
    impersonatorId: string | null,
    impersonation: string | null,
    createdAt: string,
    lastSeenAt: string,
  ) =>
    db.insertInto('sessions').values({
      id,
      tokenHash,
      userId,
      organizationId,
      expiresAt,
      ip,
      userAgent,
      stepUpAt,
      authMethod,
      deviceFingerprint,
      deviceLabel,
      country,
      newDevice,
      newCountry,
      impersonatorId,
      impersonation,
      createdAt,
      lastSeenAt,
      // revoked_at and revoked_reason start out null.
    }),
  ['', '', '', '', '', '', '', '', '', '', '', '', 0, 0, '', '', '', ''] as const,
);

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

/**
 * Ends that make every trusted browser of the user a stranger again (trusted devices are exempt
 * from lockouts, so after a password change or a threat response the old ones must prove
 * themselves anew).
 */
const FORGETS_TRUSTED_DEVICES: ReadonlySet<RevokeReason> = new Set([
  'password_changed',
  'password_reset',
  'account_reclaimed',
  'security_response',
]);

/** Ends a user's sessions, optionally only those in one organization, optionally sparing one. */
export async function revokeUserSessions(
  trx: Executor,
  userId: string,
  reason: RevokeReason,
  options: { organizationId?: string; exceptSessionId?: string } = {},
): Promise<number> {
  if (FORGETS_TRUSTED_DEVICES.has(reason)) {
    await trx.deleteFrom('trustedDevices').where('userId', '=', userId).execute();
  }
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

/** A threat response: the user's live sessions in the organization must verify again first. */
export async function demandStepUp(trx: Executor, userId: string, organizationId: string): Promise<number> {
  const result = await trx
    .updateTable('sessions')
    .set({ stepUpDemandedAt: nowIso() })
    .where('userId', '=', userId)
    .where('organizationId', '=', organizationId)
    .where('revokedAt', 'is', null)
    .where('expiresAt', '>', nowIso())
    .executeTakeFirst();
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
  const known = await knownOrigins(trx, userId, kind);
  const seen = known.find((k) => k.value === value);
  const isNew = !seen;
  if (isNew) {
    await trx
      .insertInto('userSignInOrigins')
      .values({ userId, kind, value, label, firstSeenAt: at, lastSeenAt: at })
      .onConflict((oc) => oc.columns(['userId', 'kind', 'value']).doUpdateSet({ lastSeenAt: at }))
      .execute();
  } else if (seen.label !== label || Date.parse(at) - Date.parse(seen.lastSeenAt) > ORIGIN_TOUCH_MS) {
    // Last seen to the hour: a row rewritten on every sign-in costs the sign-in a page write.
    await touchOrigin(trx, at, label, userId, kind, value);
  }
  return { isNew, hadHistory: known.length > 0 };
}

// Both run on every sign-in: compiled once (precompiled.ts).
const knownOrigins = precompiled(
  (db: Kysely<DB>, userId: string, kind: string) =>
    db
      .selectFrom('userSignInOrigins')
      .select(['value', 'label', 'lastSeenAt'])
      .where('userId', '=', userId)
      .where('kind', '=', kind),
  ['', ''] as const,
);
const ORIGIN_TOUCH_MS = 3_600_000;
const touchOrigin = precompiledWrite(
  (db: Kysely<DB>, at: string, label: string | null, userId: string, kind: string, value: string) =>
    db
      .updateTable('userSignInOrigins')
      .set({ lastSeenAt: at, label })
      .where('userId', '=', userId)
      .where('kind', '=', kind)
      .where('value', '=', value),
  ['', '', '', '', ''] as const,
);

/**
 * Ends the organization's sessions idle since before `idleSince` (the session check refuses them
 * already; this keeps them refused once the security policy's timeout grows).
 */
export async function endIdleSessions(
  trx: Executor,
  organizationId: string,
  idleSince: string,
): Promise<number> {
  const result = await trx
    .updateTable('sessions')
    .set({ revokedAt: nowIso(), revokedReason: 'idle_timeout' })
    .where('organizationId', '=', organizationId)
    .where('revokedAt', 'is', null)
    .where('lastSeenAt', '<', idleSince)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export interface MemberSessionFacts {
  /** Sessions the session check would still accept (not revoked, unexpired, not idle). */
  active: number;
  lastSignInAt: string;
  lastSignInCountry: string | null;
}

/**
 * Per member of one organization: live sessions there, and the newest sign-in into it (the newest
 * session opened there, revoked or not; impersonations are no sign-in of the member's). Only this
 * organization's sessions count, so no tenant learns where a shared user signs in elsewhere.
 */
export async function memberSessionFacts(
  db: Executor,
  organizationId: string,
  at: { now: string; idleSince: string },
): Promise<Map<string, MemberSessionFacts>> {
  const newest = sql<number>`row_number() over (partition by ${sql.ref('userId')} order by ${sql.ref('createdAt')} desc, ${sql.ref('id')} desc)`;
  const live = sql<number>`sum(case when ${sql.ref('revokedAt')} is null and ${sql.ref('expiresAt')} > ${at.now} and ${sql.ref('lastSeenAt')} >= ${at.idleSince} then 1 else 0 end) over (partition by ${sql.ref('userId')})`;
  const rows = await db
    .selectFrom((eb) =>
      eb
        .selectFrom('sessions')
        .select(['userId', 'createdAt', 'country', newest.as('rank'), live.as('active')])
        .where('organizationId', '=', organizationId)
        .where('impersonatorId', 'is', null)
        .as('s'),
    )
    .select(['s.userId', 's.createdAt', 's.country', 's.active'])
    .where('s.rank', '=', 1)
    .execute();
  return new Map(
    rows.map((r) => [
      r.userId,
      { active: Number(r.active ?? 0), lastSignInAt: r.createdAt, lastSignInCountry: r.country },
    ]),
  );
}

/**
 * A user's sessions in one organization (and those outside any), newest first, for the copy of their
 * data a privacy access request returns. Read only.
 */
export async function sessionsForSubjectCopy(
  db: Executor,
  userId: string,
  organizationId: string,
  limit: number,
) {
  return db
    .selectFrom('sessions')
    .select([
      'id',
      'createdAt',
      'lastSeenAt',
      'expiresAt',
      'revokedAt',
      'ip',
      'userAgent',
      'deviceLabel',
      'country',
      'authMethod',
    ])
    .where('userId', '=', userId)
    .where((eb) => eb.or([eb('organizationId', '=', organizationId), eb('organizationId', 'is', null)]))
    .orderBy('createdAt', 'desc')
    .limit(limit)
    .execute();
}

/** Sessions that ended before `cutoff`: revoked then, or never revoked and expired then. */
const endedBefore = (cutoff: string) => (eb: ExpressionBuilder<DB, 'sessions'>) =>
  eb.or([eb('revokedAt', '<', cutoff), eb.and([eb('revokedAt', 'is', null), eb('expiresAt', '<', cutoff)])]);

/** Privacy retention: how many of an organization's sessions ended before `cutoff`. */
export async function countEndedSessionsBefore(
  db: Executor,
  organizationId: string,
  cutoff: string,
): Promise<number> {
  const row = await db
    .selectFrom('sessions')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('organizationId', '=', organizationId)
    .where(endedBefore(cutoff))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Privacy retention: removes an organization's sessions that ended before `cutoff`; answers how many. */
export async function deleteEndedSessionsBefore(
  db: Executor,
  organizationId: string,
  cutoff: string,
): Promise<number> {
  const result = await db
    .deleteFrom('sessions')
    .where('organizationId', '=', organizationId)
    .where(endedBefore(cutoff))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
