import type { Insertable, Kysely } from 'kysely';
import type { Executor } from '../../platform/db/executor';
import { precompiled, precompiledWrite } from '../../platform/db/precompiled';
import type { AuditIdempotencyKeysTable, DB } from '../../platform/db/schema';
import type { AuditEventBody } from './event';
import { frontierFor, type StoredNode } from './merkle';

/** Plaintext projections searched beside the sealed body. */
export interface EventProjections {
  actorIpKey: string | null;
  dataSubject: string | null;
  searchText: string | null;
}

export interface EventRow {
  logId: string;
  seq: number;
  /** Canonical JSON, exactly what was hashed. */
  body: string;
  leafHash: string;
  event: Omit<AuditEventBody, 'seq'>;
  projections: EventProjections;
}

export interface NodeRow {
  logId: string;
  level: number;
  idx: number;
  hash: string;
}

/**
 * Takes the log's head row lock (an upsert that changes nothing still locks the row in PostgreSQL;
 * SQLite has one writer) and returns its size and frontier.
 */
export async function lockHead(trx: Executor, logId: string): Promise<{ size: number; frontier: string[] }> {
  const [row] = await headLock(trx, logId, 0, '[]');
  if (!row) throw new Error(`audit log head ${logId} was not returned`);
  return { size: Number(row.size), frontier: JSON.parse(row.frontier) as string[] };
}

export async function moveHead(
  trx: Executor,
  logId: string,
  size: number,
  frontier: string[],
): Promise<void> {
  await headMove(trx, size, JSON.stringify(frontier), logId);
}

// The append path runs these for every audited change: compiled once (precompiled.ts).
const headLock = precompiled(
  (db: Kysely<DB>, logId: string, size: number, frontier: string) =>
    db
      .insertInto('auditLogHeads')
      .values({ logId, size, frontier })
      .onConflict((oc) => oc.column('logId').doUpdateSet((eb) => ({ size: eb.ref('auditLogHeads.size') })))
      .returning(['size', 'frontier']),
  ['', 0, ''] as const,
);
const headMove = precompiledWrite(
  (db: Kysely<DB>, size: number, frontier: string, logId: string) =>
    db.updateTable('auditLogHeads').set({ size, frontier }).where('logId', '=', logId),
  [0, '', ''] as const,
);

const CHUNK = 400;

function* chunks<T>(items: T[], size = CHUNK): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

export async function insertEvents(trx: Executor, rows: EventRow[]): Promise<void> {
  // One event (most audited changes) takes the precompiled statements; batches are built.
  const [only] = rows;
  if (rows.length === 1 && only) {
    await eventInsert(trx, ...eventValues(only));
    for (const t of only.event.targets) await targetInsert(trx, only.logId, t.type, t.id, only.seq);
    return;
  }
  for (const chunk of chunks(rows)) {
    await trx.insertInto('auditEvents').values(chunk.map(eventColumns)).execute();
  }
  const targets = rows.flatMap((r) =>
    r.event.targets.map((t) => ({ logId: r.logId, targetType: t.type, targetId: t.id, seq: r.seq })),
  );
  for (const chunk of chunks(targets)) {
    await trx
      .insertInto('auditEventTargets')
      .values(chunk)
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
}

type EventValues = [
  logId: string,
  seq: number,
  id: string,
  organizationId: string | null,
  occurredAt: string,
  receivedAt: string,
  actorType: string,
  actorId: string | null,
  action: string,
  outcome: string,
  source: string,
  requestId: string | null,
  actorIpKey: string | null,
  dataSubject: string | null,
  searchText: string | null,
  body: string,
  leafHash: string,
];

function eventValues({ logId, seq, body, leafHash, event, projections }: EventRow): EventValues {
  return [
    logId,
    seq,
    event.id,
    event.organizationId,
    event.occurredAt,
    event.receivedAt,
    event.actor.type,
    event.actor.id,
    event.action,
    event.outcome,
    event.source,
    event.requestId,
    projections.actorIpKey,
    projections.dataSubject,
    projections.searchText,
    body,
    leafHash,
  ];
}

/** The columns of one event's row, named (the batch insert's form). */
function eventColumns(row: EventRow) {
  return eventColumnsOf(eventValues(row));
}

const eventInsert = precompiledWrite(
  (db: Kysely<DB>, ...v: EventValues) => db.insertInto('auditEvents').values(eventColumnsOf(v)),
  ['', 0, '', '', '', '', '', '', '', '', '', '', '', '', '', '', ''] as const,
);

function eventColumnsOf(v: EventValues) {
  const [logId, seq, id, organizationId, occurredAt, receivedAt, actorType, actorId, action, outcome] = v;
  const [, , , , , , , , , , source, requestId, actorIpKey, dataSubject, searchText, body, leafHash] = v;
  return {
    logId,
    seq,
    id,
    organizationId,
    occurredAt,
    receivedAt,
    actorType,
    actorId,
    action,
    outcome,
    source,
    requestId,
    actorIpKey,
    dataSubject,
    searchText,
    body,
    leafHash,
  };
}

const targetInsert = precompiledWrite(
  (db: Kysely<DB>, logId: string, targetType: string, targetId: string, seq: number) =>
    db
      .insertInto('auditEventTargets')
      .values({ logId, targetType, targetId, seq })
      .onConflict((oc) => oc.doNothing()),
  ['', '', '', 0] as const,
);

export async function insertNodes(trx: Executor, nodes: NodeRow[]): Promise<void> {
  // A single append adds a few nodes (one per level it completes): each a precompiled insert.
  if (nodes.length <= 4) {
    for (const n of nodes) await nodeInsert(trx, n.logId, n.level, n.idx, n.hash);
    return;
  }
  for (const chunk of chunks(nodes, 1000)) {
    await trx.insertInto('auditTreeNodes').values(chunk).execute();
  }
}

const nodeInsert = precompiledWrite(
  (db: Kysely<DB>, logId: string, level: number, idx: number, hash: string) =>
    db.insertInto('auditTreeNodes').values({ logId, level, idx, hash }),
  ['', 0, 0, ''] as const,
);

/** Stored nodes of one level at the given indexes (any missing are simply absent). */
export async function nodesAt(db: Executor, logId: string, level: number, indexes: number[]) {
  return db
    .selectFrom('auditTreeNodes')
    .select(['idx', 'hash'])
    .where('logId', '=', logId)
    .where('level', '=', level)
    .where('idx', 'in', indexes)
    .execute();
}

/** Stored node hashes by (level, index), in the order asked. Missing nodes are an error. */
export async function readNodes(
  db: Executor,
  logId: string,
  addresses: Array<{ level: number; index: number }>,
): Promise<Buffer[]> {
  if (addresses.length === 0) return [];
  const byLevel = new Map<number, number[]>();
  for (const a of addresses) byLevel.set(a.level, [...(byLevel.get(a.level) ?? []), a.index]);
  const found = new Map<string, string>();
  for (const [level, indexes] of byLevel) {
    const rows = await nodesAt(db, logId, level, indexes);
    for (const r of rows) found.set(`${level}:${Number(r.idx)}`, r.hash);
  }
  return addresses.map((a) => {
    const hash = found.get(`${a.level}:${a.index}`);
    if (!hash) throw new Error(`audit tree node ${a.level}:${a.index} of ${logId} is missing`);
    return Buffer.from(hash, 'hex');
  });
}

export async function logSize(db: Executor, logId: string): Promise<number> {
  const row = await db
    .selectFrom('auditLogHeads')
    .select('size')
    .where('logId', '=', logId)
    .executeTakeFirst();
  return row ? Number(row.size) : 0;
}

/** The head's frontier hashes with their node addresses. */
export function frontierOf(size: number, hashes: string[]): StoredNode[] {
  const addresses = frontierFor(size);
  if (addresses.length !== hashes.length) throw new Error(`audit log head is corrupt (size ${size})`);
  return addresses.map((node, i) => ({ ...node, hash: Buffer.from(hashes[i] as string, 'hex') }));
}

// Settings, saved searches, erasure and retention.

export interface SettingsRow {
  retentionDays: number | null;
  legalHold: number;
  updatedAt: string;
}

export async function readSettings(db: Executor, organizationId: string): Promise<SettingsRow | undefined> {
  return db
    .selectFrom('auditSettings')
    .select(['retentionDays', 'legalHold', 'updatedAt'])
    .where('organizationId', '=', organizationId)
    .executeTakeFirst();
}

export async function upsertSettings(
  trx: Executor,
  organizationId: string,
  values: SettingsRow,
): Promise<void> {
  await trx
    .insertInto('auditSettings')
    .values({ organizationId, ...values })
    .onConflict((oc) => oc.column('organizationId').doUpdateSet(values))
    .execute();
}

/** Organizations whose retention may purge now (a retention set, no legal hold). */
export async function purgeablePolicies(db: Executor) {
  const rows = await db
    .selectFrom('auditSettings')
    .select(['organizationId', 'retentionDays'])
    .where('retentionDays', 'is not', null)
    .where('legalHold', '=', 0)
    .execute();
  return rows.map((r) => ({ organizationId: r.organizationId, retentionDays: Number(r.retentionDays) }));
}

/**
 * Drops bodies (and their plaintext projections) of events that occurred before `cutoff`; answers
 * the seqs purged, ascending, so the purge event can name them (a verifier's proof of the purge).
 */
export async function purgeBodiesBefore(trx: Executor, logId: string, cutoff: string): Promise<number[]> {
  const rows = await trx
    .updateTable('auditEvents')
    .set({ body: null, searchText: null, actorIpKey: null })
    .where('logId', '=', logId)
    .where('occurredAt', '<', cutoff)
    .where('body', 'is not', null)
    .returning('seq')
    .execute();
  return rows.map((r) => Number(r.seq)).sort((a, b) => a - b);
}

/** Wipes the plaintext search projections of a subject's events (their sealed bodies stay). */
export async function wipeSubjectProjections(
  trx: Executor,
  logId: string,
  subjectIds: string[],
  userActorIds: string[],
): Promise<number> {
  const result = await trx
    .updateTable('auditEvents')
    .set({ searchText: null, actorIpKey: null })
    .where('logId', '=', logId)
    .where((eb) =>
      eb.or([
        eb('dataSubject', 'in', subjectIds),
        eb.and([eb('actorType', '=', 'user'), eb('actorId', 'in', userActorIds)]),
      ]),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export interface SavedSearchRow {
  id: string;
  name: string;
  query: string;
  createdAt: string;
}

export async function listSavedSearches(
  db: Executor,
  organizationId: string,
  userId: string,
): Promise<SavedSearchRow[]> {
  return db
    .selectFrom('auditSavedSearches')
    .select(['id', 'name', 'query', 'createdAt'])
    .where('organizationId', '=', organizationId)
    .where('userId', '=', userId)
    .orderBy('name')
    .execute();
}

export async function insertSavedSearch(
  trx: Executor,
  organizationId: string,
  userId: string,
  row: SavedSearchRow,
): Promise<void> {
  await trx
    .insertInto('auditSavedSearches')
    .values({ ...row, organizationId, userId })
    .execute();
}

/** Deletes one of the user's saved searches; returns its name, or undefined when there is none. */
export async function deleteSavedSearch(
  trx: Executor,
  organizationId: string,
  userId: string,
  id: string,
): Promise<string | undefined> {
  const row = await trx
    .deleteFrom('auditSavedSearches')
    .where('id', '=', id)
    .where('organizationId', '=', organizationId)
    .where('userId', '=', userId)
    .returning(['name'])
    .executeTakeFirst();
  return row?.name;
}

// Idempotency keys.

export async function findIdempotencyKey(db: Executor, organizationId: string, key: string, now: string) {
  return db
    .selectFrom('auditIdempotencyKeys')
    .select(['requestHash', 'response'])
    .where('organizationId', '=', organizationId)
    .where('key', '=', key)
    .where('expiresAt', '>', now)
    .executeTakeFirst();
}

export async function insertIdempotencyKeys(
  trx: Executor,
  rows: Insertable<AuditIdempotencyKeysTable>[],
): Promise<void> {
  await trx.insertInto('auditIdempotencyKeys').values(rows).execute();
}

export async function deleteExpiredIdempotencyKeys(db: Executor, now: string): Promise<void> {
  await db.deleteFrom('auditIdempotencyKeys').where('expiresAt', '<=', now).execute();
}
