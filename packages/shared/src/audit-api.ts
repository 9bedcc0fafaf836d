import { z } from 'zod';

/** Contracts of the audit-trail API: ingestion, search, proofs, export, saved searches, settings. */

export const AUDIT_BATCH_LIMIT = 1000;
/** How far in the future `occurredAt` may be (clock skew between the host app and Custos). */
export const AUDIT_FUTURE_SKEW_MS = 5 * 60_000;
export const AUDIT_METADATA_LIMITS = { keys: 50, keyLength: 64, valueBytes: 2048 } as const;
/** Strings with this prefix are sealed personal data; senders may not forge them. */
export const SEALED_VALUE_PREFIX = 'custos:enc:';
/** What an erased (crypto-shredded) personal field reads as. */
export const ERASED = '[erased]';

export const AUDIT_ACTION_PATTERN = /^[a-z][a-z0-9_]{0,63}(\.[a-z][a-z0-9_]{0,63}){1,3}$/;
const ActionName = z
  .string()
  .max(128)
  .regex(AUDIT_ACTION_PATTERN, 'must be "<domain>.<verb>" in lower snake case, e.g. "rsvp.changed"');

function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
const Text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => s.isWellFormed() && !hasControlCharacter(s), 'must not contain control characters')
    .refine((s) => !s.startsWith(SEALED_VALUE_PREFIX), `must not start with "${SEALED_VALUE_PREFIX}"`);

export const AuditActorType = z.enum(['user', 'api_key', 'service', 'anonymous', 'system']);
export const AuditActorInput = z.strictObject({
  type: AuditActorType,
  id: Text(200).min(1).optional(),
  name: Text(200).optional(),
  email: z.string().max(254).email().optional(),
  ip: z.union([z.ipv4(), z.ipv6()]).optional(),
  userAgent: Text(512).optional(),
});
export const AuditTargetSchema = z.strictObject({
  type: Text(64).min(1),
  id: Text(200).min(1),
  name: Text(200).optional(),
});
export const AuditOutcomeSchema = z.enum(['success', 'failure', 'denied']);
export const AuditSourceSchema = z.enum(['console', 'api', 'sdk', 'system']);

const byteLength = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).length;
const MetadataKey = z
  .string()
  .min(1)
  .max(AUDIT_METADATA_LIMITS.keyLength)
  .regex(/^[A-Za-z0-9_.-]+$/, 'metadata keys are letters, digits, "_", "." and "-"');
const MetadataValue = z
  .json()
  .refine((v) => byteLength(v) <= AUDIT_METADATA_LIMITS.valueBytes, {
    message: `must be at most ${AUDIT_METADATA_LIMITS.valueBytes} bytes as JSON`,
  })
  .refine((v) => typeof v !== 'string' || !v.startsWith(SEALED_VALUE_PREFIX), {
    message: `must not start with "${SEALED_VALUE_PREFIX}"`,
  });
const Metadata = z
  .record(MetadataKey, MetadataValue)
  .refine((m) => Object.keys(m).length <= AUDIT_METADATA_LIMITS.keys, {
    message: `at most ${AUDIT_METADATA_LIMITS.keys} metadata keys`,
  });
const Changes = z
  .record(MetadataKey, z.tuple([MetadataValue, MetadataValue]))
  .refine((m) => Object.keys(m).length <= AUDIT_METADATA_LIMITS.keys, {
    message: `at most ${AUDIT_METADATA_LIMITS.keys} changed fields`,
  });

const OccurredAt = z.iso
  .datetime({ offset: true })
  .refine((s) => Date.parse(s) <= Date.now() + AUDIT_FUTURE_SKEW_MS, {
    message: 'is in the future (more than 5 minutes ahead of the server clock)',
  });

/** One event as a host app sends it. */
export const AuditEventInput = z
  .strictObject({
    // `audit.*` is the trail's own record of itself (retention purges, settings): a verifier trusts
    // it to prove a purged body, so a host app may not write it.
    action: ActionName.refine((a) => !a.startsWith('audit.'), {
      message: 'the "audit." domain is reserved for the audit trail\'s own events',
    }),
    occurredAt: OccurredAt.optional(),
    actor: AuditActorInput,
    impersonator: AuditActorInput.optional(),
    outcome: AuditOutcomeSchema.default('success'),
    targets: z.array(AuditTargetSchema).max(20).default([]),
    source: AuditSourceSchema.default('sdk'),
    requestId: Text(128).optional(),
    changes: Changes.optional(),
    metadata: Metadata.optional(),
    /** Metadata keys (and changed fields, as `changes.<field>`) holding personal data: sealed per subject. */
    personal: z.array(z.string().max(80)).max(AUDIT_METADATA_LIMITS.keys).default([]),
    /** Whose personal data the flagged fields are (defaults to the actor). */
    subject: Text(200).min(1).optional(),
  })
  .superRefine((event, ctx) => {
    event.personal.forEach((field, i) => {
      const [scope, key] = field.startsWith('changes.') ? ['changes', field.slice(8)] : ['metadata', field];
      const holder = scope === 'changes' ? event.changes : event.metadata;
      if (!holder || !(key in holder)) {
        ctx.addIssue({ code: 'custom', path: ['personal', i], message: `names no ${scope} field "${key}"` });
      }
    });
  });
export type AuditEventInput = z.input<typeof AuditEventInput>;
export type AuditEventInputParsed = z.output<typeof AuditEventInput>;

export const AuditBatchInput = z.strictObject({
  events: z.array(AuditEventInput).min(1).max(AUDIT_BATCH_LIMIT),
});

export const AuditReceipt = z.object({ id: z.string(), seq: z.number().int(), leafHash: z.string() });
export const AuditReceiptResult = z.object({ receipt: AuditReceipt });
export const AuditBatchResult = z.object({ receipts: z.array(AuditReceipt) });
export type AuditReceipt = z.infer<typeof AuditReceipt>;

export const AuditActorOut = z.object({
  type: z.string(),
  id: z.string().nullable(),
  name: z.string().nullable(),
  email: z.string().nullable().optional(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  /**
   * For display only, not part of the record: the current name of a user actor that is a member of
   * the organization, when the event recorded no name.
   */
  displayName: z.string().optional(),
});
export const AuditEventOut = z.object({
  id: z.string(),
  organizationId: z.string().nullable(),
  seq: z.number().int(),
  occurredAt: z.string(),
  receivedAt: z.string(),
  actor: AuditActorOut,
  impersonator: AuditActorOut.nullable(),
  action: z.string(),
  outcome: z.string(),
  targets: z.array(
    z.object({
      type: z.string(),
      id: z.string(),
      name: z.string().optional(),
      /**
       * For display only, not part of the record: the current name of a user target that is a member
       * of the organization, when the event did not record a name; for a session target, whose
       * session it was ("session of Ada Lovelace (Firefox on macOS)") as far as the event tells.
       */
      displayName: z.string().optional(),
    }),
  ),
  source: z.string(),
  requestId: z.string().nullable(),
  changes: z.record(z.string(), z.tuple([z.unknown(), z.unknown()])).nullable(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  leafHash: z.string(),
  /** Paths of personal fields that were erased (their key destroyed). */
  erased: z.array(z.string()),
  /** True when the body is gone (purged by retention, or removed): only seq and leaf hash remain. */
  purged: z.boolean(),
  /**
   * Whether the stored body hashes to the event's leaf: `intact`; `purged` when there is no body
   * (what is shown then comes from search columns nobody can verify); `modified` when the body was
   * changed in the database (shown as stored, not to be trusted).
   */
  integrity: z.enum(['intact', 'purged', 'modified']),
});
export type AuditEventOut = z.infer<typeof AuditEventOut>;

/** Relative time ranges, resolved when the query runs (so a saved "last 7 days" stays relative). */
export const AUDIT_SINCE_MS = {
  '15m': 15 * 60_000,
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
  '90d': 90 * 86_400_000,
} as const;
export type AuditSince = keyof typeof AUDIT_SINCE_MS;

/** How many audit event ids one `ids` filter may name. */
export const AUDIT_IDS_LIMIT = 200;
const AUDIT_EVENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The ids of an `ids` filter ("id,id,…"), each once, in the order given. */
export function auditIdsOf(text: string): string[] {
  return [...new Set(text.split(',').map((id) => id.trim().toLowerCase()))].filter((id) => id !== '');
}

/**
 * Exactly these events: audit event ids, comma-separated (a list in a query string). Kept as text
 * so a saved search or an export carries it as written.
 */
const AuditIdsFilter = z
  .string()
  .max(AUDIT_IDS_LIMIT * 40)
  .superRefine((text, ctx) => {
    const parts = text.split(',').map((id) => id.trim());
    const bad = parts.find((id) => !AUDIT_EVENT_ID.test(id));
    if (bad !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: bad ? `"${bad.slice(0, 40)}" is not an audit event id` : 'must not hold an empty id',
      });
    } else if (new Set(parts.map((id) => id.toLowerCase())).size > AUDIT_IDS_LIMIT) {
      ctx.addIssue({ code: 'custom', message: `at most ${AUDIT_IDS_LIMIT} ids` });
    }
  })
  .describe(`Exactly these events: up to ${AUDIT_IDS_LIMIT} audit event ids, comma-separated`);

/**
 * The trail's records of someone reading it, which `hideOwnReads` leaves out when the reader is the
 * caller. Exports stay: they are rare, and taking data out is what an investigator looks for.
 */
export const AUDIT_OWN_READ_ACTIONS = ['audit.searched', 'audit.event_viewed', 'audit.tail_opened'] as const;

/** Search filters; also the saved-search and export query. */
export const AuditSearchQuery = z.strictObject({
  since: z.enum(Object.keys(AUDIT_SINCE_MS) as [AuditSince, ...AuditSince[]]).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  actor: z.string().min(1).max(200).optional(),
  action: z
    .string()
    .max(130)
    .regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*(\.\*)?$/, 'an action name, or a prefix ending in ".*"')
    .optional(),
  targetType: z.string().min(1).max(64).optional(),
  targetId: z.string().min(1).max(200).optional(),
  outcome: AuditOutcomeSchema.optional(),
  ip: z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()]).optional(),
  source: AuditSourceSchema.optional(),
  q: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .describe(
      "Full text: words match names, actions, ids and metadata; an IP address or CIDR block also matches the actor's IP, an e-mail also a member of the organization as actor or target",
    )
    .optional(),
  ids: AuditIdsFilter.optional(),
  /** Leave out the caller's own reads of the trail (searches, event views, tails), which otherwise fill page 1. */
  hideOwnReads: z
    .enum(['true', 'false'])
    .describe(
      `"true" leaves out the caller's own reads of the audit trail (${AUDIT_OWN_READ_ACTIONS.join(', ')})`,
    )
    .optional(),
});
export type AuditSearchQuery = z.infer<typeof AuditSearchQuery>;
export const AuditSearchParams = AuditSearchQuery.extend({
  /** Keyset cursor: events with seq below this. */
  before: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export const AuditSearchResult = z.object({
  events: z.array(AuditEventOut),
  /** Pass as `before` for the next page; null at the end. */
  nextCursor: z.number().int().nullable(),
});

/** The people picker of the actor filter: suggestions for what was typed. */
export const AuditActorsQuery = z.strictObject({
  q: z.string().trim().min(1).max(100).describe('The start of a name, e-mail or actor id'),
  limit: z.coerce.number().int().min(1).max(20).default(10),
});
export const AuditActorSuggestion = z.object({
  /** The actor type and id to filter by (`actor` takes the id). */
  type: z.string(),
  id: z.string(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  /** A member of the organization, one of its API keys, or an actor seen in its audit log. */
  kind: z.enum(['member', 'api_key', 'actor']),
});
export type AuditActorSuggestion = z.infer<typeof AuditActorSuggestion>;
export const AuditActorsResult = z.object({ actors: z.array(AuditActorSuggestion) });
export type AuditActorsResult = z.infer<typeof AuditActorsResult>;

export const AuditCheckpointOut = z.object({
  origin: z.string(),
  treeSize: z.number().int(),
  rootHash: z.string(),
  /** The C2SP signed note, verbatim. */
  note: z.string(),
  createdAt: z.string(),
});
export const AuditCheckpointList = z.object({ checkpoints: z.array(AuditCheckpointOut) });
export const InclusionProofQuery = z.strictObject({
  treeSize: z.coerce.number().int().min(1).optional(),
});
export const InclusionProofOut = z.object({
  seq: z.number().int(),
  leafIndex: z.number().int(),
  treeSize: z.number().int(),
  leafHash: z.string(),
  /** Hex sibling hashes, leaf to root (RFC 9162 order). */
  proof: z.array(z.string()),
  rootHash: z.string(),
  checkpoint: AuditCheckpointOut.nullable(),
  /** Whether the server re-derived the body's leaf hash and the proof reaches the signed root. */
  verified: z.boolean(),
});
export const ConsistencyProofQuery = z.strictObject({
  from: z.coerce.number().int().min(1),
  to: z.coerce.number().int().min(1),
});
export const ConsistencyProofOut = z.object({
  from: z.number().int(),
  to: z.number().int(),
  proof: z.array(z.string()),
  fromRoot: z.string(),
  toRoot: z.string(),
});
export const AUDIT_INTEGRITY_ALARM_KINDS = [
  'rewritten',
  'rolled_back',
  'inserted_row',
  'signer_state_unreadable',
] as const;

/** The server's own check of the organization's log against what its signer signed before. */
export const AuditIntegrityOut = z.object({
  status: z.enum(['ok', 'alarm']),
  alarms: z.array(
    z.object({
      kind: z.enum(AUDIT_INTEGRITY_ALARM_KINDS),
      message: z.string(),
      signedSize: z.number().int().nullable(),
      headSize: z.number().int().nullable(),
      seq: z.number().int().nullable(),
      detectedAt: z.string(),
    }),
  ),
  /** Witnesses every new checkpoint is sent to (their verifier keys, for `custos audit verify --witness`). */
  witnesses: z.array(z.object({ name: z.string(), verifierKey: z.string() })),
});
export type AuditIntegrityOut = z.infer<typeof AuditIntegrityOut>;

export const AuditKeysOut = z.object({
  keys: z.array(
    z.object({
      name: z.string(),
      keyId: z.string(),
      algorithm: z.literal('ed25519'),
      verifierKey: z.string(),
    }),
  ),
});

export const AuditExportQuery = AuditSearchQuery.extend({
  format: z.enum(['jsonl', 'csv']).default('jsonl'),
});

export const SavedSearchBody = z.strictObject({
  name: z.string().trim().min(1).max(100),
  query: AuditSearchQuery,
});
export const SavedSearchOut = z.object({
  id: z.string(),
  name: z.string(),
  query: AuditSearchQuery,
  createdAt: z.string(),
});
export const SavedSearchList = z.object({ savedSearches: z.array(SavedSearchOut) });

export const AuditSettingsOut = z.object({
  retentionDays: z.number().int().nullable(),
  legalHold: z.boolean(),
  updatedAt: z.string().nullable(),
});
export const AuditSettingsBody = z.strictObject({
  retentionDays: z.number().int().min(1).max(36_500).nullable(),
  legalHold: z.boolean(),
});
export const EraseSubjectBody = z.strictObject({
  /** A user id, an e-mail address, or the subject id a host app sent. */
  subject: z.string().trim().min(1).max(254),
});
export const EraseSubjectResult = z.object({
  keysDestroyed: z.number().int(),
  eventsAffected: z.number().int(),
});
