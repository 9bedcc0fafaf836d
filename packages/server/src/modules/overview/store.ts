import { SEVERITIES, type Severity } from '@custos/shared';
import { sql } from 'kysely';
import type { Executor } from '../../platform/db/executor';
import { parseJson } from '../../platform/db/json';

/**
 * The overview's reads. Each is one aggregate query over one organization, on an index that starts
 * with the organization (or the audit log id, which is the organization's id).
 */

/** 1 for each row matching `condition`, summed (portable: SQLite and PostgreSQL). */
const countWhen = (condition: ReturnType<typeof sql>) =>
  sql<number | string>`sum(case when ${condition} then 1 else 0 end)`;

/** Counts come back as numbers from SQLite and as bigint text from PostgreSQL. */
const count = (value: unknown) => Number(value ?? 0);

export const SIGNED_IN = 'user.signed_in';
export const SIGN_IN_FAILED = 'user.sign_in_failed';

/** Sessions opened with a second factor, or with a passkey (which verified the user itself). */
const MFA_METHODS = ['password+totp', 'password+passkey', 'password+recovery_code', 'passkey'];

export type SeverityCounts = Record<Severity, number>;

/** Security events still waiting for someone (open or acknowledged), by severity. */
export async function countOpenEventsBySeverity(
  db: Executor,
  organizationId: string,
): Promise<SeverityCounts> {
  const rows = await db
    .selectFrom('securityEvents')
    .select(['severity', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('organizationId', '=', organizationId)
    .where('status', 'in', ['open', 'acknowledged'])
    .groupBy('severity')
    .execute();
  const counts: SeverityCounts = { low: 0, medium: 0, high: 0, critical: 0 };
  for (const row of rows) {
    if ((SEVERITIES as readonly string[]).includes(row.severity))
      counts[row.severity as Severity] = count(row.n);
  }
  return counts;
}

export interface SignInHour {
  /** The first 13 characters of the ISO timestamp: 'YYYY-MM-DDTHH'. */
  hour: string;
  failed: number;
  succeeded: number;
  /** Failures at or after `recentSince` (the trailing hour, which spans two clock hours). */
  failedRecently: number;
}

/**
 * Sign-ins and failed sign-ins in the organization's audit log since `since`, per clock hour, in one
 * query: timestamps are stored as ISO text, so the hour is a prefix of it on both databases.
 */
export async function signInsByHour(
  db: Executor,
  organizationId: string,
  since: string,
  recentSince: string,
): Promise<SignInHour[]> {
  const hour = sql<string>`substr(${sql.ref('occurredAt')}, 1, 13)`;
  const rows = await db
    .selectFrom('auditEvents')
    .select([
      hour.as('hour'),
      countWhen(sql`${sql.ref('action')} = ${SIGN_IN_FAILED}`).as('failed'),
      countWhen(sql`${sql.ref('action')} = ${SIGNED_IN}`).as('succeeded'),
      countWhen(
        sql`${sql.ref('action')} = ${SIGN_IN_FAILED} and ${sql.ref('occurredAt')} >= ${recentSince}`,
      ).as('failedRecently'),
    ])
    .where('logId', '=', organizationId)
    .where('action', 'in', [SIGN_IN_FAILED, SIGNED_IN])
    .where('occurredAt', '>=', since)
    .groupBy(hour)
    .execute();
  return rows.map((r) => ({
    hour: r.hour,
    failed: count(r.failed),
    succeeded: count(r.succeeded),
    failedRecently: count(r.failedRecently),
  }));
}

/**
 * Sign-ins since `since` by country, most first: every sign-in opens a session with the country of
 * its address. Impersonation sessions are no sign-in of the member's and are left out.
 */
export async function signInsByCountry(
  db: Executor,
  organizationId: string,
  since: string,
  limit: number,
): Promise<{ country: string | null; count: number }[]> {
  const n = sql<number | string>`count(*)`;
  const rows = await db
    .selectFrom('sessions')
    .select(['country', n.as('n')])
    .where('organizationId', '=', organizationId)
    .where('createdAt', '>=', since)
    .where('impersonatorId', 'is', null)
    .groupBy('country')
    // Unknown last among equals, then by code, so both databases answer in the same order.
    .orderBy(n, 'desc')
    .orderBy(sql`case when ${sql.ref('country')} is null then 1 else 0 end`)
    .orderBy('country')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ country: r.country, count: count(r.n) }));
}

export interface SessionFigures {
  active: number;
  stale: number;
  withMfa: number;
}

/**
 * Sessions the session check would still accept: not revoked, before their absolute expiry, and
 * seen within the organization's idle timeout (an idle one is refused even though no row says so).
 */
export async function sessionFigures(
  db: Executor,
  organizationId: string,
  at: { now: string; idleSince: string; staleBefore: string },
): Promise<SessionFigures> {
  const row = await db
    .selectFrom('sessions')
    .select([
      (eb) => eb.fn.countAll<number | string>().as('active'),
      countWhen(sql`${sql.ref('lastSeenAt')} < ${at.staleBefore}`).as('stale'),
      countWhen(sql`${sql.ref('authMethod')} in (${sql.join(MFA_METHODS)})`).as('withMfa'),
    ])
    .where('organizationId', '=', organizationId)
    .where('revokedAt', 'is', null)
    .where('expiresAt', '>', at.now)
    .where('lastSeenAt', '>=', at.idleSince)
    .executeTakeFirst();
  return { active: count(row?.active), stale: count(row?.stale), withMfa: count(row?.withMfa) };
}

export interface MembersWithRoles {
  roles: string[];
  members: number;
  /** Of them, with a confirmed factor. */
  enrolled: number;
}

/**
 * The organization's members (disabled accounts left out: they cannot sign in) grouped by role
 * list: one row per distinct list, so the caller checks each list's grants once.
 */
export async function membersByRoles(db: Executor, organizationId: string): Promise<MembersWithRoles[]> {
  const rows = await db
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.userId')
    .select([
      'm.roles',
      (eb) => eb.fn.countAll<number | string>().as('members'),
      countWhen(sql`${sql.ref('u.mfaEnabledAt')} is not null`).as('enrolled'),
    ])
    .where('m.organizationId', '=', organizationId)
    .where('u.disabledAt', 'is', null)
    .groupBy('m.roles')
    .execute();
  return rows.map((r) => {
    const roles = parseJson<unknown>(r.roles);
    return {
      roles: Array.isArray(roles) ? roles.map(String) : [],
      members: count(r.members),
      enrolled: count(r.enrolled),
    };
  });
}

/** Account locks and IP blocks in force now. */
export async function countActiveResponses(
  db: Executor,
  organizationId: string,
  now: string,
): Promise<number> {
  const row = await db
    .selectFrom('threatResponses')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('organizationId', '=', organizationId)
    .where('kind', 'in', ['lock_account', 'block_ip'])
    .where('liftedAt', 'is', null)
    .where((eb) => eb.or([eb('expiresAt', 'is', null), eb('expiresAt', '>', now)]))
    .executeTakeFirst();
  return count(row?.n);
}

/** Whether the organization has at least one enabled row in this table (alert channels, access rules). */
export async function hasEnabled(
  db: Executor,
  table: 'alertChannels' | 'accessRules',
  organizationId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom(table)
    .select('id')
    .where('organizationId', '=', organizationId)
    .where('enabled', '=', 1)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
