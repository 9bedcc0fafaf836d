import type { InvitationOut } from '@custos/shared';
import { nowIso } from '../../platform/clock';
import type { Executor } from '../../platform/db/executor';
import { parseJson, toJson } from '../../platform/db/json';

export interface InvitationRow {
  id: string;
  organizationId: string;
  email: string;
  roles: string[];
  expiresAt: string;
  acceptedAt: string | null;
  revokedAt: string | null;
  /** The link went out by e-mail, so whoever holds it controls the mailbox. */
  emailed: boolean;
}

export async function insertInvitation(
  trx: Executor,
  input: {
    id: string;
    organizationId: string;
    email: string;
    roles: string[];
    tokenHash: string;
    invitedBy: string | null;
    expiresAt: string;
  },
): Promise<void> {
  await trx
    .insertInto('invitations')
    .values({
      ...input,
      roles: toJson(input.roles),
      emailed: 0,
      createdAt: nowIso(),
      acceptedAt: null,
      revokedAt: null,
    })
    .execute();
}

export async function markEmailed(db: Executor, organizationId: string, id: string): Promise<void> {
  await db
    .updateTable('invitations')
    .set({ emailed: 1 })
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .execute();
}

/** Pending = neither accepted, revoked nor expired. */
export async function listPending(db: Executor, organizationId: string): Promise<InvitationOut[]> {
  const rows = await db
    .selectFrom('invitations as i')
    .leftJoin('users as u', 'u.id', 'i.invitedBy')
    .select([
      'i.id',
      'i.email',
      'i.roles',
      'i.createdAt',
      'i.expiresAt',
      'i.emailed',
      'u.id as inviterId',
      'u.name as inviterName',
    ])
    .where('i.organizationId', '=', organizationId)
    .where('i.acceptedAt', 'is', null)
    .where('i.revokedAt', 'is', null)
    .where('i.expiresAt', '>', nowIso())
    .orderBy('i.createdAt', 'desc')
    .execute();
  return rows.map(({ inviterId, inviterName, roles, emailed, ...r }) => ({
    ...r,
    roles: parseJson<string[]>(roles),
    emailed: emailed === 1,
    invitedBy: inviterId ? { id: inviterId, name: inviterName ?? '' } : null,
  }));
}

const columns = [
  'id',
  'organizationId',
  'email',
  'roles',
  'expiresAt',
  'acceptedAt',
  'revokedAt',
  'emailed',
] as const;

function toRow(
  r: Omit<InvitationRow, 'roles' | 'emailed'> & { roles: unknown; emailed: number },
): InvitationRow {
  return { ...r, roles: parseJson<string[]>(r.roles), emailed: r.emailed === 1 };
}

export async function findInvitation(
  db: Executor,
  organizationId: string,
  id: string,
): Promise<InvitationRow | undefined> {
  const row = await db
    .selectFrom('invitations')
    .select(columns)
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toRow(row);
}

export async function findPendingForEmail(
  db: Executor,
  organizationId: string,
  email: string,
): Promise<InvitationRow[]> {
  const rows = await db
    .selectFrom('invitations')
    .select(columns)
    .where('organizationId', '=', organizationId)
    .where('email', '=', email)
    .where('acceptedAt', 'is', null)
    .where('revokedAt', 'is', null)
    .execute();
  return rows.map(toRow);
}

/** By id alone: for an invitation whose token was already shown (the MFA step after accepting). */
export async function findById(db: Executor, id: string): Promise<InvitationRow | undefined> {
  const row = await db.selectFrom('invitations').select(columns).where('id', '=', id).executeTakeFirst();
  return row && toRow(row);
}

/** Lookup by token hash: the token is the capability, so no organization filter applies here. */
export async function findByTokenHash(db: Executor, tokenHash: string): Promise<InvitationRow | undefined> {
  const row = await db
    .selectFrom('invitations')
    .select(columns)
    .where('tokenHash', '=', tokenHash)
    .executeTakeFirst();
  return row && toRow(row);
}

export async function markRevoked(trx: Executor, organizationId: string, id: string): Promise<void> {
  await trx
    .updateTable('invitations')
    .set({ revokedAt: nowIso() })
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .execute();
}

/** Marks accepted only if still pending; false when someone else used it first. */
export async function markAccepted(trx: Executor, id: string): Promise<boolean> {
  const result = await trx
    .updateTable('invitations')
    .set({ acceptedAt: nowIso() })
    .where('id', '=', id)
    .where('acceptedAt', 'is', null)
    .where('revokedAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function revokePendingBy(
  trx: Executor,
  organizationId: string,
  invitedBy: string,
): Promise<string[]> {
  const rows = await trx
    .updateTable('invitations')
    .set({ revokedAt: nowIso() })
    .where('organizationId', '=', organizationId)
    .where('invitedBy', '=', invitedBy)
    .where('acceptedAt', 'is', null)
    .where('revokedAt', 'is', null)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/** The role lists of the organization's pending invitations (neither accepted, revoked nor expired). */
export async function pendingInvitationRoles(db: Executor, organizationId: string): Promise<string[][]> {
  const rows = await db
    .selectFrom('invitations')
    .select('roles')
    .where('organizationId', '=', organizationId)
    .where('acceptedAt', 'is', null)
    .where('revokedAt', 'is', null)
    .where('expiresAt', '>', nowIso())
    .execute();
  return rows.map((r) => parseJson<string[]>(r.roles));
}

/**
 * A new token for a pending invitation (the old link stops working: only the hash is kept) and a new
 * expiry. Not e-mailed until the new link is; false when it was accepted or revoked meanwhile.
 */
export async function rotateToken(
  trx: Executor,
  organizationId: string,
  id: string,
  tokenHash: string,
  expiresAt: string,
): Promise<boolean> {
  const result = await trx
    .updateTable('invitations')
    .set({ tokenHash, expiresAt, emailed: 0 })
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .where('acceptedAt', 'is', null)
    .where('revokedAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
