import type { Generated } from 'kysely';

/** This module's tables, as Kysely sees them; `platform/db/schema.ts` composes every module's into one DB type. */

export interface AuditEventsTable {
  /** The organization's id, or 'platform' for events outside any organization. */
  logId: string;
  seq: number;
  id: string;
  organizationId: string | null;
  occurredAt: string;
  receivedAt: string;
  actorType: string;
  actorId: string | null;
  action: string;
  outcome: string;
  source: string;
  requestId: string | null;
  /** Search projections (plaintext), wiped with the subject's key or the body. */
  actorIpKey: string | null;
  dataSubject: string | null;
  searchText: string | null;
  /** Exactly the canonical JSON that was hashed; null once purged by retention. */
  body: string | null;
  leafHash: string;
}
export interface AuditEventTargetsTable {
  logId: string;
  targetType: string;
  targetId: string;
  seq: number;
}
export interface AuditTreeNodesTable {
  logId: string;
  level: number;
  idx: number;
  hash: string;
}
export interface AuditLogHeadsTable {
  logId: string;
  size: number;
  /** JSON array of hex hashes of the right-edge complete subtrees, largest first. */
  frontier: string;
  checkpointedSize: Generated<number>;
  /** The log's name in its checkpoints, fixed at its first checkpoint; null until then. */
  origin: string | null;
}
export interface AuditCheckpointsTable {
  logId: string;
  treeSize: number;
  rootHash: string;
  note: string;
  createdAt: string;
  /** JSON array of witness co-signature lines received for this checkpoint; null when none. */
  cosignatures: string | null;
}
export interface AuditWitnessHeadsTable {
  /** The witness' verifier key name. */
  witness: string;
  logId: string;
  /** The tree size the witness last co-signed. */
  size: number;
  updatedAt: string;
}
export interface AuditQuarantinedRowsTable {
  id: string;
  logId: string;
  kind: 'event' | 'node';
  /** The event's seq, or for a node the first seq it covers. */
  seq: number;
  /** The row as found, JSON. */
  data: string;
  quarantinedAt: string;
}
export interface AuditIdempotencyKeysTable {
  organizationId: string;
  key: string;
  requestHash: string;
  response: string;
  expiresAt: string;
}
export interface AuditSavedSearchesTable {
  id: string;
  organizationId: string;
  userId: string;
  name: string;
  query: string;
  createdAt: string;
}
export interface AuditSettingsTable {
  organizationId: string;
  retentionDays: number | null;
  legalHold: number;
  updatedAt: string;
}
/**
 * How far SQLite's full-text index has taken in audit_events: one row (id 1), the highest rowid
 * indexed. Unused on PostgreSQL. See migration 0013 and search-index-store.ts.
 */
export interface AuditSearchIndexTable {
  id: number;
  indexedUpto: number;
}
