import type {
  DetectorSettings,
  DetectorType,
  EvidenceAccount,
  EvidenceOutcome,
  ResponseRule,
  Severity,
} from '@custos/shared';
import type { Signal } from './signal';

/**
 * The seam between detectors (detect/) and what follows them (security events, responses, alerts).
 * Detectors are pure over a signal stream plus shared state; they never touch the database.
 */

/**
 * One audit event behind a detection, with the facts of the attempt an investigator reads in place
 * (the API's SecurityEventEvidence, field for field). The facts are optional because evidence noted
 * in shared state (Redis) by an older server, or made by hand, has none; stores read a missing fact
 * as unknown (null).
 */
export interface DetectionEvidence {
  auditEventId: string;
  seq: number;
  action: string;
  occurredAt: string;
  ip?: string | null;
  /** The country of `ip`. */
  country?: string | null;
  /** The device as a person reads it ("Firefox on macOS"). */
  device?: string | null;
  /**
   * The account tried or acting: a member by display name, or an address that has no account (the
   * address itself is never kept: it is personal data, sealed in the audit event).
   */
  account?: EvidenceAccount | null;
  outcome?: EvidenceOutcome | null;
  /** bad_password, unknown_user, rate_limited, the refused permission, ... */
  reason?: string | null;
}

export interface Detection {
  type: DetectorType;
  severity: Severity;
  organizationId: string;
  /** Signals with the same key fold into the one open event (one attack = one event with a count). */
  dedupKey: string;
  subject: {
    type: 'user' | 'ip' | 'api_key' | 'audit_log' | 'privacy_request';
    id: string;
    label: string | null;
  };
  sourceIp: string | null;
  country: string | null;
  /** One sentence a person can act on: what was seen, against which threshold. */
  explanation: string;
  /** The figures behind it: observed count, threshold, window, distance, speed, baseline, ... */
  details: Record<string, unknown>;
  /**
   * The audit events behind it, newest first (at most 20 per detection; more when the pipeline
   * merged several detections of one key into one write). Attempts are counted from these.
   */
  evidence: DetectionEvidence[];
  /** The user responses act on (lock, end sessions, step-up, notify); null for IP-only detections. */
  userId: string | null;
}

/** An organization's detector settings and response rules, defaults merged in. */
export interface ResolvedThreatSettings {
  detectors: Record<DetectorType, DetectorSettings>;
  responses: ResponseRule[];
}

export interface DetectorEngine {
  /**
   * Feeds one signal through every enabled detector of its organization (signals of the platform
   * log only update shared counters) and answers what fired. Counters and per-user baselines live
   * in the shared state (Redis when configured, memory otherwise).
   */
  process(signal: Signal, settings: ResolvedThreatSettings | null): Promise<Detection[]>;
  close(): Promise<void>;
}
