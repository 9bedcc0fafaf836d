import type { AuditReceipt } from '@custos/shared';
import type { Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema';
import { type AuditEventBody, canonicalBody, leafHashOfCanonical } from './event';
import { appendLeaf, type StoredNode } from './merkle';
import * as store from './store';

/** A sealed event with its search projections, ready to take the next place in its log. */
export interface PreparedEvent {
  body: Omit<AuditEventBody, 'seq'>;
  projections: store.EventProjections;
}

/**
 * The one append path, used by host-app ingestion (group-committed) and by Custos' own mutations
 * (inside their transaction): lock the log's head, give each event the next seq, hash it, store the
 * leaf and every interior node the new leaves complete, and move the head. Proofs later read only
 * those stored nodes.
 */
export async function appendToLog(
  trx: Transaction<DB>,
  logId: string,
  events: PreparedEvent[],
): Promise<AuditReceipt[]> {
  const head = await store.lockHead(trx, logId);
  let size = head.size;
  let frontier: StoredNode[] = store.frontierOf(size, head.frontier);
  const rows: store.EventRow[] = [];
  const nodes: store.NodeRow[] = [];
  const receipts: AuditReceipt[] = [];
  for (const event of events) {
    const seq = size + 1;
    const body = canonicalBody({ ...event.body, seq } as AuditEventBody);
    const leafHash = leafHashOfCanonical(body);
    const appended = appendLeaf(frontier, size, Buffer.from(leafHash, 'hex'));
    frontier = appended.frontier;
    for (const node of appended.created) {
      nodes.push({ logId, level: node.level, idx: node.index, hash: node.hash.toString('hex') });
    }
    rows.push({ logId, seq, body, leafHash, event: event.body, projections: event.projections });
    receipts.push({ id: event.body.id, seq, leafHash });
    size += 1;
  }
  await store.insertEvents(trx, rows);
  await store.insertNodes(trx, nodes);
  await store.moveHead(
    trx,
    logId,
    size,
    frontier.map((n) => n.hash.toString('hex')),
  );
  return receipts;
}
