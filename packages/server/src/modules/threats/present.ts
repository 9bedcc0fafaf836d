import {
  type DetectorType,
  EVIDENCE_OUTCOMES,
  type EvidenceAccount,
  type EvidenceOutcome,
  type SecurityEventEvidence,
  type SecurityEventOut,
  type SecurityEventStatus,
  type Severity,
  type ThreatResponseOut,
} from '@custos/shared';
import { z } from 'zod';
import { parseJson } from '../../platform/db/json';
import type {
  SecurityEventEvidenceTable,
  SecurityEventsTable,
  ThreatResponsesTable,
} from '../../platform/db/schema';
import { presentDelivery } from './response-delivery';
import type { EventSources } from './sources-store';

/** Rows as the stores read them, and their API shapes. */

/** A security event row, its details as read (text on both databases), with the assignee's name. */
export type SecurityEventRecord = Omit<SecurityEventsTable, 'details'> & {
  details: unknown;
  assigneeName: string | null;
};

/** A security event row with its top sources, as every reader of events gets it. */
export type SecurityEventRow = SecurityEventRecord & EventSources;

/** An evidence row as the store reads it. */
export type EvidenceRow = Omit<SecurityEventEvidenceTable, 'securityEventId' | 'auditSeq'> & {
  seq: number | string;
};

/** A response row with the names of the user it acts on. */
export type ThreatResponseRow = ThreatResponsesTable & { userName: string | null };

export interface ActivityRow {
  id: string;
  kind: string;
  actorId: string | null;
  actorName: string | null;
  data: unknown;
  at: string;
}

const SEVERITY_RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };

export const severityRank = (severity: Severity): number => SEVERITY_RANK[severity];

export const higherSeverity = (a: Severity, b: Severity): Severity =>
  SEVERITY_RANK[b] > SEVERITY_RANK[a] ? b : a;

/** One-shot responses act once and are kept as a record; only locks and blocks stay in force. */
export const ONE_SHOT_KINDS: ReadonlySet<string> = new Set([
  'end_sessions',
  'require_step_up',
  'notify_user',
]);

const JsonObject = z.record(z.string(), z.unknown());

/**
 * A JSON column that should hold an object. Anything else (a JSON string, array or number, or text
 * that is no JSON at all: never written so, but never trusted) shows as {}, so one bad row cannot
 * take a whole list, digest or overview down.
 */
function record(value: unknown): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = parseJson<unknown>(value);
  } catch {
    return {};
  }
  const object = JsonObject.safeParse(parsed);
  return object.success ? object.data : {};
}

/** A security event as the API shows it (also the overview's, the digest's and the stream's). */
export function presentSecurityEvent(row: SecurityEventRow): SecurityEventOut {
  return {
    id: row.id,
    type: row.type as DetectorType,
    severity: row.severity as Severity,
    status: row.status as SecurityEventStatus,
    subject: {
      type: row.subjectType as SecurityEventOut['subject']['type'],
      id: row.subjectId,
      label: row.subjectLabel,
    },
    sourceIp: row.sourceIp,
    country: row.country,
    explanation: row.explanation,
    details: record(row.details),
    count: Number(row.count),
    sources: row.sources,
    sourceCount: row.sourceCount,
    firstSeenAt: row.firstSeenAt,
    lastSeenAt: row.lastSeenAt,
    assignee: row.assigneeId ? { id: row.assigneeId, name: row.assigneeName ?? '' } : null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

const OUTCOMES: ReadonlySet<string> = new Set(EVIDENCE_OUTCOMES);

function accountOf(row: EvidenceRow): EvidenceAccount | null {
  if (row.userId) return { kind: 'user', id: row.userId, name: row.userLabel };
  return row.unknownAccount === 1 ? { kind: 'unknown_address' } : null;
}

/** One evidence row as the event page shows it: the attempt's facts in place. */
export function presentEvidence(row: EvidenceRow): SecurityEventEvidence {
  return {
    auditEventId: row.auditEventId,
    seq: Number(row.seq),
    action: row.action,
    occurredAt: row.occurredAt,
    ip: row.ip,
    country: row.country,
    device: row.device,
    account: accountOf(row),
    outcome: row.outcome !== null && OUTCOMES.has(row.outcome) ? (row.outcome as EvidenceOutcome) : null,
    reason: row.reason,
  };
}

export function responseState(
  row: Pick<ThreatResponseRow, 'kind' | 'liftedAt' | 'expiresAt'>,
  now: string,
): ThreatResponseOut['state'] {
  if (row.liftedAt) return 'lifted';
  if (ONE_SHOT_KINDS.has(row.kind)) return 'done';
  if (row.expiresAt !== null && row.expiresAt <= now) return 'expired';
  return 'active';
}

export function presentResponse(row: ThreatResponseRow, now: string): ThreatResponseOut {
  return {
    id: row.id,
    kind: row.kind as ThreatResponseOut['kind'],
    scope: row.scope as ThreatResponseOut['scope'],
    user: row.userId ? { id: row.userId, name: row.userName ?? '' } : null,
    ip: row.ip,
    securityEventId: row.securityEventId,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    liftedAt: row.liftedAt,
    liftedBy: row.liftedAt ? { id: row.liftedBy, name: row.liftedByName } : null,
    state: responseState(row, now),
    delivery: presentDelivery(row),
  };
}

export type ActivityKind =
  | 'raised'
  | 'repeated'
  | 'status_changed'
  | 'assigned'
  | 'note'
  | 'response_applied'
  | 'response_lifted'
  | 'alert_sent';

export function presentActivity(row: ActivityRow) {
  return {
    id: row.id,
    kind: row.kind as ActivityKind,
    actor: { id: row.actorId, name: row.actorName },
    data: record(row.data),
    at: row.at,
  };
}
