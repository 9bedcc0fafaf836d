import type { DetectorType, Severity } from '@custos/shared';

/** Highest first: the order the dashboard lists severities in. */
export const SEVERITY_ORDER: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

export const SEVERITY_COLORS: Record<Severity, string> = {
  critical: 'red.8',
  high: 'orange.6',
  medium: 'yellow.5',
  low: 'blue.4',
};

/** The Mantine colour name (no shade), for badges and theme icons. */
export const SEVERITY_BADGE_COLORS: Record<Severity, string> = {
  critical: 'red',
  high: 'orange',
  medium: 'yellow',
  low: 'blue',
};

export const SEVERITY_LABELS: Record<Severity, string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
};

export const DETECTOR_LABELS: Record<DetectorType, string> = {
  brute_force_account: 'Brute force on an account',
  brute_force_ip: 'Brute force from an address',
  credential_stuffing: 'Credential stuffing',
  password_spraying: 'Password spraying',
  impossible_travel: 'Impossible travel',
  new_country: 'Sign-in from a new country',
  new_device: 'Sign-in from a new device',
  account_takeover: 'Possible account takeover',
  privilege_escalation: 'Privilege escalation',
  data_exfiltration: 'Possible data exfiltration',
  off_hours: 'Activity outside working hours',
  audit_tampering: 'Audit trail tampering',
};

/** The list of open events of one severity, as the security events page reads its filters. */
export function openEventsLink(severity: Severity): string {
  return `/security/events?${new URLSearchParams({ severity, status: 'open' }).toString()}`;
}

export function eventLink(id: string): string {
  return `/security/events/${encodeURIComponent(id)}`;
}
