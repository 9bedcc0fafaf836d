import { z } from 'zod';
import { Id, SafeText, Timestamp } from './api';

/**
 * Contracts of threat detection: detectors and their per-organization settings, security events
 * and their triage, automatic responses, alert channels and deliveries, and the security overview.
 */

// ---------------------------------------------------------------- vocabulary

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export const Severity = z.enum(SEVERITIES);
export type Severity = z.infer<typeof Severity>;

/** Detector keys; a security event's `type` is the key of the detector that raised it. */
export const DETECTOR_TYPES = [
  'brute_force_account',
  'brute_force_ip',
  'credential_stuffing',
  'password_spraying',
  'impossible_travel',
  'new_country',
  'new_device',
  'account_takeover',
  'privilege_escalation',
  'data_exfiltration',
  'off_hours',
  // Not a detector over signals: the audit trail's own signer raises it when the database's history
  // no longer extends what it signed, or a row appears where the log had no room for it.
  'audit_tampering',
  // Not a detector either: a compliance violation, raised by the privacy module when a data subject
  // request passes its statutory due date unanswered.
  'privacy_request_overdue',
] as const;
export const DetectorType = z.enum(DETECTOR_TYPES);
export type DetectorType = z.infer<typeof DetectorType>;

export const SECURITY_EVENT_STATUSES = ['open', 'acknowledged', 'resolved', 'false_positive'] as const;
export const SecurityEventStatus = z.enum(SECURITY_EVENT_STATUSES);
export type SecurityEventStatus = z.infer<typeof SecurityEventStatus>;

export const RESPONSE_KINDS = [
  'lock_account',
  'block_ip',
  'end_sessions',
  'require_step_up',
  'notify_user',
] as const;
export const ResponseKind = z.enum(RESPONSE_KINDS);
export type ResponseKind = z.infer<typeof ResponseKind>;

// ---------------------------------------------------------------- detector settings

/**
 * One detector's settings. `thresholds` are numbers named per detector (docs/threat-detection.md
 * lists each with its default); unknown names are refused, missing ones take the default.
 */
export const DetectorSettings = z.object({
  enabled: z.boolean(),
  severity: Severity,
  thresholds: z.record(z.string(), z.number().finite().min(0).max(1_000_000_000)),
});
export type DetectorSettings = z.infer<typeof DetectorSettings>;

export const ResponseAction = z.object({
  kind: ResponseKind,
  /** lock_account and block_ip only: how long; null = until an admin lifts it. */
  durationMinutes: z.number().int().min(1).max(43_200).nullable().optional(),
});
export type ResponseAction = z.infer<typeof ResponseAction>;

/** Responses run when `detector` (or every detector, with '*') raises an event of at least `minSeverity`. */
export const ResponseRule = z.object({
  detector: z.union([DetectorType, z.literal('*')]),
  minSeverity: Severity,
  actions: z.array(ResponseAction).min(1).max(5),
});
export type ResponseRule = z.infer<typeof ResponseRule>;

export const DetectorInfo = z.object({
  type: DetectorType,
  name: z.string(),
  description: z.string(),
  /** Threshold name → what it means and its default. */
  thresholds: z.array(z.object({ key: z.string(), description: z.string(), default: z.number() })),
  defaultSeverity: Severity,
});

export const ThreatSettingsOut = z.object({
  detectors: z.record(DetectorType, DetectorSettings),
  responses: z.array(ResponseRule),
  /** The catalog the console renders the form from. */
  catalog: z.array(DetectorInfo),
  updatedAt: Timestamp.nullable(),
});
export type ThreatSettingsOut = z.infer<typeof ThreatSettingsOut>;

/** PUT /api/v1/security/settings: detectors given replace their settings; responses replace the list. */
export const UpdateThreatSettingsBody = z
  .object({
    detectors: z.partialRecord(DetectorType, DetectorSettings).optional(),
    responses: z.array(ResponseRule).max(50).optional(),
  })
  .strict();
export type UpdateThreatSettingsBody = z.infer<typeof UpdateThreatSettingsBody>;

// ---------------------------------------------------------------- security events

export const SecurityEventSubject = z.object({
  type: z.enum(['user', 'ip', 'api_key', 'audit_log', 'privacy_request']),
  id: z.string(),
  /** A display name (the user's name, or the IP); never an e-mail address. */
  label: z.string().nullable(),
});

/** How many of an event's sources the API lists (most attempts first); `sourceCount` tells the rest. */
export const SECURITY_EVENT_SOURCES_SHOWN = 10;

/** One address attempts of a security event came from, with the country of that address. */
export const SecurityEventSource = z.object({
  ip: z.string(),
  /** ISO 3166-1 alpha-2 of this IP (never another address's); null when GeoIP does not know it. */
  country: z.string().nullable(),
  /** Attempts from this address attributed to the event (the same unit as the event's `count`). */
  attempts: z.number().int(),
  firstSeenAt: Timestamp,
  lastSeenAt: Timestamp,
});
export type SecurityEventSource = z.infer<typeof SecurityEventSource>;

export const SecurityEventOut = z.object({
  id: Id,
  type: DetectorType,
  severity: Severity,
  status: SecurityEventStatus,
  subject: SecurityEventSubject,
  /**
   * The address of the first attempt (the one that started the attack); a later attempt from
   * elsewhere never replaces it. `country` is the country of this IP.
   */
  sourceIp: z.string().nullable(),
  country: z.string().nullable(),
  /**
   * What was seen, against which threshold (the detector's window), then the event as a whole:
   * `count` attempts and where they came from.
   */
  explanation: z.string(),
  /** Detector figures (counts, window, distance, speed, baseline, ...). */
  details: z.record(z.string(), z.unknown()),
  /**
   * Attempts attributed to the event over its whole life: the audit events the detector counted
   * when it fired, and every one after that made it fire again (one attack = one event). The one
   * number the explanation, the timeline and the console show.
   */
  count: z.number().int(),
  /**
   * The addresses the attempts came from, most attempts first (at most SECURITY_EVENT_SOURCES_SHOWN).
   * Optional: alert payloads stored before sources existed are replayed as they were.
   */
  sources: z.array(SecurityEventSource).optional(),
  /** Distinct addresses in all (`sources` lists the top ones). */
  sourceCount: z.number().int().optional(),
  firstSeenAt: Timestamp,
  lastSeenAt: Timestamp,
  assignee: z.object({ id: Id, name: z.string() }).nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type SecurityEventOut = z.infer<typeof SecurityEventOut>;

/**
 * What an attempt came to: succeeded; failed (bad password, unknown account, a wrong second factor);
 * refused before the password was checked (rate limited, delayed, IP blocked, account locked);
 * denied (a permission refused to a signed-in member).
 */
export const EVIDENCE_OUTCOMES = ['succeeded', 'failed', 'refused', 'denied'] as const;
export const EvidenceOutcome = z.enum(EVIDENCE_OUTCOMES);
export type EvidenceOutcome = z.infer<typeof EvidenceOutcome>;

/** The account an attempt concerned: a member by name, or an address that has no account. */
export const EvidenceAccount = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('user'), id: z.string(), name: z.string().nullable() }),
  // The address tried is never shown: it is personal data, sealed in the audit event.
  z.object({ kind: z.literal('unknown_address') }),
]);
export type EvidenceAccount = z.infer<typeof EvidenceAccount>;

/**
 * One audit event behind a security event, with the facts an investigator needs in place. The facts
 * are null when unknown (and on evidence kept before they were recorded).
 */
export const SecurityEventEvidence = z.object({
  auditEventId: Id,
  seq: z.number().int(),
  action: z.string(),
  occurredAt: Timestamp,
  ip: z.string().nullable(),
  /** The country of this IP. */
  country: z.string().nullable(),
  /** The device as a person reads it (browser and system), from the user agent. */
  device: z.string().nullable(),
  account: EvidenceAccount.nullable(),
  outcome: EvidenceOutcome.nullable(),
  /** Why it failed or was refused: bad_password, unknown_user, rate_limited, a permission, ... */
  reason: z.string().nullable(),
});
export type SecurityEventEvidence = z.infer<typeof SecurityEventEvidence>;

export const SecurityEventActivity = z.object({
  id: Id,
  kind: z.enum([
    'raised',
    'repeated',
    'status_changed',
    'assigned',
    'note',
    'response_applied',
    'response_lifted',
    'alert_sent',
  ]),
  actor: z.object({ id: Id.nullable(), name: z.string().nullable() }),
  /** kind-specific: {from,to}, {text}, {responseId, kind}, {channelId, status}, {count}. */
  data: z.record(z.string(), z.unknown()),
  at: Timestamp,
});

export const ListSecurityEventsQuery = z.object({
  status: z
    .array(SecurityEventStatus)
    .or(SecurityEventStatus.transform((s) => [s]))
    .optional(),
  severity: z
    .array(Severity)
    .or(Severity.transform((s) => [s]))
    .optional(),
  type: z
    .array(DetectorType)
    .or(DetectorType.transform((s) => [s]))
    .optional(),
  subjectId: z.string().max(100).optional(),
  sourceIp: z.string().max(45).optional(),
  assigneeId: Id.optional(),
  from: z.string().datetime({ offset: true }).optional(),
  to: z.string().datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** Opaque cursor from `nextCursor`. */
  cursor: z.string().max(200).optional(),
});
export type ListSecurityEventsQuery = z.input<typeof ListSecurityEventsQuery>;

export const SecurityEventList = z.object({
  events: z.array(SecurityEventOut),
  nextCursor: z.string().nullable(),
});
export type SecurityEventList = z.infer<typeof SecurityEventList>;

/** PATCH /api/v1/security/events/:id — triage. `note` adds a note to the timeline. */
export const UpdateSecurityEventBody = z
  .object({
    status: SecurityEventStatus.optional(),
    /** null unassigns. */
    assigneeId: Id.nullable().optional(),
    note: SafeText.pipe(z.string().min(1).max(2000)).optional(),
  })
  .strict()
  .refine((b) => b.status !== undefined || b.assigneeId !== undefined || b.note !== undefined, {
    message: 'give a status, an assignee or a note',
  });
export type UpdateSecurityEventBody = z.infer<typeof UpdateSecurityEventBody>;

// ---------------------------------------------------------------- responses

/**
 * What became of the e-mail a `notify_user` response sends (it goes right after the response is
 * committed). pending: not sent yet (still under way, or the server stopped first); sent: the SMTP
 * server accepted it; queued: e-mail is not configured (`CUSTOS_SMTP_URL` unset), so the message is
 * kept in the outbox for a super admin to pass on; failed: the SMTP server refused it or could not
 * be reached, or there was nobody to send it to (`detail` says why); unknown: placed before Custos
 * recorded what happened to these e-mails.
 */
export const RESPONSE_DELIVERY_STATUSES = ['pending', 'sent', 'queued', 'failed', 'unknown'] as const;
export const ThreatResponseDelivery = z.object({
  status: z.enum(RESPONSE_DELIVERY_STATUSES),
  /** failed: the reason (e.g. the SMTP server's answer); otherwise null. */
  detail: z.string().nullable(),
  /** When the outcome was recorded (null while pending, and for unknown). */
  at: Timestamp.nullable(),
});
export type ThreatResponseDelivery = z.infer<typeof ThreatResponseDelivery>;

export const ThreatResponseOut = z.object({
  id: Id,
  kind: ResponseKind,
  /**
   * lock_account and block_ip: 'untrusted' refuses sign-in only from devices and IPs the account
   * never signed in from (detection's default, so the real user still gets in); 'all' refuses the
   * account everywhere, or (for an IP) every sign-in into this organization's accounts and every
   * request to it from there.
   */
  scope: z.enum(['untrusted', 'all']).nullable(),
  user: z.object({ id: Id, name: z.string() }).nullable(),
  ip: z.string().nullable(),
  securityEventId: Id.nullable(),
  createdAt: Timestamp,
  expiresAt: Timestamp.nullable(),
  liftedAt: Timestamp.nullable(),
  liftedBy: z.object({ id: Id.nullable(), name: z.string().nullable() }).nullable(),
  /** active: in force; expired; lifted; done: a one-shot action (end_sessions, notify_user, require_step_up). */
  state: z.enum(['active', 'expired', 'lifted', 'done']),
  /**
   * notify_user: what became of its e-mail (`done` only says the response ran); null for actions
   * that send none. Absent from servers that predate delivery tracking.
   */
  delivery: ThreatResponseDelivery.nullable().optional(),
});
export type ThreatResponseOut = z.infer<typeof ThreatResponseOut>;

export const ListResponsesQuery = z.object({
  state: z.enum(['active', 'all']).default('active'),
  kind: ResponseKind.optional(),
  userId: Id.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});
export type ListResponsesQuery = z.input<typeof ListResponsesQuery>;

/** POST /api/v1/security/responses — an admin blocks an IP or locks an account by hand. */
export const CreateResponseBody = z
  .object({
    kind: z.enum(['lock_account', 'block_ip']),
    userId: Id.optional(),
    ip: z.string().min(2).max(45).optional(),
    durationMinutes: z.number().int().min(1).max(43_200).nullable().optional(),
    /** Default 'all' by hand: see ThreatResponseOut.scope. */
    scope: z.enum(['untrusted', 'all']).optional(),
  })
  .strict();
export type CreateResponseBody = z.infer<typeof CreateResponseBody>;

export const SecurityEventDetail = SecurityEventOut.extend({
  evidence: z.array(SecurityEventEvidence),
  timeline: z.array(SecurityEventActivity),
  responses: z.array(ThreatResponseOut),
});
export type SecurityEventDetail = z.infer<typeof SecurityEventDetail>;

// ---------------------------------------------------------------- alert channels and deliveries

/** The interval a channel gets when it does not name one. */
export const DEFAULT_CHECKPOINT_INTERVAL_MINUTES = 60;
/** E-mail channels take at most one checkpoint this often: a mail every few seconds is a flood. */
export const EMAIL_MIN_CHECKPOINT_INTERVAL_MINUTES = 15;

/**
 * Whether the channel gets the organization's signed audit checkpoints (`audit.checkpoint`), so a
 * copy of the log's signed state is kept outside Custos; at most one every `minIntervalMinutes`
 * (the newest when the time comes), 0 = every checkpoint.
 */
export const CheckpointRouting = z.object({
  enabled: z.boolean(),
  minIntervalMinutes: z.number().int().min(0).max(10_080),
});
export type CheckpointRouting = z.infer<typeof CheckpointRouting>;

export const AlertRouting = z.object({
  /** Events below this severity are not sent (low ones may still go in the digest). */
  minSeverity: Severity,
  /** null = every type. */
  types: z.array(DetectorType).min(1).nullable(),
  /** Low-severity events go in an hourly digest instead of one message each. */
  digestLow: z.boolean(),
  checkpoints: CheckpointRouting,
});
export type AlertRouting = z.infer<typeof AlertRouting>;

/**
 * Routing as clients send it: without `checkpoints`, a new channel gets none and a changed one
 * keeps what it had (clients from before checkpoints existed do not switch them off).
 */
export const AlertRoutingInput = AlertRouting.extend({ checkpoints: CheckpointRouting.optional() });
export type AlertRoutingInput = z.infer<typeof AlertRoutingInput>;

const ChannelName = SafeText.pipe(z.string().min(1).max(80));
const WebhookUrl = z
  .string()
  .max(2000)
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL');

export const CreateAlertChannelBody = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('webhook'),
      name: ChannelName,
      url: WebhookUrl,
      routing: AlertRoutingInput,
      enabled: z.boolean().default(true),
    })
    .strict(),
  z
    .object({
      kind: z.literal('email'),
      name: ChannelName,
      recipients: z.array(z.string().trim().email().max(254)).min(1).max(20),
      routing: AlertRoutingInput,
      enabled: z.boolean().default(true),
    })
    .strict(),
]);
export type CreateAlertChannelBody = z.input<typeof CreateAlertChannelBody>;

export const UpdateAlertChannelBody = z
  .object({
    name: ChannelName.optional(),
    url: WebhookUrl.optional(),
    recipients: z.array(z.string().trim().email().max(254)).min(1).max(20).optional(),
    routing: AlertRoutingInput.optional(),
    enabled: z.boolean().optional(),
  })
  .strict();
export type UpdateAlertChannelBody = z.infer<typeof UpdateAlertChannelBody>;

export const AlertChannelOut = z.object({
  id: Id,
  kind: z.enum(['webhook', 'email']),
  name: z.string(),
  url: z.string().nullable(),
  recipients: z.array(z.string()).nullable(),
  routing: AlertRouting,
  enabled: z.boolean(),
  /** Webhooks: the first characters of the signing secret, to tell secrets apart. */
  secretHint: z.string().nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  lastDelivery: z
    .object({ status: z.string(), at: Timestamp, responseCode: z.number().int().nullable() })
    .nullable(),
});
export type AlertChannelOut = z.infer<typeof AlertChannelOut>;

/** Creating a webhook channel (or rotating its secret) shows the `whsec_…` secret once. */
export const AlertChannelCreated = AlertChannelOut.extend({ secret: z.string().nullable() });
export type AlertChannelCreated = z.infer<typeof AlertChannelCreated>;

export const DELIVERY_STATUSES = ['pending', 'retrying', 'delivered', 'failed'] as const;
export const DELIVERY_KINDS = ['alert', 'digest', 'test', 'audit.checkpoint'] as const;

export const AlertDeliveryAttempt = z.object({
  attempt: z.number().int(),
  at: Timestamp,
  responseCode: z.number().int().nullable(),
  durationMs: z.number().int(),
  error: z.string().nullable(),
});

export const AlertDeliveryOut = z.object({
  id: Id,
  channelId: Id,
  channelName: z.string(),
  channelKind: z.enum(['webhook', 'email']),
  /** The Standard Webhooks `webhook-id`: the same on every retry and replay of this message. */
  messageId: z.string(),
  kind: z.enum(DELIVERY_KINDS),
  securityEventId: Id.nullable(),
  /** `audit.checkpoint` deliveries: which checkpoint they carry. */
  checkpoint: z.object({ origin: z.string(), treeSize: z.number().int() }).nullable(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  nextAttemptAt: Timestamp.nullable(),
  lastResponseCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  deliveredAt: Timestamp.nullable(),
  createdAt: Timestamp,
});
export type AlertDeliveryOut = z.infer<typeof AlertDeliveryOut>;

export const AlertDeliveryDetail = AlertDeliveryOut.extend({
  /** The JSON body that was (or will be) sent. */
  payload: z.string(),
  history: z.array(AlertDeliveryAttempt),
});
export type AlertDeliveryDetail = z.infer<typeof AlertDeliveryDetail>;

export const ListDeliveriesQuery = z.object({
  channelId: Id.optional(),
  status: z.enum(DELIVERY_STATUSES).optional(),
  kind: z.enum(DELIVERY_KINDS).optional(),
  securityEventId: Id.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
export type ListDeliveriesQuery = z.input<typeof ListDeliveriesQuery>;

export const AlertDeliveryList = z.object({
  deliveries: z.array(AlertDeliveryOut),
  nextCursor: z.string().nullable(),
});
export type AlertDeliveryList = z.infer<typeof AlertDeliveryList>;

/** A message about security events: `alert.test` carries none, a digest several, the others one. */
export const SecurityEventPayload = z.object({
  type: z.enum(['security_event.raised', 'security_event.repeated', 'security_event.digest', 'alert.test']),
  timestamp: Timestamp,
  data: z.object({
    organizationId: Id,
    events: z.array(SecurityEventOut),
    consoleUrl: z.string(),
  }),
});
export type SecurityEventPayload = z.infer<typeof SecurityEventPayload>;

/**
 * A newly signed checkpoint of the organization's audit log. Keep `checkpoint.note` (a C2SP signed
 * note, verbatim): `custos audit verify --checkpoint <file>` later fails unless the log still
 * extends it, so a history rewritten in the database is caught.
 */
export const AuditCheckpointPayload = z.object({
  type: z.literal('audit.checkpoint'),
  timestamp: Timestamp,
  data: z.object({
    organizationId: Id,
    checkpoint: z.object({
      origin: z.string(),
      treeSize: z.number().int(),
      /** Hex SHA-256 Merkle root (the note carries it in base64). */
      rootHash: z.string(),
      note: z.string(),
    }),
    /** Signed-note verifier keys (`<name>+<hex id>+<base64 key>`) the note's signature checks with. */
    verifierKeys: z.array(z.string()),
    /** The command that checks the live log against the kept note. */
    verifyWith: z.string(),
    consoleUrl: z.string(),
  }),
});
export type AuditCheckpointPayload = z.infer<typeof AuditCheckpointPayload>;

/** What a webhook receives (and an e-mail describes), told apart by `type`. */
export const AlertPayload = z.discriminatedUnion('type', [SecurityEventPayload, AuditCheckpointPayload]);
export type AlertPayload = z.infer<typeof AlertPayload>;

// ---------------------------------------------------------------- live stream

/** One SSE message on GET /api/v1/security/stream (event name = `kind`). */
export const SecurityStreamMessage = z.object({
  kind: z.enum(['security_event', 'response']),
  /** raised | repeated | updated (security events); applied | lifted (responses). */
  change: z.string(),
  event: SecurityEventOut.nullable(),
  response: ThreatResponseOut.nullable(),
  at: Timestamp,
});
export type SecurityStreamMessage = z.infer<typeof SecurityStreamMessage>;

// ---------------------------------------------------------------- overview dashboard

export const THREAT_LEVELS = ['low', 'guarded', 'elevated', 'high', 'severe'] as const;

export const ScoreItem = z.object({
  key: z.string(),
  title: z.string(),
  /** What to do to earn the missing points. */
  advice: z.string(),
  points: z.number(),
  maxPoints: z.number(),
  /** Where in the console to fix it. */
  link: z.string().nullable(),
});

export const SecurityOverview = z.object({
  generatedAt: Timestamp,
  threatLevel: z.object({
    level: z.enum(THREAT_LEVELS),
    /** Why: the open events and attack volume behind the level. */
    reason: z.string(),
  }),
  score: z.object({ value: z.number().int().min(0).max(100), items: z.array(ScoreItem) }),
  openEvents: z.object({
    low: z.number().int(),
    medium: z.number().int(),
    high: z.number().int(),
    critical: z.number().int(),
  }),
  /** Hourly buckets over the last 24 h, oldest first, with failures and successes. */
  signIns: z.array(z.object({ at: Timestamp, failed: z.number().int(), succeeded: z.number().int() })),
  /** Successful sign-ins of the last 30 days by country (ISO 3166 alpha-2; null = unknown). */
  countries: z.array(z.object({ country: z.string().nullable(), count: z.number().int() })),
  sessions: z.object({
    active: z.number().int(),
    /** Active sessions idle for more than 7 days. */
    stale: z.number().int(),
    withMfa: z.number().int(),
  }),
  mfa: z.object({ members: z.number().int(), enrolled: z.number().int(), adminsWithout: z.number().int() }),
  activeResponses: z.number().int(),
  recentEvents: z.array(SecurityEventOut),
});
export type SecurityOverview = z.infer<typeof SecurityOverview>;
