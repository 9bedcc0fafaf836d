import type { Executor } from '../../platform/db/executor';
import { EVENT_COLUMNS } from './search-store';

/** The export's reads: the tree's leaves beside their events, interior nodes, strays, checkpoints. */

/** One page of level-0 nodes from index `from` (below `treeSize`), each with the event row at its seq. */
export async function leavesWithEvents(
  db: Executor,
  logId: string,
  from: number,
  treeSize: number,
  limit: number,
) {
  return db
    .selectFrom('auditTreeNodes as n')
    .leftJoin('auditEvents as e', (join) =>
      join.onRef('e.logId', '=', 'n.logId').on((eb) => eb('e.seq', '=', eb('n.idx', '+', 1))),
    )
    .select(['n.idx', 'n.hash', ...EVENT_COLUMNS])
    .where('n.logId', '=', logId)
    .where('n.level', '=', 0)
    .where('n.idx', '>=', from)
    .where('n.idx', '<', treeSize)
    .orderBy('n.idx')
    .limit(limit)
    .execute();
}

/** Stored nodes of one level with an index in [from, to]: one index range scan. */
export async function nodesInRange(db: Executor, logId: string, level: number, from: number, to: number) {
  return db
    .selectFrom('auditTreeNodes')
    .select(['idx', 'hash'])
    .where('logId', '=', logId)
    .where('level', '=', level)
    .where('idx', '>=', from)
    .where('idx', '<=', to)
    .execute();
}

/** Event rows with a seq in (after, to] and no leaf in the tree (written around the append path). */
export async function eventsWithoutLeaf(
  db: Executor,
  logId: string,
  after: number,
  to: number,
  limit: number,
) {
  return db
    .selectFrom('auditEvents as e')
    .select(['e.seq', 'e.body'])
    .where('e.logId', '=', logId)
    .where('e.seq', '>', after)
    .where('e.seq', '<=', to)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('auditTreeNodes as n')
            .select('n.idx')
            .whereRef('n.logId', '=', 'e.logId')
            .where('n.level', '=', 0)
            .where((eb) => eb('n.idx', '=', eb('e.seq', '-', 1))),
        ),
      ),
    )
    .orderBy('e.seq')
    .limit(limit)
    .execute();
}

/** Checkpoints with a tree size in (after, upTo], oldest first. */
export async function checkpointsBetween(
  db: Executor,
  logId: string,
  after: number,
  upTo: number,
  limit: number,
) {
  return db
    .selectFrom('auditCheckpoints')
    .select(['treeSize', 'rootHash', 'note', 'cosignatures'])
    .where('logId', '=', logId)
    .where('treeSize', '>', after)
    .where('treeSize', '<=', upTo)
    .orderBy('treeSize')
    .limit(limit)
    .execute();
}
