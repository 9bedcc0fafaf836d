import type { AuditEventOut } from '@custos/shared';
import type { Keyring } from '../../platform/crypto/keyring';
import type { Executor } from '../../platform/db/executor';
import { identity } from '../identity';
import { type AuditEventBody, leafHashOfCanonical } from './event';
import { presentEvent, sealedKeyIds } from './seal';
import type { StoredEventRow } from './search-store';

/** Stored rows as the API shows them: sealed fields opened with the live keys, purged bodies marked. */
export async function presentRows(
  db: Executor,
  keyring: Keyring,
  logId: string,
  rows: StoredEventRow[],
): Promise<AuditEventOut[]> {
  const bodies = rows.map((r) => (r.body ? (JSON.parse(r.body) as AuditEventBody) : null));
  const keyIds = bodies.flatMap((b) => (b ? sealedKeyIds(b) : []));
  const keys = await keyring.liveKeys(db, logId, keyIds);
  return rows.map((row, i) => {
    const body = bodies[i];
    if (!body || row.body === null) return purgedEvent(row);
    const event = presentEvent(body, row.leafHash, keys);
    // A body changed in the database is shown as stored, flagged: never passed off as the record.
    return leafHashOfCanonical(row.body) === row.leafHash ? event : { ...event, integrity: 'modified' };
  });
}

/**
 * Events with a `displayName` on each user target that recorded no name, from the organization's
 * own members (one query for the page; another organization's users are never named). The record
 * itself is unchanged: `name` stays what the event says.
 */
export async function withMemberNames(
  db: Executor,
  organizationId: string,
  events: AuditEventOut[],
): Promise<AuditEventOut[]> {
  const unnamed = new Set(
    events.flatMap((e) => e.targets.filter((t) => t.type === 'user' && !t.name).map((t) => t.id)),
  );
  if (unnamed.size === 0) return events;
  const names = await identity.memberNames(db, organizationId, [...unnamed]);
  if (names.size === 0) return events;
  return events.map((event) => ({
    ...event,
    targets: event.targets.map((t) => {
      const displayName = t.type === 'user' && !t.name ? names.get(t.id) : undefined;
      return displayName ? { ...t, displayName } : t;
    }),
  }));
}

/** What is left of an event after retention purged its body: its place and hash in the tree. */
function purgedEvent(row: StoredEventRow): AuditEventOut {
  return {
    id: row.id,
    organizationId: row.organizationId,
    seq: row.seq,
    occurredAt: row.occurredAt,
    receivedAt: row.receivedAt,
    actor: { type: row.actorType, id: row.actorId, name: null, email: null, ip: null, userAgent: null },
    impersonator: null,
    action: row.action,
    outcome: row.outcome,
    targets: [],
    source: row.source,
    requestId: row.requestId,
    changes: null,
    metadata: null,
    leafHash: row.leafHash,
    erased: [],
    purged: true,
    integrity: 'purged',
  };
}
