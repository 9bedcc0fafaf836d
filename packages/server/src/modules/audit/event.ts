import { createHash } from 'node:crypto';
import type { AuditAction, AuditOutcome, AuditSource } from '@custos/shared';
import canonicalize from 'canonicalize';

export interface AuditActor {
  type: 'user' | 'api_key' | 'anonymous' | 'system';
  id: string | null;
  name: string | null;
  ip: string | null;
  userAgent: string | null;
}

export interface AuditTarget {
  type: string;
  id: string;
  name?: string;
}

/** Field → [before, after]. */
export type AuditChanges = Record<string, [unknown, unknown]>;

/** The event shape of ARCHITECTURE.md ("Audit trail"). */
export interface AuditEvent {
  id: string;
  organizationId: string | null;
  seq: number;
  occurredAt: string;
  receivedAt: string;
  actor: AuditActor;
  impersonator: AuditActor | null;
  action: AuditAction | string;
  outcome: AuditOutcome;
  targets: AuditTarget[];
  source: AuditSource;
  requestId: string | null;
  changes: AuditChanges | null;
  metadata: Record<string, unknown> | null;
  leafHash: string;
}

/** RFC 6962 leaf hash: SHA-256(0x00 ‖ RFC 8785 canonical JSON of the event without its hash). */
export function leafHashOf(event: Omit<AuditEvent, 'leafHash'>): string {
  const canonical = canonicalize(event);
  if (canonical === undefined) throw new Error('audit event cannot be canonicalized');
  return createHash('sha256')
    .update(Buffer.from([0]))
    .update(canonical)
    .digest('hex');
}
