import type { JsonColumn as Json } from '../../platform/db/json';

/** This module's tables, as Kysely sees them; `platform/db/schema.ts` composes every module's into one DB type. */

export interface ThreatSettingsTable {
  organizationId: string;
  detectors: Json;
  responses: Json | null;
  updatedAt: string;
  updatedBy: string | null;
}
export interface SecurityEventsTable {
  id: string;
  organizationId: string;
  type: string;
  severity: string;
  status: string;
  subjectType: string;
  subjectId: string;
  subjectLabel: string | null;
  sourceIp: string | null;
  country: string | null;
  dedupKey: string;
  count: number;
  explanation: string;
  details: Json;
  firstSeenAt: string;
  lastSeenAt: string;
  assigneeId: string | null;
  createdAt: string;
  updatedAt: string;
}
export interface SecurityEventEvidenceTable {
  securityEventId: string;
  auditEventId: string;
  auditSeq: number;
  action: string;
  occurredAt: string;
  /** The attempt's facts (0009); null when unknown, and on evidence kept before 0009. */
  ip: string | null;
  country: string | null;
  device: string | null;
  userId: string | null;
  userLabel: string | null;
  /** 1: the address tried has no account. */
  unknownAccount: number | null;
  outcome: string | null;
  reason: string | null;
}

/** The addresses a security event's attempts came from (0009). */
export interface SecurityEventSourcesTable {
  securityEventId: string;
  organizationId: string;
  ip: string;
  /** The country of this IP. */
  country: string | null;
  attempts: number;
  firstSeenAt: string;
  lastSeenAt: string;
}

export interface SecurityEventActivityTable {
  id: string;
  securityEventId: string;
  kind: string;
  actorId: string | null;
  actorName: string | null;
  data: Json;
  at: string;
}
export interface ThreatResponsesTable {
  id: string;
  organizationId: string;
  securityEventId: string | null;
  kind: string;
  scope: string | null;
  userId: string | null;
  ip: string | null;
  createdBy: string | null;
  createdAt: string;
  expiresAt: string | null;
  liftedAt: string | null;
  liftedBy: string | null;
  liftedByName: string | null;
  /** notify_user: pending | sent | queued | failed | unknown (0010); null for actions that send nothing. */
  deliveryStatus: string | null;
  deliveryDetail: string | null;
  deliveryAt: string | null;
}
