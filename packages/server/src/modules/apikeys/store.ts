import type { ApiKeyOut } from '@custos/shared';
import type { Kysely } from 'kysely';
import { nowIso } from '../../platform/clock';
import type { Executor } from '../../platform/db/executor';
import { parseJson, toJson } from '../../platform/db/json';
import { precompiled } from '../../platform/db/precompiled';
import type { DB } from '../../platform/db/schema';

export interface ApiKeyAuthRow {
  id: string;
  organizationId: string;
  name: string;
  permissions: string[];
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  /** The creator's current roles in the key's organization; null once they have left it. */
  creatorRoles: string[] | null;
  accessVersion: number;
}

function keysWithCreator(db: Executor) {
  return db
    .selectFrom('apiKeys as k')
    .leftJoin('users as u', 'u.id', 'k.createdBy')
    .select([
      'k.id',
      'k.name',
      'k.prefix',
      'k.permissions',
      'k.createdAt',
      'k.lastUsedAt',
      'k.expiresAt',
      'k.revokedAt',
      'u.id as creatorId',
      'u.name as creatorName',
    ]);
}

type KeyRow = Awaited<ReturnType<ReturnType<typeof keysWithCreator>['executeTakeFirstOrThrow']>>;

function present(row: KeyRow): ApiKeyOut {
  const { creatorId, creatorName, permissions, ...rest } = row;
  return {
    ...rest,
    permissions: parseJson<string[]>(permissions),
    createdBy: creatorId ? { id: creatorId, name: creatorName ?? '' } : null,
  };
}

export async function listKeys(db: Executor, organizationId: string): Promise<ApiKeyOut[]> {
  const rows = await keysWithCreator(db)
    .where('k.organizationId', '=', organizationId)
    .orderBy('k.createdAt', 'desc')
    .execute();
  return rows.map(present);
}

export async function findKey(
  db: Executor,
  organizationId: string,
  id: string,
): Promise<ApiKeyOut | undefined> {
  const row = await keysWithCreator(db)
    .where('k.organizationId', '=', organizationId)
    .where('k.id', '=', id)
    .executeTakeFirst();
  return row && present(row);
}

export async function insertKey(
  trx: Executor,
  input: {
    id: string;
    organizationId: string;
    name: string;
    prefix: string;
    keyHash: string;
    permissions: string[];
    createdBy: string | null;
    expiresAt: string | null;
  },
): Promise<void> {
  await trx
    .insertInto('apiKeys')
    .values({
      ...input,
      permissions: toJson(input.permissions),
      createdAt: nowIso(),
      lastUsedAt: null,
      revokedAt: null,
    })
    .execute();
}

export async function revokeKey(trx: Executor, organizationId: string, id: string): Promise<void> {
  await trx
    .updateTable('apiKeys')
    .set({ revokedAt: nowIso() })
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .execute();
}

/** Authentication lookup by the key's hash (the only way to find a key without its organization). */
/** Every API-key request runs it: compiled once, run with the hash. */
const keyByHash = precompiled(
  (db: Kysely<DB>, keyHash: string) =>
    db
      .selectFrom('apiKeys as k')
      .leftJoin('memberships as m', (join) =>
        join.onRef('m.userId', '=', 'k.createdBy').onRef('m.organizationId', '=', 'k.organizationId'),
      )
      .innerJoin('organizations as o', 'o.id', 'k.organizationId')
      .select([
        'k.id',
        'k.organizationId',
        'k.name',
        'k.permissions',
        'k.expiresAt',
        'k.revokedAt',
        'k.lastUsedAt',
        'm.roles as creatorRoles',
        'o.accessVersion',
      ])
      .where('k.keyHash', '=', keyHash),
  [''] as const,
);

export async function findKeyByHash(db: Kysely<DB>, keyHash: string): Promise<ApiKeyAuthRow | undefined> {
  const [row] = await keyByHash(db, keyHash);
  return (
    row && {
      ...row,
      permissions: parseJson<string[]>(row.permissions),
      creatorRoles: row.creatorRoles == null ? null : parseJson<string[]>(row.creatorRoles),
    }
  );
}

export async function touchKey(db: Executor, id: string, at: string): Promise<void> {
  await db.updateTable('apiKeys').set({ lastUsedAt: at }).where('id', '=', id).execute();
}
