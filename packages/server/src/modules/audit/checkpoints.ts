import type { Kysely } from 'kysely';
import { nowIso } from '../../platform/clock';
import type { DB } from '../../platform/db/schema';
import { rootFromFrontier } from './merkle';
import * as store from './store';

/** Signs checkpoint bodies as C2SP signed notes. */
export interface CheckpointSigner {
  keyName: string;
  /** `<name>+<hex id>+<base64 key>`: what verifiers are given. */
  verifierKey: string;
  keyId: string;
  sign(body: string): string;
  /** The checkpoint body (origin, size, base64 root) of the C2SP tlog-checkpoint format. */
  body(origin: string, size: number, root: Buffer): string;
}

export interface Checkpoint {
  origin: string;
  treeSize: number;
  rootHash: string;
  note: string;
  createdAt: string;
}

/**
 * Checkpoints: a signed statement of a log's size and root. The job signs one for every log that
 * grew since its last checkpoint; exports and proofs can ask for one of the current size at once.
 */
export function createCheckpoints(db: Kysely<DB>, signer: CheckpointSigner, publicUrl: string) {
  const host = new URL(publicUrl).host;
  const originOf = (logId: string) => `${host}/custos/audit/${logId}`;

  async function signHead(logId: string): Promise<Checkpoint | null> {
    const head = await db
      .selectFrom('auditLogHeads')
      .select(['size', 'frontier', 'checkpointedSize'])
      .where('logId', '=', logId)
      .executeTakeFirst();
    if (!head || Number(head.size) === 0) return null;
    const size = Number(head.size);
    if (Number(head.checkpointedSize) >= size) return latest(logId);
    const frontier = store.frontierOf(size, JSON.parse(head.frontier) as string[]);
    const root = rootFromFrontier(frontier);
    const origin = originOf(logId);
    const note = signer.sign(signer.body(origin, size, root));
    const checkpoint = { origin, treeSize: size, rootHash: root.toString('hex'), note, createdAt: nowIso() };
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('auditCheckpoints')
        .values({
          logId,
          treeSize: size,
          rootHash: checkpoint.rootHash,
          note,
          createdAt: checkpoint.createdAt,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      await trx
        .updateTable('auditLogHeads')
        .set({ checkpointedSize: size })
        .where('logId', '=', logId)
        .where('checkpointedSize', '<', size)
        .execute();
    });
    return checkpoint;
  }

  async function latest(logId: string): Promise<Checkpoint | null> {
    const row = await db
      .selectFrom('auditCheckpoints')
      .selectAll()
      .where('logId', '=', logId)
      .orderBy('treeSize', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? toCheckpoint(logId, row) : null;
  }

  function toCheckpoint(
    logId: string,
    row: { treeSize: number; rootHash: string; note: string; createdAt: string },
  ): Checkpoint {
    return {
      origin: originOf(logId),
      treeSize: Number(row.treeSize),
      rootHash: row.rootHash,
      note: row.note,
      createdAt: row.createdAt,
    };
  }

  return {
    originOf,
    latest,
    /** A checkpoint covering everything appended so far (signed now if the job has not yet). */
    current: signHead,
    async list(logId: string, afterSize: number, limit: number): Promise<Checkpoint[]> {
      const rows = await db
        .selectFrom('auditCheckpoints')
        .selectAll()
        .where('logId', '=', logId)
        .where('treeSize', '>', afterSize)
        .orderBy('treeSize', 'asc')
        .limit(limit)
        .execute();
      return rows.map((r) => toCheckpoint(logId, r));
    },
    async atSize(logId: string, treeSize: number): Promise<Checkpoint | null> {
      const row = await db
        .selectFrom('auditCheckpoints')
        .selectAll()
        .where('logId', '=', logId)
        .where('treeSize', '=', treeSize)
        .executeTakeFirst();
      return row ? toCheckpoint(logId, row) : null;
    },
    /** One pass of the job: a checkpoint for every log that grew. Returns how many were signed. */
    async signGrownLogs(): Promise<number> {
      const grown = await db
        .selectFrom('auditLogHeads')
        .select('logId')
        .whereRef('size', '>', 'checkpointedSize')
        .limit(1000)
        .execute();
      for (const { logId } of grown) await signHead(logId);
      return grown.length;
    },
  };
}

export type Checkpoints = ReturnType<typeof createCheckpoints>;
