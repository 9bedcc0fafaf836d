import type { ResponseKind } from '@custos/shared';
import type { Kysely } from 'kysely';
import { newId } from '../../platform/crypto/tokens';
import type { Executor } from '../../platform/db/executor';
import { precompiled } from '../../platform/db/precompiled';
import type { DB } from '../../platform/db/schema';
import { normalizeIp } from './ip';
import type { ThreatResponseRow } from './present';
import type { DeliveryColumns } from './response-delivery';

const responseColumns = [
  'r.id',
  'r.organizationId',
  'r.securityEventId',
  'r.kind',
  'r.scope',
  'r.userId',
  'u.name as userName',
  'r.ip',
  'r.createdBy',
  'r.createdAt',
  'r.expiresAt',
  'r.liftedAt',
  'r.liftedBy',
  'r.liftedByName',
  'r.deliveryStatus',
  'r.deliveryDetail',
  'r.deliveryAt',
] as const;

const selectResponses = (db: Executor) =>
  db.selectFrom('threatResponses as r').leftJoin('users as u', 'u.id', 'r.userId').select(responseColumns);

export interface NewResponse {
  organizationId: string;
  securityEventId: string | null;
  kind: ResponseKind;
  scope: 'untrusted' | 'all' | null;
  userId: string | null;
  ip: string | null;
  createdBy: string | null;
  createdAt: string;
  expiresAt: string | null;
  /** notify_user: `pending` until the e-mail's fate is known; null for actions that send nothing. */
  delivery?: DeliveryColumns | null;
}

export async function insertResponse(trx: Executor, response: NewResponse): Promise<string> {
  const id = newId();
  const { delivery, ...columns } = response;
  await trx
    .insertInto('threatResponses')
    .values({
      id,
      ...columns,
      liftedAt: null,
      liftedBy: null,
      liftedByName: null,
      deliveryStatus: delivery?.deliveryStatus ?? null,
      deliveryDetail: delivery?.deliveryDetail ?? null,
      deliveryAt: delivery?.deliveryAt ?? null,
    })
    .execute();
  return id;
}

/**
 * Records what became of a notify_user response's e-mail. Only a pending one changes: an outcome
 * is written once.
 */
export async function setDelivery(
  db: Executor,
  organizationId: string,
  id: string,
  delivery: DeliveryColumns,
): Promise<boolean> {
  const result = await db
    .updateTable('threatResponses')
    .set(delivery)
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .where('deliveryStatus', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function findResponse(
  db: Executor,
  organizationId: string,
  id: string,
): Promise<ThreatResponseRow | undefined> {
  return selectResponses(db)
    .where('r.organizationId', '=', organizationId)
    .where('r.id', '=', id)
    .executeTakeFirst();
}

/**
 * The lock or block in force that a new one would duplicate: same organization, kind, user or IP,
 * and (for locks) scope. The longest-lasting one, so extending it is what a second one would add.
 */
export async function findActiveDuplicate(
  db: Executor,
  response: Pick<NewResponse, 'organizationId' | 'kind' | 'scope' | 'userId' | 'ip'>,
  now: string,
): Promise<ThreatResponseRow | undefined> {
  let query = selectResponses(db)
    .where('r.organizationId', '=', response.organizationId)
    .where('r.kind', '=', response.kind)
    .where('r.liftedAt', 'is', null)
    .where((eb) => eb.or([eb('r.expiresAt', 'is', null), eb('r.expiresAt', '>', now)]));
  if (response.kind === 'lock_account') {
    query = query.where('r.userId', '=', response.userId).where('r.scope', '=', response.scope);
  } else {
    query = query.where('r.ip', '=', response.ip).where('r.scope', '=', response.scope);
  }
  const rows = await query.execute();
  return rows.find((r) => r.expiresAt === null) ?? rows.sort((a, b) => cmp(b.expiresAt, a.expiresAt))[0];
}

const cmp = (a: string | null, b: string | null) => (a ?? '').localeCompare(b ?? '');

export async function setExpiry(
  trx: Executor,
  organizationId: string,
  id: string,
  expiresAt: string | null,
): Promise<void> {
  await trx
    .updateTable('threatResponses')
    .set({ expiresAt })
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .execute();
}

export async function markLifted(
  trx: Executor,
  organizationId: string,
  id: string,
  by: { id: string | null; name: string | null; at: string },
): Promise<void> {
  await trx
    .updateTable('threatResponses')
    .set({ liftedAt: by.at, liftedBy: by.id, liftedByName: by.name })
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .where('liftedAt', 'is', null)
    .execute();
}

export interface ResponseFilters {
  /** Only locks and blocks in force. */
  activeOnly: boolean;
  kind?: ResponseKind;
  userId?: string;
  securityEventId?: string;
}

/** Newest first. */
export async function listResponses(
  db: Executor,
  organizationId: string,
  filters: ResponseFilters,
  now: string,
  limit: number,
): Promise<ThreatResponseRow[]> {
  let query = selectResponses(db).where('r.organizationId', '=', organizationId);
  if (filters.activeOnly) {
    query = query
      .where('r.kind', 'in', ['lock_account', 'block_ip'])
      .where('r.liftedAt', 'is', null)
      .where((eb) => eb.or([eb('r.expiresAt', 'is', null), eb('r.expiresAt', '>', now)]));
  }
  if (filters.kind) query = query.where('r.kind', '=', filters.kind);
  if (filters.userId) query = query.where('r.userId', '=', filters.userId);
  if (filters.securityEventId) query = query.where('r.securityEventId', '=', filters.securityEventId);
  return query.orderBy('r.createdAt', 'desc').orderBy('r.id', 'desc').limit(limit).execute();
}

/**
 * The account locks in force in one organization, one per user (the latest to end; an open-ended one
 * wins): what the Members page shows beside the sign-in lockout.
 */
export async function activeAccountLocks(
  db: Executor,
  organizationId: string,
  now: string,
): Promise<Map<string, { id: string; expiresAt: string | null; scope: string | null }>> {
  const rows = await db
    .selectFrom('threatResponses')
    .select(['id', 'userId', 'expiresAt', 'scope'])
    .where('organizationId', '=', organizationId)
    .where('kind', '=', 'lock_account')
    .where('liftedAt', 'is', null)
    .where((eb) => eb.or([eb('expiresAt', 'is', null), eb('expiresAt', '>', now)]))
    .execute();
  const locks = new Map<string, { id: string; expiresAt: string | null; scope: string | null }>();
  for (const row of rows) {
    if (!row.userId) continue;
    const known = locks.get(row.userId);
    const later =
      !known || (known.expiresAt !== null && (row.expiresAt === null || row.expiresAt > known.expiresAt));
    if (later) locks.set(row.userId, { id: row.id, expiresAt: row.expiresAt, scope: row.scope });
  }
  return locks;
}

export interface SignInBlock {
  id: string;
  organizationId: string;
  kind: 'lock_account' | 'block_ip';
  scope: 'untrusted' | 'all' | null;
  expiresAt: string | null;
  userId: string | null;
  ip: string | null;
  /** Placed by an admin (not by detection): it only concerns the accounts of its organization. */
  manual: boolean;
}

/**
 * What stands in the way of a sign-in: the user's locks and the IP's blocks in force, in any
 * organization (the guard decides what each means for the organization signed into). One query over
 * the user and IP indexes. `ip` is normalised here, so callers pass the request IP as they have it.
 */
export async function findSignInBlocks(
  db: Executor,
  query: { userId: string | null; ip: string | null; now: string },
): Promise<SignInBlock[]> {
  const ip = normalizeIp(query.ip);
  const { userId } = query;
  if (!userId && !ip) return [];
  // A null user or IP matches nothing (= NULL is never true), so one compiled query serves all.
  const rows = await signInBlocks(db, userId, 'lock_account', ip, 'block_ip', query.now);
  return rows.map((r) => ({
    id: r.id,
    organizationId: r.organizationId,
    kind: r.kind as SignInBlock['kind'],
    scope: r.scope as SignInBlock['scope'],
    expiresAt: r.expiresAt,
    userId: r.userId,
    ip: r.ip,
    manual: r.createdBy !== null,
  }));
}

// Asked before every password check: compiled once (precompiled.ts).
const signInBlocks = precompiled(
  (db: Kysely<DB>, userId: string | null, lock: string, ip: string | null, block: string, now: string) =>
    db
      .selectFrom('threatResponses')
      .select(['id', 'organizationId', 'kind', 'scope', 'expiresAt', 'userId', 'ip', 'createdBy'])
      .where((eb) =>
        eb.or([
          eb.and([eb('userId', '=', userId), eb('kind', '=', lock)]),
          eb.and([eb('ip', '=', ip), eb('kind', '=', block)]),
        ]),
      )
      .where('liftedAt', 'is', null)
      .where((eb) => eb.or([eb('expiresAt', 'is', null), eb('expiresAt', '>', now)])),
  ['', '', '', '', ''] as const,
);

/** The organization's IP blocks in force (for the per-request IP check the integrator caches). */
export async function listActiveIpBlocks(
  db: Executor,
  organizationId: string,
  now: string,
  scope?: 'untrusted' | 'all',
): Promise<Array<{ ip: string; expiresAt: string | null }>> {
  let query = db
    .selectFrom('threatResponses')
    .select(['ip', 'expiresAt'])
    .where('organizationId', '=', organizationId)
    .where('kind', '=', 'block_ip');
  if (scope) query = query.where('scope', '=', scope);
  const rows = await query
    .where('liftedAt', 'is', null)
    .where((eb) => eb.or([eb('expiresAt', 'is', null), eb('expiresAt', '>', now)]))
    .execute();
  return rows.flatMap((r) => (r.ip ? [{ ip: r.ip, expiresAt: r.expiresAt }] : []));
}
