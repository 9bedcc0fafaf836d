import {
  type DetectorSettings,
  type DetectorType,
  type EvidenceAccount,
  type EvidenceOutcome,
  SEVERITIES,
  type Severity,
} from '@custos/shared';
import type { Detection, DetectionEvidence } from '../detection';
import type { Signal, SignalKind } from '../signal';
import { thresholdOf } from './catalog';
import type { DetectionState } from './state';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** The organization a detection goes to and that organization's settings for the detector. */
export interface Judge {
  organizationId: string;
  settings: DetectorSettings;
}

export interface DetectorInput {
  signal: Signal;
  state: DetectionState;
  /** null: the signal only feeds shared counters (platform log, or the detector is disabled). */
  judge: Judge | null;
  /**
   * Another organization's judge, for a signal of the platform log that completes an attack on an
   * organization (credential stuffing ending on addresses that have no account). Absent in replays.
   */
  judgeFor?: (organizationId: string, type: DetectorType) => Promise<Judge | null>;
}

export interface Detector {
  type: DetectorType;
  /** The signal kinds the detector looks at; the engine skips it for every other kind. */
  kinds: readonly SignalKind[];
  /** Keeps per-IP counters shared by every organization: runs even without a judge. */
  sharedCounters: boolean;
  detect(input: DetectorInput): Promise<Detection | null>;
}

/** Refusals before the password was checked (auth's refusal reasons, and a lock that held). */
const REFUSED_REASONS: ReadonlySet<string> = new Set(['rate_limited', 'delayed', 'ip_blocked', 'locked']);

/** What the attempt came to, as far as the signal tells; null for kinds that do not say. */
function outcomeOf(signal: Signal): EvidenceOutcome | null {
  switch (signal.kind) {
    case 'sign_in_failed':
      return signal.refused || (signal.reason !== null && REFUSED_REASONS.has(signal.reason))
        ? 'refused'
        : 'failed';
    case 'mfa_failed':
      return 'failed';
    case 'access_denied':
      return 'denied';
    case 'sign_in_succeeded':
      return 'succeeded';
    default:
      return null;
  }
}

/** The account concerned: a member by name, or an address with no account (never the address). */
function accountOf(signal: Signal): EvidenceAccount | null {
  if (signal.userId) return { kind: 'user', id: signal.userId, name: signal.userLabel };
  return signal.accountKey?.startsWith('email:') ? { kind: 'unknown_address' } : null;
}

/** The audit event behind a detection, with the facts of the attempt (kept as JSON in shared state). */
export function evidenceOf(signal: Signal): DetectionEvidence {
  return {
    auditEventId: signal.auditEventId,
    seq: signal.seq,
    action: signal.action,
    occurredAt: signal.occurredAt,
    ip: signal.ip,
    country: signal.country,
    device: signal.deviceLabel,
    account: accountOf(signal),
    outcome: outcomeOf(signal),
    reason: signal.reason ?? (signal.kind === 'access_denied' ? (signal.permission ?? signal.code) : null),
  };
}

/** A reader of one detector's thresholds (defaults fill what the settings lack). */
export function thresholds(type: DetectorType, settings: DetectorSettings): (key: string) => number {
  return (key) => thresholdOf(type, settings, key);
}

const RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };

export function raise(severity: Severity, levels = 1): Severity {
  return SEVERITIES[Math.min(SEVERITIES.length - 1, RANK[severity] + levels)] ?? 'critical';
}

export function lower(severity: Severity): Severity {
  return SEVERITIES[Math.max(0, RANK[severity] - 1)] ?? 'low';
}

export function highest(a: Severity, b: Severity): Severity {
  return RANK[a] >= RANK[b] ? a : b;
}

/** Volume escalation shared by the counting detectors: 5× the threshold is one level higher. */
export const ESCALATION_FACTOR = 5;

export function escalated(severity: Severity, observed: number, threshold: number): Severity {
  return observed >= threshold * ESCALATION_FACTOR ? raise(severity) : severity;
}

/** "15 minutes", "1 minute", "2 hours". */
export function duration(minutes: number): string {
  if (minutes >= 60 && minutes % 60 === 0) {
    const hours = minutes / 60;
    return hours === 1 ? '1 hour' : `${hours} hours`;
  }
  const rounded = Math.round(minutes);
  return rounded === 1 ? '1 minute' : `${rounded} minutes`;
}

/** How a person is named in explanations: the display name, never an e-mail address. */
export function userName(signal: Signal): string {
  return signal.userLabel ?? `user ${signal.userId ?? 'unknown'}`;
}

export function userSubject(signal: Signal, userId: string): Detection['subject'] {
  return { type: 'user', id: userId, label: signal.userLabel };
}

export function ipSubject(ip: string): Detection['subject'] {
  return { type: 'ip', id: ip, label: ip };
}

/** State keys: per user within an organization, per IP across organizations, per IP within one. */
export const userKey = (organizationId: string, userId: string, name: string): string =>
  `u:${organizationId}:${userId}:${name}`;
export const ipKey = (ip: string, name: string): string => `ip:${ip}:${name}`;
export const orgIpKey = (organizationId: string, ip: string, name: string): string =>
  `o:${organizationId}:ip:${ip}:${name}`;
