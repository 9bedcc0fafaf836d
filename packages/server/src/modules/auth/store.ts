import type { Kysely, Transaction } from 'kysely';
import { nowIso } from '../../platform/clock';
import { newId } from '../../platform/crypto/tokens';
import { precompiled } from '../../platform/db/precompiled';
import type { DB } from '../../platform/db/schema';

type Executor = Kysely<DB> | Transaction<DB>;

export interface SessionContextRow {
  sessionId: string;
  userId: string;
  organizationId: string | null;
  expiresAt: string;
  lastSeenAt: string;
  revokedAt: string | null;
  email: string;
  name: string;
  isSuperAdmin: number;
  disabledAt: string | null;
  userCreatedAt: string;
  roles: unknown;
}

export async function insertSession(
  trx: Executor,
  input: {
    tokenHash: string;
    userId: string;
    organizationId: string | null;
    expiresAt: string;
    ip: string | null;
    userAgent: string | null;
  },
): Promise<{ id: string }> {
  const at = nowIso();
  const id = newId();
  await trx
    .insertInto('sessions')
    .values({ id, ...input, createdAt: at, lastSeenAt: at, revokedAt: null })
    .execute();
  return { id };
}

function sessionContextQuery(db: Kysely<DB>) {
  return db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.userId')
    .leftJoin('memberships as m', (join) =>
      join.onRef('m.userId', '=', 's.userId').onRef('m.organizationId', '=', 's.organizationId'),
    )
    .select([
      's.id as sessionId',
      's.userId',
      's.organizationId',
      's.expiresAt',
      's.lastSeenAt',
      's.revokedAt',
      'u.email',
      'u.name',
      'u.isSuperAdmin',
      'u.disabledAt',
      'u.createdAt as userCreatedAt',
      'm.roles',
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
  return rows[0];
}

export async function touchSession(db: Executor, sessionId: string, at: string): Promise<void> {
  await db.updateTable('sessions').set({ lastSeenAt: at }).where('id', '=', sessionId).execute();
}

export async function revokeSession(trx: Executor, sessionId: string): Promise<void> {
  await trx
    .updateTable('sessions')
    .set({ revokedAt: nowIso() })
    .where('id', '=', sessionId)
    .where('revokedAt', 'is', null)
    .execute();
}

/** Ends a user's sessions, optionally only those in one organization, optionally sparing one. */
export async function revokeUserSessions(
  trx: Executor,
  userId: string,
  options: { organizationId?: string; exceptSessionId?: string } = {},
): Promise<void> {
  let query = trx
    .updateTable('sessions')
    .set({ revokedAt: nowIso() })
    .where('userId', '=', userId)
    .where('revokedAt', 'is', null);
  if (options.organizationId) query = query.where('organizationId', '=', options.organizationId);
  if (options.exceptSessionId) query = query.where('id', '!=', options.exceptSessionId);
  await query.execute();
}

export async function setSessionOrganization(
  trx: Executor,
  sessionId: string,
  organizationId: string,
): Promise<void> {
  await trx.updateTable('sessions').set({ organizationId }).where('id', '=', sessionId).execute();
}
