import type { AuditReceipt } from '@custos/shared';
import type { Transaction } from 'kysely';
import { isUniqueViolation } from '../../platform/db/errors';
import type { DB } from '../../platform/db/schema';
import { AppError } from '../../platform/http/errors';
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
  try {
    await store.insertEvents(trx, rows);
    await store.insertNodes(trx, nodes);
  } catch (error) {
    // Seqs and node indexes come from the locked head alone: only a row written around this path
    // can already hold one. Event ids are random, so a clash there is the same story.
    if (isUniqueViolation(error)) throw new AuditLogTamperedError(logId, head.size + 1, size);
    throw error;
  }
  await store.moveHead(
    trx,
    logId,
    size,
    frontier.map((n) => n.hash.toString('hex')),
  );
  return receipts;
}

/**
 * A row sits where the next append must go (seq head + 1 or its tree node): someone wrote to the
 * log around Custos. The module moves it aside (quarantine.ts) and the append is retried.
 */
export class AuditLogTamperedError extends AppError {
  constructor(
    readonly logId: string,
    readonly fromSeq: number,
    readonly toSeq: number,
  ) {
    super(
      503,
      'AUDIT_LOG_TAMPERED',
      `The audit log already holds a row at seq ${fromSeq === toSeq ? fromSeq : `${fromSeq}–${toSeq}`}, past its ` +
        'head: it was written around Custos. It is being moved aside as evidence and an alarm raised; retry the ' +
        'request. Other organizations are not affected.',
      { fromSeq, toSeq },
    );
  }
}
