import type { Generated } from 'kysely';
import type { JsonColumn as Json } from '../../platform/db/json';

/** This module's tables, as Kysely sees them; `platform/db/schema.ts` composes every module's into one DB type. */

export interface AlertChannelsTable {
  id: string;
  organizationId: string;
  kind: string;
  name: string;
  url: string | null;
  recipients: Json | null;
  secretSealed: string | null;
  secretHint: string | null;
  minSeverity: string;
  types: Json | null;
  digestLow: number;
  /** 0/1: the channel gets audit checkpoints (default 0). */
  sendCheckpoints: Generated<number>;
  /** At most one checkpoint this often (default 60). */
  checkpointIntervalMinutes: Generated<number>;
  enabled: number;
  createdAt: string;
  updatedAt: string;
}
export interface AlertDeliveriesTable {
  id: string;
  organizationId: string;
  channelId: string;
  securityEventId: string | null;
  kind: string;
  messageId: string;
  payload: string;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastResponseCode: number | null;
  lastError: string | null;
  deliveredAt: string | null;
  createdAt: string;
}
export interface AlertDeliveryAttemptsTable {
  deliveryId: string;
  attempt: number;
  at: string;
  responseCode: number | null;
  durationMs: number;
  error: string | null;
}
export interface AlertDigestItemsTable {
  channelId: string;
  securityEventId: string;
  queuedAt: string;
}
