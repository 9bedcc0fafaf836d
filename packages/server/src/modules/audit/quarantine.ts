import type { Kysely } from 'kysely';
import { nowIso } from '../../platform/clock';
import { newId } from '../../platform/crypto/tokens';
import type { DB } from '../../platform/db/schema';
import { type Caller, systemMeta } from '../../platform/http/caller';
import * as quarantineStore from './quarantine-store';
import type { AuditRecorder } from './recorder';
import { PLATFORM_LOG } from './recorder';
import * as store from './store';

const SYSTEM: Caller = { kind: 'anonymous', meta: systemMeta() };

export interface QuarantineResult {
  /** Seqs of the event rows moved aside. */
  events: number[];
  /** Tree node rows moved aside. */
  nodes: number;
}

/**
 * Moves every row past the log's head — event rows with a seq the head has not reached, tree nodes
 * not complete in its tree — out of the log into `audit_quarantined_rows`. Under the head's lock,
 * so no append is in flight: such a row can only have been written around Custos. It is kept as
 * evidence (exports carry it, the verifier names it), the move is itself an audit event of the log
 * in the same transaction, and the log can take its next event again.
 */
export function createQuarantine(db: Kysely<DB>, audit: () => AuditRecorder) {
  return {
    async moveRowsPastHead(logId: string): Promise<QuarantineResult> {
      return db.transaction().execute(async (trx) => {
        const { size } = await store.lockHead(trx, logId);
        const events = await quarantineStore.eventsPastHead(trx, logId, size);
        const nodes = await quarantineStore.nodesPastHead(trx, logId, size);
        if (events.length === 0 && nodes.length === 0) return { events: [], nodes: 0 };
        const at = nowIso();
        const rows = [
          ...events.map((row) => ({
            kind: 'event' as const,
            seq: Number(row.seq),
            data: JSON.stringify(row),
          })),
          ...nodes.map((row) => ({
            kind: 'node' as const,
            seq: Number(row.idx) * 2 ** Number(row.level) + 1,
            data: JSON.stringify(row),
          })),
        ].map((row) => ({ id: newId(), logId, quarantinedAt: at, ...row }));
        await quarantineStore.moveAside(trx, logId, size, rows, nodes);
        const seqs = events.map((e) => Number(e.seq));
        await audit().record(trx, SYSTEM, {
          action: 'audit.rows_quarantined',
          organizationId: logId === PLATFORM_LOG ? null : logId,
          metadata: { events: seqs, nodes: nodes.length, headSize: size },
        });
        return { events: seqs, nodes: nodes.length };
      });
    },
  };
}

export type Quarantine = ReturnType<typeof createQuarantine>;
