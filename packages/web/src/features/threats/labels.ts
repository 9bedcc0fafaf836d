import type {
  DetectorType,
  EvidenceOutcome,
  ResponseKind,
  SecurityEventStatus,
  Severity,
} from '@custos/shared';
import { COUNT_NOUNS, countNouns } from '@custos/shared/words';

/**
 * Words and colours for the threat vocabulary, the one source for every screen that shows
 * severities or detectors (events, detector settings, responses, alerts, the overview). The lists
 * are spelled out here rather than imported from `@custos/shared` as values: a value import would
 * pull zod into the console's first bundle. Each `Record` over a shared union makes the compiler
 * refuse a missing entry.
 */

export const SEVERITY_LABELS: Record<Severity, string> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  critical: 'Critical',
};

/** Mantine colour names (no shade), for badges and icons: low blue, medium yellow, high orange, critical red. */
export const SEVERITY_COLORS: Record<Severity, string> = {
  low: 'blue',
  medium: 'yellow',
  high: 'orange',
  critical: 'red',
};

/** The same colours with a shade (`red.8`), deeper as the severity rises: for charts and borders. */
export const SEVERITY_SHADES: Record<Severity, string> = {
  low: 'blue.4',
  medium: 'yellow.5',
  high: 'orange.6',
  critical: 'red.8',
};

/** Least to most severe: the order of every severity choice and filter. */
export const SEVERITY_ORDER: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

export const DETECTOR_LABELS: Record<DetectorType, string> = {
  brute_force_account: 'Brute force (account)',
  brute_force_ip: 'Brute force (IP)',
  credential_stuffing: 'Credential stuffing',
  password_spraying: 'Password spraying',
  impossible_travel: 'Impossible travel',
  new_country: 'New country',
  new_device: 'New device',
  account_takeover: 'Account takeover',
  privilege_escalation: 'Privilege escalation',
  data_exfiltration: 'Data exfiltration',
  off_hours: 'Off-hours activity',
  audit_tampering: 'Audit trail tampering',
  privacy_request_overdue: 'Privacy request overdue',
};

/**
 * Each detector spelled out as a phrase, for an event that stands alone as a headline (the
 * overview's live feed); lists, filters and badges use the short labels above.
 */
export const DETECTOR_NAMES: Record<DetectorType, string> = {
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
  privacy_request_overdue: 'Compliance violation: privacy request overdue',
};

export const DETECTOR_ORDER = Object.keys(DETECTOR_LABELS) as DetectorType[];

export const STATUS_LABELS: Record<SecurityEventStatus, string> = {
  open: 'Open',
  acknowledged: 'Acknowledged',
  resolved: 'Resolved',
  false_positive: 'False positive',
};

export const STATUS_COLORS: Record<SecurityEventStatus, string> = {
  open: 'red',
  acknowledged: 'yellow',
  resolved: 'teal',
  false_positive: 'gray',
};

export const STATUS_ORDER = Object.keys(STATUS_LABELS) as SecurityEventStatus[];

/** What the triage buttons say for a move to each status. */
export const STATUS_ACTIONS: Record<SecurityEventStatus, string> = {
  open: 'Reopen',
  acknowledged: 'Acknowledge',
  resolved: 'Resolve',
  false_positive: 'False positive',
};

/** The moves triage allows from each status (the server enforces the same). */
const TRANSITIONS: Record<SecurityEventStatus, readonly SecurityEventStatus[]> = {
  open: ['acknowledged', 'resolved', 'false_positive'],
  acknowledged: ['resolved', 'false_positive', 'open'],
  resolved: ['open'],
  false_positive: ['open'],
};

export function allowedTransitions(from: SecurityEventStatus): readonly SecurityEventStatus[] {
  return TRANSITIONS[from];
}

export function canMove(from: SecurityEventStatus, to: SecurityEventStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export const RESPONSE_LABELS: Record<ResponseKind, string> = {
  lock_account: 'Account locked',
  block_ip: 'IP blocked',
  end_sessions: 'Sessions ended',
  require_step_up: 'Re-verification required',
  notify_user: 'User notified',
};

/** What a response rule does, as an instruction. */
export const RESPONSE_ACTION_LABELS: Record<ResponseKind, string> = {
  lock_account: 'Lock the account',
  block_ip: 'Block the IP',
  end_sessions: 'End the sessions',
  require_step_up: 'Ask the user to verify again',
  notify_user: 'Notify the user',
};

export const RESPONSE_ORDER = Object.keys(RESPONSE_LABELS) as ResponseKind[];

/** Kinds that last (and so take a duration); the others happen once. */
export function takesDuration(kind: ResponseKind): boolean {
  return kind === 'lock_account' || kind === 'block_ip';
}

export const LOCK_SCOPE_LABELS: Record<'untrusted' | 'all', string> = {
  untrusted: 'unknown devices only',
  all: 'everywhere',
};

/** `durationMinutes` choices; `null` is "until lifted". */
export const DURATION_CHOICES: { value: string; label: string; minutes: number | null }[] = [
  { value: '15', label: '15 minutes', minutes: 15 },
  { value: '30', label: '30 minutes', minutes: 30 },
  { value: '60', label: '1 hour', minutes: 60 },
  { value: '240', label: '4 hours', minutes: 240 },
  { value: '1440', label: '24 hours', minutes: 1440 },
  { value: '10080', label: '7 days', minutes: 10080 },
  { value: 'forever', label: 'Until lifted', minutes: null },
];

/** "15 minutes", "2 hours", "until lifted". */
export function durationLabel(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined) return 'until lifted';
  if (minutes % 1440 === 0) return minutes === 1440 ? '24 hours' : `${minutes / 1440} days`;
  if (minutes % 60 === 0) return minutes === 60 ? '1 hour' : `${minutes / 60} hours`;
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

/** The duration choices, with a custom value from the server added when it is not one of them. */
export function durationOptions(current: number | null | undefined): { value: string; label: string }[] {
  const options = DURATION_CHOICES.map(({ value, label }) => ({ value, label }));
  if (typeof current === 'number' && !DURATION_CHOICES.some((c) => c.minutes === current)) {
    options.unshift({ value: String(current), label: durationLabel(current) });
  }
  return options;
}

export function durationValue(minutes: number | null | undefined): string {
  return typeof minutes === 'number' ? String(minutes) : 'forever';
}

export function durationMinutes(value: string | null): number | null {
  if (!value || value === 'forever') return null;
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : null;
}

/** Words in threshold names that read better spelled out. */
const WORDS: Record<string, string> = { mfa: 'MFA', ips: 'IPs', ip: 'IP', kmh: '(km/h)', km: '(km)' };

/** Detector thresholds and figures named in words, where their keys read as code. */
const KEY_LABELS: Record<string, string> = {
  failures: 'Failed sign-ins',
  mfaFailures: 'Failed second steps',
  dailyFailures: 'Failed sign-ins in a day',
  accounts: 'Accounts tried',
  ips: 'IP addresses',
  denials: 'Refused actions',
  selfGrantAttempts: 'Attempts to change own roles',
  baselineMultiplier: 'Times the usual volume',
  minBaseline: 'Smallest baseline (records a day)',
  minHistoryDays: 'Days of history needed',
  hourlyExports: 'Exports in one hour',
  minObservations: 'Events needed before judging',
  rarePercent: 'Rare hour (% of activity)',
  cooldownHours: 'Hours between two alerts',
  minDistanceKm: 'Shortest distance (km)',
};

/** How each second step is called in the console. */
const FACTOR_LABELS: Record<string, string> = {
  password: 'Password',
  totp: 'Authenticator app',
  webauthn: 'Passkey',
  passkey: 'Passkey',
  recovery_code: 'Recovery code',
};

export function factorLabel(factor: string): string {
  return FACTOR_LABELS[factor] ?? factor;
}

/** "windowMinutes" → "Window minutes", "speedKmh" → "Speed (km/h)"; known keys by their label. */
export function humanizeKey(key: string): string {
  const known = KEY_LABELS[key];
  if (known) return known;
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase()
    .split(/\s+/)
    .map((word) => WORDS[word] ?? word)
    .join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export { COUNT_NOUNS };

/** A number with its noun, grouped: "1 attempt", "1,204 attempts". */
export function plural(n: number, [one, many]: readonly [string, string]): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

/** An event's count in words: "1 attempt", "46 attempts", "2 sign-ins". */
export function countLabel(type: DetectorType | string, n: number): string {
  return plural(n, countNouns(type));
}

export const OUTCOME_LABELS: Record<EvidenceOutcome, string> = {
  succeeded: 'Succeeded',
  failed: 'Failed',
  refused: 'Refused',
  denied: 'Denied',
};

export const OUTCOME_COLORS: Record<EvidenceOutcome, string> = {
  succeeded: 'teal',
  failed: 'red',
  refused: 'orange',
  denied: 'grape',
};

/** The reasons auth and detection record, in words; others (a permission, an error code) show as they are. */
const REASON_LABELS: Record<string, string> = {
  bad_password: 'Wrong password',
  unknown_user: 'No such account',
  disabled: 'Account disabled',
  locked: 'Account locked',
  rate_limited: 'Rate limited',
  delayed: 'Delayed (too many failures)',
  ip_blocked: 'IP blocked',
};

export function reasonLabel(reason: string): string {
  return REASON_LABELS[reason] ?? reason;
}
