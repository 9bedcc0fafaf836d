import { z } from 'zod';
import { Email, Id, SafeText, Timestamp } from './api';
import {
  ERASURE_STRATEGIES,
  LAWFUL_BASES,
  REGIMES,
  REQUEST_TYPES,
  RETENTION_ACTIONS,
  RETENTION_TRIGGERS,
} from './privacy';

/**
 * Contracts of the privacy module: the data map (systems, their categories and purposes, the
 * organization's own categories), data subject requests with their statutory clocks, the
 * organization's privacy settings, and the super admin's view across organizations.
 */

// ---------------------------------------------------------------- vocabulary

export const RequestTypeSchema = z.enum(REQUEST_TYPES);
export const RegimeSchema = z.enum(REGIMES);
export const LawfulBasisSchema = z.enum(LAWFUL_BASES);
export const ErasureStrategySchema = z.enum(ERASURE_STRATEGIES);
export const RetentionTriggerSchema = z.enum(RETENTION_TRIGGERS);
export const RetentionActionSchema = z.enum(RETENTION_ACTIONS);

export const PRIVACY_REQUEST_STATES = [
  'received',
  'verifying',
  'awaiting_approval',
  'in_progress',
  'completed',
  'denied',
  'canceled',
] as const;
export const PrivacyRequestState = z.enum(PRIVACY_REQUEST_STATES);
export type PrivacyRequestState = z.infer<typeof PrivacyRequestState>;
/** States a request is still being worked in (its clock runs, it can be a duplicate's original). */
export const OPEN_REQUEST_STATES = ['received', 'verifying', 'awaiting_approval', 'in_progress'] as const;

export const PRIVACY_REQUEST_SOURCES = ['console', 'api', 'public'] as const;
export const PrivacyRequestSource = z.enum(PRIVACY_REQUEST_SOURCES);

export const PRIVACY_TASK_STATES = ['queued', 'delivered', 'claimed', 'done', 'failed', 'skipped'] as const;
export const PrivacyTaskState = z.enum(PRIVACY_TASK_STATES);

const Name = SafeText.pipe(z.string().min(1).max(200));
const LongText = SafeText.pipe(z.string().max(2000));
/** ISO 3166-1 alpha-2, upper case. */
const Country = z
  .string()
  .regex(/^[A-Za-z]{2}$/, 'must be a two-letter country code')
  .transform((c) => c.toUpperCase());
/** A data category: a taxonomy key (`contact.email`) or one of the organization's (`custom.<slug>`). */
const CategoryKey = z
  .string()
  .regex(
    /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/,
    'must be a category key such as contact.email or custom.loyalty_tier',
  )
  .max(100);
const SubjectTypes = z.array(SafeText.pipe(z.string().min(1).max(100))).max(50);

// ---------------------------------------------------------------- data map

export const Purpose = z.object({
  purpose: SafeText.pipe(z.string().min(1).max(300)),
  lawfulBasis: LawfulBasisSchema,
});
export type Purpose = z.infer<typeof Purpose>;

export const CategoryRetention = z.object({
  periodDays: z.number().int().min(1).max(36_500),
  trigger: RetentionTriggerSchema,
  action: RetentionActionSchema,
});

/** One category a system holds: why (purposes and their lawful basis), how long, how it is erased. */
export const SystemCategoryIn = z.object({
  categoryKey: CategoryKey,
  purposes: z.array(Purpose).max(20).default([]),
  retention: CategoryRetention.nullable().default(null),
  erasureStrategy: ErasureStrategySchema.default('delete'),
});
export type SystemCategoryIn = z.input<typeof SystemCategoryIn>;
export const SystemCategoryOut = z.object({
  categoryKey: z.string(),
  name: z.string(),
  special: z.boolean(),
  phi: z.boolean(),
  purposes: z.array(Purpose),
  retention: CategoryRetention.nullable(),
  erasureStrategy: ErasureStrategySchema,
});
export type SystemCategoryOut = z.infer<typeof SystemCategoryOut>;
export const PutSystemCategoriesBody = z.object({ categories: z.array(SystemCategoryIn).max(200) });

/**
 * How Custos reaches a host system's data: a signed webhook (Standard Webhooks) and/or a task
 * queue the host polls with its API key. The built-in Custos system needs neither.
 */
export const ConnectorIn = z.object({
  webhookUrl: z
    .string()
    .url()
    .max(2000)
    .refine((u) => /^https?:\/\//i.test(u), 'must be an http or https URL')
    .nullable()
    .default(null),
  polling: z.boolean().default(false),
});
export const ConnectorOut = z.object({
  webhookUrl: z.string().nullable(),
  /** The last characters of the webhook signing secret (the secret is shown once, when made). */
  secretHint: z.string().nullable(),
  polling: z.boolean(),
});

export const CreatePrivacySystemBody = z.object({
  name: Name,
  owner: SafeText.pipe(z.string().max(200)).nullable().default(null),
  description: LongText.nullable().default(null),
  connector: ConnectorIn.default({ webhookUrl: null, polling: false }),
  enabled: z.boolean().default(true),
  subjectTypes: SubjectTypes.default([]),
  storageCountry: Country.nullable().default(null),
  recipients: z.array(Name).max(100).default([]),
  categories: z.array(SystemCategoryIn).max(200).default([]),
});
export type CreatePrivacySystemBody = z.input<typeof CreatePrivacySystemBody>;
export const UpdatePrivacySystemBody = z
  .object({
    name: Name,
    owner: SafeText.pipe(z.string().max(200)).nullable(),
    description: LongText.nullable(),
    connector: ConnectorIn,
    enabled: z.boolean(),
    subjectTypes: SubjectTypes,
    storageCountry: Country.nullable(),
    recipients: z.array(Name).max(100),
  })
  .partial();
export type UpdatePrivacySystemBody = z.input<typeof UpdatePrivacySystemBody>;

export const PrivacySystemOut = z.object({
  id: Id,
  kind: z.enum(['custos', 'host']),
  name: z.string(),
  owner: z.string().nullable(),
  description: z.string().nullable(),
  connector: ConnectorOut,
  enabled: z.boolean(),
  subjectTypes: z.array(z.string()),
  storageCountry: z.string().nullable(),
  recipients: z.array(z.string()),
  categories: z.array(SystemCategoryOut),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type PrivacySystemOut = z.infer<typeof PrivacySystemOut>;
/** A new system, with its webhook signing secret when it has a webhook (shown this once). */
export const PrivacySystemCreated = PrivacySystemOut.extend({ webhookSecret: z.string().nullable() });
export const PrivacySystemList = z.object({ systems: z.array(PrivacySystemOut) });

export const CreateCustomCategoryBody = z.object({
  /** The part after `custom.`: lower-case letters, digits and underscores. */
  slug: z.string().regex(/^[a-z][a-z0-9_]{1,49}$/, 'must be lower-case letters, digits or underscores'),
  name: Name,
  description: LongText.default(''),
  special: z.boolean().default(false),
  phi: z.boolean().default(false),
});
export const UpdateCustomCategoryBody = z
  .object({ name: Name, description: LongText, special: z.boolean(), phi: z.boolean() })
  .partial();
export const CustomCategoryOut = z.object({
  id: Id,
  key: z.string(),
  name: z.string(),
  description: z.string(),
  special: z.boolean(),
  phi: z.boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type CustomCategoryOut = z.infer<typeof CustomCategoryOut>;
export const CategoryList = z.object({
  builtIn: z.array(
    z.object({
      key: z.string(),
      name: z.string(),
      description: z.string(),
      group: z.string(),
      special: z.boolean(),
      phi: z.boolean(),
    }),
  ),
  custom: z.array(CustomCategoryOut),
});

/**
 * The whole data map in the shape of a record of processing activities (GDPR Art. 30(1)): per
 * system its categories with purposes and lawful basis, subjects, recipients, storage country
 * (transfers) and retention.
 */
export const DataMapOut = z.object({
  organizationId: Id,
  generatedAt: Timestamp,
  systems: z.array(PrivacySystemOut),
  customCategories: z.array(CustomCategoryOut),
  /** Every processing activity flattened: one row per system, category and purpose. */
  activities: z.array(
    z.object({
      systemId: Id,
      systemName: z.string(),
      categoryKey: z.string(),
      categoryName: z.string(),
      special: z.boolean(),
      purpose: z.string().nullable(),
      lawfulBasis: LawfulBasisSchema.nullable(),
      subjectTypes: z.array(z.string()),
      recipients: z.array(z.string()),
      storageCountry: z.string().nullable(),
      retention: CategoryRetention.nullable(),
    }),
  ),
});
export type DataMapOut = z.infer<typeof DataMapOut>;

// ---------------------------------------------------------------- settings

export const PrivacySettingsOut = z.object({
  clockWaitsForVerification: z.record(RegimeSchema, z.boolean()),
  reminderDaysBefore: z.array(z.number().int()),
  /** Whether the public request page (/privacy/<slug>/request) takes requests; on by default. */
  publicIntake: z.boolean(),
  /** Per regime: the statutory default and its source, so the console can explain the choice. */
  regimes: z.array(
    z.object({
      regime: RegimeSchema,
      name: z.string(),
      source: z.string(),
      defaultClockWaitsForVerification: z.boolean(),
      clockWaitsForVerificationSource: z.string(),
    }),
  ),
  updatedAt: Timestamp.nullable(),
});
export type PrivacySettingsOut = z.infer<typeof PrivacySettingsOut>;
export const UpdatePrivacySettingsBody = z.object({
  clockWaitsForVerification: z.object({ gdpr: z.boolean(), ccpa: z.boolean() }).partial().optional(),
  reminderDaysBefore: z.array(z.number().int().min(1).max(60)).max(5).optional(),
  publicIntake: z.boolean().optional(),
});
export type UpdatePrivacySettingsBody = z.infer<typeof UpdatePrivacySettingsBody>;

// ---------------------------------------------------------------- requests

export const CreatePrivacyRequestBody = z
  .object({
    type: RequestTypeSchema,
    regime: RegimeSchema,
    /** The host app's id of the subject (its user id), when it knows them. */
    subjectRef: SafeText.pipe(z.string().min(1).max(200)).optional(),
    /** Where the subject hears from the organization: kept sealed under the subject's key. */
    email: Email.optional(),
    subjectName: SafeText.pipe(z.string().min(1).max(200)).optional(),
    /** What the subject asked, in their words (sealed). */
    details: SafeText.pipe(z.string().max(5000)).optional(),
    /** When the request reached the organization (e.g. by letter last week); defaults to now. */
    receivedAt: z.string().datetime({ offset: true }).optional(),
    /** API only: the host app verified the subject's identity itself (they were signed in). */
    verified: z.boolean().default(false),
  })
  .refine((b) => b.subjectRef !== undefined || b.email !== undefined, {
    message: 'give subjectRef, email or both',
    path: ['subjectRef'],
  });
export type CreatePrivacyRequestBody = z.input<typeof CreatePrivacyRequestBody>;

export const PrivacyClockOut = z.object({
  /** YYYY-MM-DD in the organization's time zone. */
  startDate: z.string(),
  acknowledgeBy: z.string().nullable(),
  dueDate: z.string(),
  /** The end of the due date in the organization's zone. */
  dueAt: Timestamp,
  extensionNoticeBy: z.string(),
  timeZone: z.string(),
  /** The clock waits for identity verification and the subject is not verified yet. */
  waitingForVerification: z.boolean(),
  overdue: z.boolean(),
});

export const PrivacyRequestOut = z.object({
  id: Id,
  type: RequestTypeSchema,
  regime: RegimeSchema,
  state: PrivacyRequestState,
  source: PrivacyRequestSource,
  subjectRef: z.string().nullable(),
  /** Opened from its seal; null when none was given or the subject's key was destroyed. */
  email: z.string().nullable(),
  subjectName: z.string().nullable(),
  receivedAt: Timestamp,
  verifiedAt: Timestamp.nullable(),
  approvedAt: Timestamp.nullable(),
  closedAt: Timestamp.nullable(),
  clock: PrivacyClockOut,
  extensions: z.number().int(),
  extensionReason: z.string().nullable(),
  duplicateOf: Id.nullable(),
  denialReason: z.string().nullable(),
  denialGround: z.string().nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type PrivacyRequestOut = z.infer<typeof PrivacyRequestOut>;

export const PrivacyTimelineEntry = z.object({
  id: Id,
  kind: z.string(),
  actor: z.object({ type: z.string(), id: z.string().nullable(), name: z.string().nullable() }),
  data: z.record(z.string(), z.unknown()),
  at: Timestamp,
});

// ---------------------------------------------------------------- tasks (connectors)

/** What a task asks of one system: a request type, or an Art. 19 notice to one recipient. */
export const PRIVACY_TASK_KINDS = [...REQUEST_TYPES, 'recipient_notice', 'retention'] as const;
export const PrivacyTaskKind = z.enum(PRIVACY_TASK_KINDS);
export type PrivacyTaskKind = z.infer<typeof PrivacyTaskKind>;
export const PRIVACY_TASK_DELIVERIES = ['webhook', 'polling', 'builtin'] as const;

/** One per-system task of a request, as the console shows it. */
export const PrivacyTaskOut = z.object({
  id: Id,
  systemId: Id,
  systemName: z.string(),
  kind: PrivacyTaskKind,
  state: PrivacyTaskState,
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  delivery: z.enum(PRIVACY_TASK_DELIVERIES),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  finishedAt: Timestamp.nullable(),
  /** The uploaded result of an access or portability task (its content stays sealed). */
  result: z.object({ sizeBytes: z.number().int(), sha256: z.string(), contentType: z.string() }).nullable(),
});
export type PrivacyTaskOut = z.infer<typeof PrivacyTaskOut>;

/**
 * A task as the host system receives it (webhook body or claim answer): what to do, for whom,
 * and per category how (erasure strategies), what the subject asked, or which recipient to tell.
 */
export const PrivacyHostTask = z.object({
  id: Id,
  kind: PrivacyTaskKind,
  requestId: Id.nullable(),
  systemId: Id,
  regime: RegimeSchema.nullable(),
  /** The subject as the host knows them; email is null once the subject's key is destroyed. */
  subject: z.object({ subjectRef: z.string().nullable(), email: z.string().nullable() }),
  payload: z.record(z.string(), z.unknown()),
  attempts: z.number().int(),
  /** Claimed tasks: until when this poller holds it (heartbeat to extend). */
  leaseUntil: Timestamp.nullable(),
  createdAt: Timestamp,
});
export type PrivacyHostTask = z.infer<typeof PrivacyHostTask>;

export const ClaimPrivacyTasksBody = z.object({
  systemId: Id,
  limit: z.number().int().min(1).max(100).default(10),
  leaseSeconds: z.number().int().min(10).max(3600).default(300),
});
export type ClaimPrivacyTasksBody = z.input<typeof ClaimPrivacyTasksBody>;
export const ClaimedPrivacyTasks = z.object({ tasks: z.array(PrivacyHostTask) });
export const HeartbeatPrivacyTaskBody = z.object({
  leaseSeconds: z.number().int().min(10).max(3600).default(300),
});
/**
 * Completes a task; access and portability tasks may carry the subject's data as `result`
 * (a JSON object or array, bounded in size).
 */
export const CompletePrivacyTaskBody = z.object({
  result: z.unknown().optional(),
  note: SafeText.pipe(z.string().max(2000)).optional(),
});
export type CompletePrivacyTaskBody = z.input<typeof CompletePrivacyTaskBody>;
export const FailPrivacyTaskBody = z.object({ reason: SafeText.pipe(z.string().min(1).max(2000)) });
export const PrivacyTaskHostOut = z.object({
  id: Id,
  state: PrivacyTaskState,
  leaseUntil: Timestamp.nullable(),
  attempts: z.number().int(),
});
export type PrivacyTaskHostOut = z.infer<typeof PrivacyTaskHostOut>;

export const PrivacyRequestDetail = PrivacyRequestOut.extend({
  details: z.string().nullable(),
  timeline: z.array(PrivacyTimelineEntry),
  tasks: z.array(PrivacyTaskOut),
});
export type PrivacyRequestDetail = z.infer<typeof PrivacyRequestDetail>;
export const PrivacyRequestCreated = PrivacyRequestOut.extend({
  /** Set when an open request of the same subject and type exists: this one is linked to it. */
  duplicate: z.object({ of: Id, message: z.string() }).nullable(),
});

const StateList = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(',') : v),
  z.array(PrivacyRequestState).max(7),
);
export const ListPrivacyRequestsQuery = z.object({
  state: StateList.optional(),
  type: RequestTypeSchema.optional(),
  overdue: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  /** YYYY-MM-DD: due on or before this date. */
  dueBefore: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type ListPrivacyRequestsQuery = z.input<typeof ListPrivacyRequestsQuery>;
export const PrivacyRequestList = z.object({ requests: z.array(PrivacyRequestOut) });

export const ExtendPrivacyRequestBody = z.object({ reason: SafeText.pipe(z.string().min(10).max(2000)) });
export const DenyPrivacyRequestBody = z.object({
  reason: SafeText.pipe(z.string().min(10).max(2000)),
  /** The legal ground, e.g. "GDPR Art. 12(5)(b): manifestly unfounded". */
  legalGround: SafeText.pipe(z.string().min(3).max(300)),
});
export const VerifyPrivacyRequestBody = z.object({
  /** How identity was verified (kept on the timeline). */
  method: SafeText.pipe(z.string().min(1).max(300)).default('verified by an administrator'),
});
export const NotePrivacyRequestBody = z.object({ note: SafeText.pipe(z.string().max(2000)).optional() });

// ---------------------------------------------------------------- super admin

const StateCounts = z.record(PrivacyRequestState, z.number().int());
export const AdminPrivacyOverview = z.object({
  totals: z.object({
    byState: StateCounts,
    overdue: z.number().int(),
    /** Receipt to completion, over requests completed in the last 365 days; null when none. */
    medianCompletionHours: z.number().nullable(),
  }),
  organizations: z.array(
    z.object({
      organizationId: Id,
      name: z.string(),
      byState: StateCounts,
      overdue: z.number().int(),
      medianCompletionHours: z.number().nullable(),
    }),
  ),
  overdue: z.array(
    z.object({
      id: Id,
      organizationId: Id,
      type: RequestTypeSchema,
      regime: RegimeSchema,
      state: PrivacyRequestState,
      dueAt: Timestamp,
    }),
  ),
});
export type AdminPrivacyOverview = z.infer<typeof AdminPrivacyOverview>;

export type CategoryList = z.infer<typeof CategoryList>;
export type CreateCustomCategoryBody = z.input<typeof CreateCustomCategoryBody>;
export type UpdateCustomCategoryBody = z.input<typeof UpdateCustomCategoryBody>;
export type PutSystemCategoriesBody = z.input<typeof PutSystemCategoriesBody>;
export type PrivacySystemCreated = z.infer<typeof PrivacySystemCreated>;
export type PrivacySystemList = z.infer<typeof PrivacySystemList>;
export type PrivacyRequestCreated = z.infer<typeof PrivacyRequestCreated>;
export type PrivacyRequestList = z.infer<typeof PrivacyRequestList>;
export type DenyPrivacyRequestBody = z.input<typeof DenyPrivacyRequestBody>;
export type ExtendPrivacyRequestBody = z.input<typeof ExtendPrivacyRequestBody>;
