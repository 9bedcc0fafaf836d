/**
 * What an attacker with write access to the database (and nothing else) can do to an audit log,
 * done with plain SQL through Kysely: no Custos code path is used to write. Each function leaves
 * the log as self-consistent as such an attacker could make it (leaf hashes, every tree node and
 * the head's frontier recomputed, tell-tale checkpoints deleted), so only what lives outside the
 * database — the signer's memory, a checkpoint kept by an auditor, a witness — can catch it.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { type AuditEventBody, canonicalBody, leafHashOfCanonical } from '../src/modules/audit/event';
import { appendLeaf, type StoredNode } from '../src/modules/audit/merkle';
import type { DB } from '../src/platform/db/schema';

type Db = Kysely<DB>;

export async function bodyAt(db: Db, logId: string, seq: number): Promise<string> {
  const row = await db
    .selectFrom('auditEvents')
    .select('body')
    .where('logId', '=', logId)
    .where('seq', '=', seq)
    .executeTakeFirstOrThrow();
  if (row.body === null) throw new Error(`event ${seq} has no body`);
  return row.body;
}

/** The body with one metadata value changed: still canonical JSON, another hash. */
export function alteredBody(body: string): string {
  const parsed = JSON.parse(body) as AuditEventBody;
  return canonicalBody({ ...parsed, metadata: { ...(parsed.metadata ?? {}), venue: 'Forged Hall' } });
}

export async function headSize(db: Db, logId: string): Promise<number> {
  const row = await db
    .selectFrom('auditLogHeads')
    .select('size')
    .where('logId', '=', logId)
    .executeTakeFirstOrThrow();
  return Number(row.size);
}

async function leaves(db: Db, logId: string): Promise<Buffer[]> {
  const rows = await db
    .selectFrom('auditTreeNodes')
    .select(['idx', 'hash'])
    .where('logId', '=', logId)
    .where('level', '=', 0)
    .orderBy('idx')
    .execute();
  return rows.map((r) => Buffer.from(r.hash, 'hex'));
}

/** Replaces the whole stored tree and the head with the tree of `leafHashes`. */
async function rebuildTree(db: Db, logId: string, leafHashes: Buffer[]): Promise<void> {
  let frontier: StoredNode[] = [];
  const nodes: { logId: string; level: number; idx: number; hash: string }[] = [];
  leafHashes.forEach((leaf, i) => {
    const appended = appendLeaf(frontier, i, leaf);
    frontier = appended.frontier;
    for (const n of appended.created)
      nodes.push({ logId, level: n.level, idx: n.index, hash: n.hash.toString('hex') });
  });
  await db.deleteFrom('auditTreeNodes').where('logId', '=', logId).execute();
  for (let i = 0; i < nodes.length; i += 500) {
    await db
      .insertInto('auditTreeNodes')
      .values(nodes.slice(i, i + 500))
      .execute();
  }
  await db
    .updateTable('auditLogHeads')
    .set({ size: leafHashes.length, frontier: JSON.stringify(frontier.map((n) => n.hash.toString('hex'))) })
    .where('logId', '=', logId)
    .execute();
}

/** Deletes the checkpoints that would give the forgery away and lowers the head's mark so the job signs again. */
async function dropCheckpointsFrom(db: Db, logId: string, size: number): Promise<void> {
  await db.deleteFrom('auditCheckpoints').where('logId', '=', logId).where('treeSize', '>=', size).execute();
  const row = await db
    .selectFrom('auditCheckpoints')
    .select((eb) => eb.fn.max('treeSize').as('size'))
    .where('logId', '=', logId)
    .executeTakeFirst();
  await db
    .updateTable('auditLogHeads')
    .set({ checkpointedSize: Number(row?.size ?? 0) })
    .where('logId', '=', logId)
    .execute();
}

/** 1. Edit a body and nothing else. */
export async function editBody(db: Db, logId: string, seq: number): Promise<void> {
  const body = alteredBody(await bodyAt(db, logId, seq));
  await db
    .updateTable('auditEvents')
    .set({ body })
    .where('logId', '=', logId)
    .where('seq', '=', seq)
    .execute();
}

/** 2. Edit a body and recompute its leaf (the row's leaf hash and the level-0 node), not the nodes above. */
export async function editBodyAndLeaf(db: Db, logId: string, seq: number): Promise<void> {
  const body = alteredBody(await bodyAt(db, logId, seq));
  const leafHash = leafHashOfCanonical(body);
  await db
    .updateTable('auditEvents')
    .set({ body, leafHash })
    .where('logId', '=', logId)
    .where('seq', '=', seq)
    .execute();
  await db
    .updateTable('auditTreeNodes')
    .set({ hash: leafHash })
    .where('logId', '=', logId)
    .where('level', '=', 0)
    .where('idx', '=', seq - 1)
    .execute();
}

/** 3. Rewrite a middle event with every node and the frontier recomputed, later checkpoints deleted. */
export async function rewriteHistory(db: Db, logId: string, seq: number): Promise<void> {
  await editBodyAndLeaf(db, logId, seq);
  await rebuildTree(db, logId, await leaves(db, logId));
  await dropCheckpointsFrom(db, logId, seq);
}

/** 4. Delete an event and renumber everything after it (bodies, leaves, tree, head). */
export async function deleteAndRenumber(db: Db, logId: string, seq: number): Promise<void> {
  const size = await headSize(db, logId);
  await db.deleteFrom('auditEventTargets').where('logId', '=', logId).where('seq', '>=', seq).execute();
  await db.deleteFrom('auditEvents').where('logId', '=', logId).where('seq', '=', seq).execute();
  for (let n = seq + 1; n <= size; n++) {
    const parsed = JSON.parse(await bodyAt(db, logId, n)) as AuditEventBody;
    const body = canonicalBody({ ...parsed, seq: n - 1 });
    await db
      .updateTable('auditEvents')
      .set({ seq: n - 1, body, leafHash: leafHashOfCanonical(body) })
      .where('logId', '=', logId)
      .where('seq', '=', n)
      .execute();
  }
  const rows = await db
    .selectFrom('auditEvents')
    .select('leafHash')
    .where('logId', '=', logId)
    .orderBy('seq')
    .execute();
  await rebuildTree(
    db,
    logId,
    rows.map((r) => Buffer.from(r.leafHash, 'hex')),
  );
  await dropCheckpointsFrom(db, logId, seq);
}

/** 5. Roll back the tail: the last `count` events, their nodes and the checkpoints above them. */
export async function rollBack(db: Db, logId: string, count: number): Promise<number> {
  const keep = (await headSize(db, logId)) - count;
  await db.deleteFrom('auditEventTargets').where('logId', '=', logId).where('seq', '>', keep).execute();
  await db.deleteFrom('auditEvents').where('logId', '=', logId).where('seq', '>', keep).execute();
  await rebuildTree(db, logId, (await leaves(db, logId)).slice(0, keep));
  await dropCheckpointsFrom(db, logId, keep + 1);
  return keep;
}

/** 6. Null a body, as retention would, with no retention policy and no purge event. */
export async function nullBody(db: Db, logId: string, seq: number): Promise<void> {
  await db
    .updateTable('auditEvents')
    .set({ body: null, searchText: null })
    .where('logId', '=', logId)
    .where('seq', '=', seq)
    .execute();
}

/** 7. Insert a forged row at seq head + 1 (a copy of the last event, renumbered). */
export async function insertAtNextSeq(db: Db, logId: string): Promise<number> {
  const size = await headSize(db, logId);
  const row = await db
    .selectFrom('auditEvents')
    .selectAll()
    .where('logId', '=', logId)
    .where('seq', '=', size)
    .executeTakeFirstOrThrow();
  const parsed = JSON.parse(row.body ?? '{}') as AuditEventBody;
  const id = randomUUID();
  const body = canonicalBody({ ...parsed, id, seq: size + 1 });
  // PostgreSQL's generated search column cannot be written: leave it out of the copy.
  const { searchVector: _generated, ...columns } = row as typeof row & { searchVector?: unknown };
  await db
    .insertInto('auditEvents')
    .values({ ...columns, id, seq: size + 1, body, leafHash: leafHashOfCanonical(body) })
    .execute();
  return size + 1;
}

/** 8. Swap two rows' bodies and leaf hashes. */
export async function swapRows(db: Db, logId: string, a: number, b: number): Promise<void> {
  const read = (seq: number) =>
    db
      .selectFrom('auditEvents')
      .select(['body', 'leafHash'])
      .where('logId', '=', logId)
      .where('seq', '=', seq)
      .executeTakeFirstOrThrow();
  const [rowA, rowB] = [await read(a), await read(b)];
  const write = (seq: number, row: { body: string | null; leafHash: string }) =>
    db.updateTable('auditEvents').set(row).where('logId', '=', logId).where('seq', '=', seq).execute();
  await write(a, rowB);
  await write(b, rowA);
}

/** 9. Edit an interior tree node (level ≥ 1), the kind of node every proof is built from. */
export async function editInteriorNode(db: Db, logId: string, level: number, index: number): Promise<void> {
  const row = await db
    .selectFrom('auditTreeNodes')
    .select('hash')
    .where('logId', '=', logId)
    .where('level', '=', level)
    .where('idx', '=', index)
    .executeTakeFirstOrThrow();
  const flipped = (Number.parseInt(row.hash.slice(0, 2), 16) ^ 0xff).toString(16).padStart(2, '0');
  await db
    .updateTable('auditTreeNodes')
    .set({ hash: flipped + row.hash.slice(2) })
    .where('logId', '=', logId)
    .where('level', '=', level)
    .where('idx', '=', index)
    .execute();
}
