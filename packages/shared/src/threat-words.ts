import type { DetectorType } from './threats-api';

/**
 * What one unit of a security event's count is, per detector, so the server's explanation and
 * e-mails and every console surface (badge, tooltip, facts, timeline) use the same words for the
 * same number. Free of zod (a type import only): the console imports it as `@custos/shared/words`
 * without pulling the schemas into its first bundle.
 */
export const COUNT_NOUNS: Record<DetectorType, readonly [singular: string, plural: string]> = {
  brute_force_account: ['attempt', 'attempts'],
  brute_force_ip: ['attempt', 'attempts'],
  credential_stuffing: ['attempt', 'attempts'],
  password_spraying: ['attempt', 'attempts'],
  privilege_escalation: ['attempt', 'attempts'],
  impossible_travel: ['sign-in', 'sign-ins'],
  new_country: ['sign-in', 'sign-ins'],
  new_device: ['sign-in', 'sign-ins'],
  account_takeover: ['action', 'actions'],
  data_exfiltration: ['export', 'exports'],
  off_hours: ['action', 'actions'],
  audit_tampering: ['alarm', 'alarms'],
  privacy_request_overdue: ['check', 'checks'],
};

/** The nouns of an event type, or "event(s)" for a type this build does not know. */
export function countNouns(type: string): readonly [string, string] {
  return (COUNT_NOUNS as Record<string, readonly [string, string]>)[type] ?? ['event', 'events'];
}
