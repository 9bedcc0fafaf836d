import type { Transaction } from 'kysely';
import type { Executor } from '../../platform/db/executor';
import type { DB } from '../../platform/db/schema';

export interface CheckpointRow {
  treeSize: number;
  rootHash: string;
  note: string;
  createdAt: string;
  cosignatures: string | null;
}

const CHECKPOINT_COLUMNS = ['treeSize', 'rootHash', 'note', 'createdAt', 'cosignatures'] as const;

/** The head as stored: size, frontier (JSON), the checkpointed mark and the fixed origin. */
export async function headRow(db: Executor, logId: string) {
  return db
    .selectFrom('auditLogHeads')
    .select(['size', 'frontier', 'checkpointedSize', 'origin'])
    .where('logId', '=', logId)
    .executeTakeFirst();
}

export async function setOrigin(db: Executor, logId: string, origin: string): Promise<void> {
  await db.updateTable('auditLogHeads').set({ origin }).where('logId', '=', logId).execute();
}

/** Stores a signed checkpoint (once per size) and moves the head's checkpointed mark up to it. */
export async function insertCheckpoint(
  trx: Transaction<DB>,
  logId: string,
  row: Omit<CheckpointRow, 'cosignatures'>,
): Promise<void> {
  await trx
    .insertInto('auditCheckpoints')
    .values({ logId, ...row })
    .onConflict((oc) => oc.doNothing())
    .execute();
  await trx
    .updateTable('auditLogHeads')
    .set({ checkpointedSize: row.treeSize })
    .where('logId', '=', logId)
    .where('checkpointedSize', '<', row.treeSize)
    .execute();
}

export async function checkpointAt(
  db: Executor,
  logId: string,
  treeSize: number,
): Promise<CheckpointRow | undefined> {
  return db
    .selectFrom('auditCheckpoints')
    .select(CHECKPOINT_COLUMNS)
    .where('logId', '=', logId)
    .where('treeSize', '=', treeSize)
    .executeTakeFirst();
}

/** The newest stored checkpoint of at most `maxSize` events. */
export async function latestCheckpoint(
  db: Executor,
  logId: string,
  maxSize: number,
): Promise<CheckpointRow | undefined> {
  return db
    .selectFrom('auditCheckpoints')
    .select(CHECKPOINT_COLUMNS)
    .where('logId', '=', logId)
    .where('treeSize', '<=', maxSize)
    .orderBy('treeSize', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function checkpointsAfter(
  db: Executor,
  logId: string,
  afterSize: number,
  limit: number,
): Promise<CheckpointRow[]> {
  return db
    .selectFrom('auditCheckpoints')
    .select(CHECKPOINT_COLUMNS)
    .where('logId', '=', logId)
    .where('treeSize', '>', afterSize)
    .orderBy('treeSize', 'asc')
    .limit(limit)
    .execute();
}

/** Log ids in order, a page after `after` (for the periodic integrity pass). */
export async function logIdsAfter(db: Executor, after: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('auditLogHeads')
    .select('logId')
    .where('logId', '>', after)
    .orderBy('logId')
    .limit(limit)
    .execute();
  return rows.map((r) => r.logId);
}

/** Logs that grew past their last checkpoint. */
export async function grownLogIds(db: Executor, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('auditLogHeads')
    .select('logId')
    .whereRef('size', '>', 'checkpointedSize')
    .limit(limit)
    .execute();
  return rows.map((r) => r.logId);
}

/** Appends witness co-signature lines to a stored checkpoint, each line once. */
export async function addCosignatures(
  trx: Transaction<DB>,
  logId: string,
  treeSize: number,
  lines: string[],
): Promise<void> {
  const row = await checkpointAt(trx, logId, treeSize);
  if (!row) return;
  const known = row.cosignatures ? (JSON.parse(row.cosignatures) as string[]) : [];
  const fresh = lines.map((l) => l.trimEnd()).filter((l) => l !== '' && !known.includes(l));
  await trx
    .updateTable('auditCheckpoints')
    .set({ cosignatures: JSON.stringify([...known, ...fresh]) })
    .where('logId', '=', logId)
    .where('treeSize', '=', treeSize)
    .execute();
}

/** The tree size a witness last co-signed for a log (0: never). */
export async function witnessSize(db: Executor, witness: string, logId: string): Promise<number> {
  const row = await db
    .selectFrom('auditWitnessHeads')
    .select('size')
    .where('witness', '=', witness)
    .where('logId', '=', logId)
    .executeTakeFirst();
  return row ? Number(row.size) : 0;
}

export async function rememberWitnessSize(
  db: Executor,
  witness: string,
  logId: string,
  size: number,
  at: string,
): Promise<void> {
  const values = { size, updatedAt: at };
  await db
    .insertInto('auditWitnessHeads')
    .values({ witness, logId, ...values })
    .onConflict((oc) => oc.columns(['witness', 'logId']).doUpdateSet(values))
    .execute();
}
