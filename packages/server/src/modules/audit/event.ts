import type { AuditOutcome, AuditSource } from '@custos/shared';
import canonicalize from 'canonicalize';
import { leafHash } from './merkle';

export interface AuditActor {
  type: 'user' | 'api_key' | 'service' | 'anonymous' | 'system';
  id: string | null;
  /** Personal: sealed under the actor's data key in the stored body. */
  name: string | null;
  /** Personal; present only when known (e.g. the address tried in a failed sign-in). */
  email?: string | null;
  /** Personal. */
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

/**
 * The event shape of ARCHITECTURE.md ("Audit trail") exactly as it is hashed: personal fields hold
 * sealed strings (see seal.ts), everything else is plaintext.
 */
export interface AuditEventBody {
  id: string;
  organizationId: string | null;
  seq: number;
  occurredAt: string;
  receivedAt: string;
  actor: AuditActor;
  impersonator: AuditActor | null;
  action: string;
  outcome: AuditOutcome;
  targets: AuditTarget[];
  source: AuditSource;
  requestId: string | null;
  changes: AuditChanges | null;
  metadata: Record<string, unknown> | null;
}

/** RFC 8785 canonical JSON: the exact bytes the leaf hash covers and the database keeps. */
export function canonicalBody(body: AuditEventBody): string {
  const canonical = canonicalize(body);
  if (canonical === undefined) throw new Error('audit event cannot be canonicalized');
  return canonical;
}

/** The leaf hash of a stored body (merkle.ts `leafHash`), hex as the database keeps it. */
export function leafHashOfCanonical(canonical: string): string {
  return leafHash(canonical).toString('hex');
}
