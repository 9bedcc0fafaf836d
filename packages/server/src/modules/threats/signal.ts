import type { CommittedAuditEvent } from '../audit';
import { normalizeIp } from './ip';

/**
 * What detectors see: one committed audit event, reduced to the facts detection needs. Built in
 * memory from the event as it was committed (IP and metadata in plaintext); never stored.
 */
export type SignalKind =
  /** user.sign_in_failed (bad password, unknown user, disabled user). */
  | 'sign_in_failed'
  /** user.signed_in. */
  | 'sign_in_succeeded'
  /** user.mfa_failed, user.step_up_failed. */
  | 'mfa_failed'
  /** access.denied (any 403 of a signed-in caller, or a denied authorize check). */
  | 'access_denied'
  /** audit.exported, and host-app events whose action ends in `.exported` or `.downloaded`. */
  | 'data_export'
  /**
   * Changes that take an account away from its owner: password, e-mail, a factor removed. Adding a
   * factor or new recovery codes only strengthens the account (and is what people do right after
   * signing in on a new device), so they count as activity, not as a takeover step.
   */
  | 'credential_changed'
  /** member.role_changed, role.created/updated/deleted. */
  | 'role_changed'
  /** Anything else a user did (feeds the user's usual hours). */
  | 'activity';

export interface Signal {
  kind: SignalKind;
  /** The organization whose log holds the event; null = the platform log (e.g. unknown e-mail). */
  organizationId: string | null;
  auditEventId: string;
  seq: number;
  action: string;
  /** When it happened, ms since the epoch (from occurredAt). */
  at: number;
  occurredAt: string;
  /** The user concerned: the actor, or for a failed sign-in the account tried (when it exists). */
  userId: string | null;
  /** The user's display name, when known (never an e-mail address). */
  userLabel: string | null;
  /**
   * The account tried, known or not: `user:<id>`, or `email:<sha256 of the address>` for an unknown
   * one (so spraying over made-up addresses still counts distinct accounts without keeping them).
   */
  accountKey: string | null;
  ip: string | null;
  /** ISO 3166-1 alpha-2 of `ip`, when the GeoIP database knows it. */
  country: string | null;
  /** Device fingerprint of the user agent (coarse: browser family, OS, mobile). */
  device: string | null;
  deviceLabel: string | null;
  /** Sign-in facts recorded with the event. */
  newDevice: boolean;
  newCountry: boolean;
  /** The failing request came with this user's own device token (strong trust). */
  trustedOrigin: boolean;
  /** The failing request came from an IP this user signed in from before (weak: shared networks). */
  familiarIp: boolean;
  /** access_denied: the permission refused and the error code (e.g. CANNOT_CHANGE_OWN_ROLES). */
  permission: string | null;
  code: string | null;
  /** role_changed: the member whose roles changed; selfTarget when that is the actor. */
  targetUserId: string | null;
  selfTarget: boolean;
  /** data_export: records (or 1 when the event does not say). */
  volume: number;
  /** sign_in_failed: bad_password | unknown_user | disabled, or why it was refused. */
  reason: string | null;
  /**
   * sign_in_failed: refused before the password was checked (rate limit, delay, block). Counted,
   * never stored alone: it has no audit event of its own (seq 0), only its window's
   * `auth.sign_in_throttled` summary.
   */
  refused: boolean;
}

const CREDENTIAL_ACTIONS = new Set([
  'user.password_changed',
  'user.password_reset',
  'user.email_changed',
  'mfa.factor_removed',
]);
const ROLE_ACTIONS = new Set(['member.role_changed', 'role.created', 'role.updated', 'role.deleted']);
/** Detection's own output and reads of the trail are not user activity worth learning from. */
const IGNORED_PREFIXES = [
  'security_event.',
  'threat_',
  'alert_',
  'audit.searched',
  'audit.event_viewed',
  'audit.tail_opened',
  // Summaries of refused attempts: counted by the sign-in guard when they were refused.
  'auth.sign_in_throttled',
];

export interface SignalContext {
  country(ip: string | null): string | null;
  device(userAgent: string | null): { fingerprint: string; label: string } | null;
  hashEmail(email: string): string;
}

function kindOf(action: string): SignalKind | null {
  switch (action) {
    case 'user.sign_in_failed':
      return 'sign_in_failed';
    case 'user.signed_in':
      return 'sign_in_succeeded';
    case 'user.mfa_failed':
    case 'user.step_up_failed':
      return 'mfa_failed';
    case 'access.denied':
      return 'access_denied';
    case 'audit.exported':
      return 'data_export';
  }
  if (CREDENTIAL_ACTIONS.has(action) || action.endsWith('.email_changed')) return 'credential_changed';
  if (ROLE_ACTIONS.has(action)) return 'role_changed';
  if (action.endsWith('.exported') || action.endsWith('.downloaded')) return 'data_export';
  if (IGNORED_PREFIXES.some((p) => action.startsWith(p))) return null;
  return 'activity';
}

const text = (value: unknown): string | null => (typeof value === 'string' && value ? value : null);
const positive = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;

/**
 * What a host app may tell detection about: its own exports, credential changes and activity.
 * Sign-ins, MFA, denials and role changes are Custos' own facts; a host app's events claiming them
 * (with any actor, IP and flags it likes) must not lock or block anyone.
 */
const HOST_KINDS: ReadonlySet<SignalKind> = new Set(['data_export', 'credential_changed', 'activity']);

/**
 * The sign-in's trust as recorded. Events written before trust had levels say `trustedOrigin`
 * for a device or a familiar IP alike: read as the weaker one.
 */
function trustOf(meta: Record<string, unknown> | null): { trustedOrigin: boolean; familiarIp: boolean } {
  if (!meta) return { trustedOrigin: false, familiarIp: false };
  if (meta.trust === 'device') return { trustedOrigin: true, familiarIp: false };
  const familiar = meta.trust === 'familiar_ip' || (meta.trust === undefined && meta.trustedOrigin === true);
  return { trustedOrigin: false, familiarIp: familiar };
}

/** The signal of a committed event, or null when detection has no use for it. */
export function signalOf(event: CommittedAuditEvent, ctx: SignalContext): Signal | null {
  const kind = kindOf(event.action);
  if (!kind) return null;
  if (event.origin === 'host' && !HOST_KINDS.has(kind)) return null;
  const actor = event.actor;
  // Only people have usual hours; a host app's own events do not describe a person's day.
  if (kind === 'activity' && actor.type !== 'user') return null;
  const meta = event.metadata ?? {};
  const targetUser = event.targets.find((t) => t.type === 'user')?.id ?? null;
  const host = event.origin === 'host';
  const userId = actor.type === 'user' && actor.id ? actor.id : kind === 'sign_in_failed' ? targetUser : null;
  // One spelling per address, so "::ffff:192.0.2.1" and "192.0.2.1" count as one.
  const ip = normalizeIp(actor.ip);
  const device = ctx.device(actor.userAgent ?? null);
  const at = Date.parse(event.occurredAt);
  const email = text(actor.email);
  return {
    kind,
    organizationId: event.organizationId,
    auditEventId: event.id,
    seq: event.seq,
    action: event.action,
    at: Number.isFinite(at) ? at : Date.now(),
    occurredAt: event.occurredAt,
    userId,
    userLabel: text(actor.name),
    accountKey: userId ? `user:${userId}` : email ? `email:${ctx.hashEmail(email)}` : null,
    ip,
    country: (host ? null : text(meta.country)) ?? ctx.country(ip),
    device: device?.fingerprint ?? null,
    deviceLabel: text(meta.device) ?? device?.label ?? null,
    newDevice: !host && meta.newDevice === true,
    newCountry: !host && meta.newCountry === true,
    ...trustOf(host ? null : meta),
    permission: text(meta.permission),
    code: text(meta.code),
    targetUserId: kind === 'role_changed' ? targetUser : null,
    selfTarget: kind === 'role_changed' && targetUser !== null && targetUser === userId,
    volume: positive(meta.records) ?? positive(meta.count) ?? positive(meta.events) ?? 1,
    reason: text(meta.reason),
    refused: !host && kind === 'sign_in_failed' && meta.refused === true,
  };
}
