import {
  DETECTOR_TYPES,
  type DetectorInfo,
  type DetectorSettings,
  type DetectorType,
  type ResponseRule,
  type Severity,
} from '@custos/shared';
import type { z } from 'zod';
import type { ResolvedThreatSettings } from '../detection';

/**
 * What each detector watches, its thresholds with their defaults and allowed ranges, and the
 * response rules an organization starts with. The console renders the settings form from this.
 */

type DetectorInfoOut = z.infer<typeof DetectorInfo>;

interface ThresholdSpec {
  key: string;
  description: string;
  default: number;
  min: number;
  max: number;
  /** Counts, minutes, days: whole numbers only. */
  integer: boolean;
}

interface DetectorSpec {
  type: DetectorType;
  name: string;
  description: string;
  defaultSeverity: Severity;
  thresholds: ThresholdSpec[];
}

const count = (key: string, description: string, def: number, max = 10_000): ThresholdSpec => ({
  key,
  description,
  default: def,
  min: 1,
  max,
  integer: true,
});
/**
 * Windows from one minute to a week (longer ones would keep too much state per key). Per-IP
 * counters are shared by every organization and kept 24 hours, so their windows stop there.
 */
const windowMinutes = (def: number, max = 10_080): ThresholdSpec => ({
  key: 'windowMinutes',
  description: 'Length of the sliding window, in minutes.',
  default: def,
  min: 1,
  max,
  integer: true,
});

const SPECS: DetectorSpec[] = [
  {
    type: 'brute_force_account',
    name: 'Brute force on an account',
    description:
      "Failed sign-ins against one account from anywhere but the user's own browsers, networks they " +
      'used before included (someone on the same office or home network is still counted; failures from the ' +
      "user's own devices never count, so nobody can lock the user out of them), or failed " +
      'second factors after a correct password. Raised one level at 5× the threshold.',
    defaultSeverity: 'high',
    thresholds: [
      count('failures', "Failed sign-ins from anywhere but the user's own browsers in the window.", 10),
      count(
        'mfaFailures',
        'Failed second-step codes or passkeys, at sign-in or when confirming a sensitive action, in the window.',
        5,
      ),
      windowMinutes(15),
    ],
  },
  {
    type: 'brute_force_ip',
    name: 'Brute force from an IP',
    description:
      'Failed sign-ins from one IP over all accounts, known or not, counted across every organization. ' +
      'Raised one level at 5× the threshold, or when the IP passes the daily threshold (suspicious IP).',
    defaultSeverity: 'medium',
    thresholds: [
      count('failures', 'Failed sign-ins from the IP in the window.', 20),
      windowMinutes(10, 1440),
      count('dailyFailures', 'Failed sign-ins from the IP in 24 hours (raised one level).', 100),
    ],
  },
  {
    type: 'credential_stuffing',
    name: 'Credential stuffing',
    description:
      'One IP failing to sign in to many distinct accounts, including e-mail addresses that have no ' +
      'account (user enumeration). Raised one level at 5× the threshold.',
    defaultSeverity: 'high',
    thresholds: [
      count('accounts', 'Distinct accounts tried from the IP in the window.', 5),
      windowMinutes(10, 1440),
    ],
  },
  {
    type: 'password_spraying',
    name: 'Password spraying on an account',
    description:
      'One account failing to sign in from many distinct IPs (a distributed guess). Raised one level ' +
      'at 5× the threshold.',
    defaultSeverity: 'high',
    thresholds: [count('ips', 'Distinct IPs failing on the account in the window.', 5), windowMinutes(60)],
  },
  {
    type: 'impossible_travel',
    name: 'Impossible travel',
    description:
      'Two consecutive successful sign-ins of a user from places too far apart for the time between ' +
      'them (the distance between the centres of the two countries, divided by the time between sign-ins).',
    defaultSeverity: 'high',
    thresholds: [
      {
        key: 'speedKmh',
        description: 'Travel speed, in km/h, above which the journey is impossible.',
        default: 1000,
        min: 50,
        max: 100_000,
        integer: false,
      },
      {
        key: 'minDistanceKm',
        description:
          'Distances below this many km are ignored (neighbouring countries, or a wrong guess of where an address is).',
        default: 500,
        min: 0,
        max: 20_000,
        integer: false,
      },
    ],
  },
  {
    type: 'new_country',
    name: 'Sign-in from a new country',
    description: 'A successful sign-in from a country the user never signed in from before.',
    defaultSeverity: 'low',
    thresholds: [],
  },
  {
    type: 'new_device',
    name: 'Sign-in from a new device',
    description: 'A successful sign-in from a device the user never signed in from before.',
    defaultSeverity: 'low',
    thresholds: [],
  },
  {
    type: 'account_takeover',
    name: 'Account takeover',
    description:
      'A sign-in from a new device or country followed, within the window, by a change of password, ' +
      'e-mail address or second factor of the same user.',
    defaultSeverity: 'critical',
    thresholds: [windowMinutes(60)],
  },
  {
    type: 'privilege_escalation',
    name: 'Privilege escalation',
    description:
      'Repeated refusals of administrative actions (changing settings, registering permissions, ' +
      'creating API keys, erasing personal data) or role changes the user may not make. Any attempt to change one’s own roles ' +
      'fires at once, one level below the configured severity, and at the configured severity from ' +
      '3× the self-grant threshold.',
    defaultSeverity: 'high',
    thresholds: [
      count('denials', 'Administrative denials of the user in the window.', 5),
      windowMinutes(10),
      count('selfGrantAttempts', 'Attempts to change one’s own roles before firing.', 1, 1000),
    ],
  },
  {
    type: 'data_exfiltration',
    name: 'Data exfiltration',
    description:
      "Exports far above the user's own daily baseline (mean of earlier days), or above absolute caps " +
      'regardless of history. The daily cap raises a critical event.',
    defaultSeverity: 'high',
    thresholds: [
      {
        key: 'baselineMultiplier',
        description: "Today's exported records above this multiple of the baseline fire.",
        default: 10,
        min: 1,
        max: 10_000,
        integer: false,
      },
      count('minBaseline', 'Floor of the baseline, in records per day (small users stay quiet).', 100, 1e9),
      count('minHistoryDays', 'Days of export history needed before the baseline is used.', 3, 365),
      count(
        'dailyCap',
        'Records exported in one UTC day that fire regardless of history (critical).',
        10_000,
        1e9,
      ),
      count('hourlyExports', 'Export events in one hour that fire regardless of history.', 20),
    ],
  },
  {
    type: 'off_hours',
    name: 'Activity at unusual hours',
    description:
      "Activity in a UTC hour the user is rarely active in, learned from the user's own history; at " +
      'most once per user per cooldown.',
    defaultSeverity: 'low',
    thresholds: [
      count('minObservations', 'Events learned before the detector judges hours.', 50, 1_000_000),
      {
        key: 'rarePercent',
        description: "An hour holding less than this % of the user's history is unusual.",
        default: 2,
        min: 0.01,
        max: 50,
        integer: false,
      },
      count('cooldownHours', 'Hours between two off-hours events of the same user.', 12, 720),
    ],
  },
  {
    type: 'audit_tampering',
    name: 'Audit trail tampering',
    description:
      "The audit log's history in the database no longer extends the last checkpoint Custos signed " +
      '(rewritten, rolled back or renumbered), or a row appeared where the log had no room for it. ' +
      'Raised by the checkpoint signer, which then signs nothing for that log.',
    defaultSeverity: 'critical',
    thresholds: [],
  },
  {
    type: 'privacy_request_overdue',
    name: 'Compliance violation: privacy request overdue',
    description:
      'A data subject request passed its statutory due date (GDPR Art. 12(3), CCPA §1798.130) without ' +
      'being completed, denied or canceled. Raised by the privacy module, once per request.',
    defaultSeverity: 'high',
    thresholds: [],
  },
];

const SPEC_BY_TYPE = new Map<DetectorType, DetectorSpec>(SPECS.map((s) => [s.type, s]));

/**
 * Detectors raised by Custos itself rather than from signals: always on at their severity, so the
 * settings page does not offer them (and a change to them is refused).
 */
export const FIXED_DETECTORS: ReadonlySet<DetectorType> = new Set<DetectorType>([
  'audit_tampering',
  'privacy_request_overdue',
]);

export const DETECTOR_CATALOG: DetectorInfoOut[] = SPECS.filter((s) => !FIXED_DETECTORS.has(s.type)).map(
  (s) => ({
    type: s.type,
    name: s.name,
    description: s.description,
    thresholds: s.thresholds.map((t) => ({ key: t.key, description: t.description, default: t.default })),
    defaultSeverity: s.defaultSeverity,
  }),
);

/**
 * Credential-guessing detections lock only untrusted origins, so the real user on a known device or
 * IP still gets in; takeover-type detections lock every origin.
 */
export const LOCK_SCOPE_BY_DETECTOR: Record<DetectorType, 'untrusted' | 'all'> = {
  brute_force_account: 'untrusted',
  brute_force_ip: 'untrusted',
  credential_stuffing: 'untrusted',
  password_spraying: 'untrusted',
  impossible_travel: 'all',
  new_country: 'all',
  new_device: 'all',
  account_takeover: 'all',
  privilege_escalation: 'all',
  data_exfiltration: 'all',
  off_hours: 'all',
  audit_tampering: 'all',
  privacy_request_overdue: 'all',
};

function defaultThresholds(type: DetectorType): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of SPEC_BY_TYPE.get(type)?.thresholds ?? []) out[t.key] = t.default;
  return out;
}

const DEFAULT_THRESHOLDS = Object.fromEntries(
  DETECTOR_TYPES.map((type) => [type, Object.freeze(defaultThresholds(type))]),
) as Record<DetectorType, Readonly<Record<string, number>>>;

/** A threshold of resolved settings, falling back to the default (0 for a name the catalog lacks). */
export function thresholdOf(type: DetectorType, settings: DetectorSettings, key: string): number {
  const value = settings.thresholds[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : (DEFAULT_THRESHOLDS[type][key] ?? 0);
}

function defaultDetectors(): Record<DetectorType, DetectorSettings> {
  const entries = DETECTOR_TYPES.map((type): [DetectorType, DetectorSettings] => [
    type,
    {
      enabled: true,
      severity: SPEC_BY_TYPE.get(type)?.defaultSeverity ?? 'medium',
      thresholds: defaultThresholds(type),
    },
  ]);
  return Object.fromEntries(entries) as Record<DetectorType, DetectorSettings>;
}

function defaultResponses(): ResponseRule[] {
  return [
    {
      detector: 'brute_force_account',
      minSeverity: 'high',
      actions: [{ kind: 'lock_account', durationMinutes: 15 }, { kind: 'notify_user' }],
    },
    {
      detector: 'brute_force_ip',
      minSeverity: 'medium',
      actions: [{ kind: 'block_ip', durationMinutes: 30 }],
    },
    {
      detector: 'credential_stuffing',
      minSeverity: 'high',
      actions: [{ kind: 'block_ip', durationMinutes: 60 }],
    },
    {
      detector: 'password_spraying',
      minSeverity: 'high',
      actions: [{ kind: 'lock_account', durationMinutes: 30 }, { kind: 'notify_user' }],
    },
    {
      detector: 'impossible_travel',
      minSeverity: 'high',
      actions: [{ kind: 'require_step_up' }, { kind: 'notify_user' }],
    },
    {
      detector: 'account_takeover',
      minSeverity: 'critical',
      actions: [
        { kind: 'end_sessions' },
        { kind: 'lock_account', durationMinutes: 60 },
        { kind: 'notify_user' },
      ],
    },
    // Even one attempt to grant oneself roles (medium) is worth a fresh verification.
    { detector: 'privilege_escalation', minSeverity: 'medium', actions: [{ kind: 'require_step_up' }] },
    { detector: 'data_exfiltration', minSeverity: 'high', actions: [{ kind: 'require_step_up' }] },
    { detector: 'data_exfiltration', minSeverity: 'critical', actions: [{ kind: 'end_sessions' }] },
  ];
}

/** Every detector enabled at its default severity and thresholds, with the default response rules. */
export function defaultThreatSettings(): ResolvedThreatSettings {
  return { detectors: defaultDetectors(), responses: defaultResponses() };
}

/**
 * Stored settings over the defaults: a stored detector keeps its enabled flag and severity, missing
 * thresholds take the default (unknown names are dropped). Stored responses (even an empty list)
 * replace the default rules; null keeps them.
 */
export function resolveThreatSettings(
  stored: {
    detectors: Partial<Record<DetectorType, DetectorSettings>>;
    responses: ResponseRule[] | null;
  } | null,
): ResolvedThreatSettings {
  const resolved = defaultThreatSettings();
  if (!stored) return resolved;
  for (const type of DETECTOR_TYPES) {
    const own = stored.detectors[type];
    if (!own) continue;
    const thresholds = defaultThresholds(type);
    for (const key of Object.keys(thresholds)) {
      const value = own.thresholds?.[key];
      if (typeof value === 'number' && Number.isFinite(value)) thresholds[key] = value;
    }
    resolved.detectors[type] = { enabled: own.enabled, severity: own.severity, thresholds };
  }
  if (stored.responses) resolved.responses = stored.responses;
  return resolved;
}

/** What is wrong with a detector's thresholds (unknown names, values out of range); empty = fine. */
export function thresholdProblems(type: DetectorType, thresholds: Record<string, number>): string[] {
  const specs = SPEC_BY_TYPE.get(type)?.thresholds ?? [];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(thresholds)) {
    const spec = specs.find((s) => s.key === key);
    if (!spec) {
      const known = specs.map((s) => s.key).join(', ') || 'none';
      problems.push(`${type}: unknown threshold "${key}" (known: ${known})`);
      continue;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      problems.push(`${type}.${key}: must be a number`);
    } else if (value < spec.min || value > spec.max) {
      problems.push(`${type}.${key}: must be between ${spec.min} and ${spec.max}`);
    } else if (spec.integer && !Number.isInteger(value)) {
      problems.push(`${type}.${key}: must be a whole number`);
    }
  }
  return problems;
}
