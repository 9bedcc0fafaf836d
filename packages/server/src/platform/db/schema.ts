import type { Generated } from 'kysely';
/**
 * One DB type for both dialects. Ids are UUIDv7 text, timestamps RFC 3339 UTC text with
 * milliseconds (sortable as text), JSON columns are text on SQLite and jsonb on PostgreSQL
 * (read them with `parseJson`), flags are integers 0/1.
 */
export interface DB {
  organizations: OrganizationsTable;
  users: UsersTable;
  memberships: MembershipsTable;
  sessions: SessionsTable;
  invitations: InvitationsTable;
  apiKeys: ApiKeysTable;
  auditEvents: AuditEventsTable;
  auditLogHeads: AuditLogHeadsTable;
  auditEventTargets: AuditEventTargetsTable;
  auditTreeNodes: AuditTreeNodesTable;
  auditCheckpoints: AuditCheckpointsTable;
  auditWitnessHeads: AuditWitnessHeadsTable;
  auditQuarantinedRows: AuditQuarantinedRowsTable;
  auditIdempotencyKeys: AuditIdempotencyKeysTable;
  auditSavedSearches: AuditSavedSearchesTable;
  auditSettings: AuditSettingsTable;
  cryptoKeys: CryptoKeysTable;
  outbox: OutboxTable;
  setupTokens: SetupTokensTable;
  mfaFactors: MfaFactorsTable;
  recoveryCodes: RecoveryCodesTable;
  authChallenges: AuthChallengesTable;
  securityPolicies: SecurityPoliciesTable;
  userSignInOrigins: UserSignInOriginsTable;
  passwordResetTokens: PasswordResetTokensTable;
  roles: RolesTable;
  appPermissions: AppPermissionsTable;
  accessRules: AccessRulesTable;
  threatSettings: ThreatSettingsTable;
  securityEvents: SecurityEventsTable;
  securityEventEvidence: SecurityEventEvidenceTable;
  securityEventSources: SecurityEventSourcesTable;
  securityEventActivity: SecurityEventActivityTable;
  threatResponses: ThreatResponsesTable;
  trustedDevices: TrustedDevicesTable;
  alertChannels: AlertChannelsTable;
  alertDeliveries: AlertDeliveriesTable;
  alertDeliveryAttempts: AlertDeliveryAttemptsTable;
  alertDigestItems: AlertDigestItemsTable;
}

type Json = string | object;

export interface OrganizationsTable {
  id: string;
  name: string;
  slug: string;
  /** Bumped with every change to roles, app permissions, access rules or the time zone. */
  accessVersion: Generated<number>;
  /** IANA zone that access-rule time windows are read in. */
  timeZone: Generated<string>;
  createdAt: string;
  updatedAt: string;
}

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  passwordHash: string;
  isSuperAdmin: number;
  disabledAt: string | null;
  emailVerifiedAt: string | null;
  passwordChangedAt: string;
  /** Set while the user has at least one confirmed factor (kept with the factors, read by the session check). */
  mfaEnabledAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface MembershipsTable {
  id: string;
  organizationId: string;
  userId: string;
  roles: Json;
  createdAt: string;
  updatedAt: string;
}

export interface SessionsTable {
  id: string;
  tokenHash: string;
  userId: string;
  organizationId: string | null;
  createdAt: string;
  expiresAt: string;
  lastSeenAt: string;
  ip: string | null;
  userAgent: string | null;
  revokedAt: string | null;
  /** Last password or factor verification: sensitive actions need it within the step-up window. */
  stepUpAt: string | null;
  authMethod: string | null;
  deviceFingerprint: string | null;
  deviceLabel: string | null;
  country: string | null;
  newDevice: number | null;
  newCountry: number | null;
  revokedReason: string | null;
  impersonatorId: string | null;
  /** JSON {sessionId, reason, name, email} of the impersonating super admin. */
  impersonation: string | null;
  /** Set by a threat response: every request but step-up and sign-out waits for a verification. */
  stepUpDemandedAt: string | null;
}

export interface InvitationsTable {
  id: string;
  organizationId: string;
  email: string;
  roles: Json;
  tokenHash: string;
  invitedBy: string | null;
  emailed: number;
  createdAt: string;
  expiresAt: string;
  acceptedAt: string | null;
  revokedAt: string | null;
}

export interface ApiKeysTable {
  id: string;
  organizationId: string;
  name: string;
  prefix: string;
  keyHash: string;
  permissions: Json;
  createdBy: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

export interface AuditEventsTable {
  /** The organization's id, or 'platform' for events outside any organization. */
  logId: string;
  seq: number;
  id: string;
  organizationId: string | null;
  occurredAt: string;
  receivedAt: string;
  actorType: string;
  actorId: string | null;
  action: string;
  outcome: string;
  source: string;
  requestId: string | null;
  /** Search projections (plaintext), wiped with the subject's key or the body. */
  actorIpKey: string | null;
  dataSubject: string | null;
  searchText: string | null;
  /** Exactly the canonical JSON that was hashed; null once purged by retention. */
  body: string | null;
  leafHash: string;
}

export interface AuditEventTargetsTable {
  logId: string;
  targetType: string;
  targetId: string;
  seq: number;
}

export interface AuditTreeNodesTable {
  logId: string;
  level: number;
  idx: number;
  hash: string;
}

export interface AuditLogHeadsTable {
  logId: string;
  size: number;
  /** JSON array of hex hashes of the right-edge complete subtrees, largest first. */
  frontier: string;
  checkpointedSize: Generated<number>;
  /** The log's name in its checkpoints, fixed at its first checkpoint; null until then. */
  origin: string | null;
}

export interface AuditCheckpointsTable {
  logId: string;
  treeSize: number;
  rootHash: string;
  note: string;
  createdAt: string;
  /** JSON array of witness co-signature lines received for this checkpoint; null when none. */
  cosignatures: string | null;
}

export interface AuditWitnessHeadsTable {
  /** The witness' verifier key name. */
  witness: string;
  logId: string;
  /** The tree size the witness last co-signed. */
  size: number;
  updatedAt: string;
}

export interface AuditQuarantinedRowsTable {
  id: string;
  logId: string;
  kind: 'event' | 'node';
  /** The event's seq, or for a node the first seq it covers. */
  seq: number;
  /** The row as found, JSON. */
  data: string;
  quarantinedAt: string;
}

export interface AuditIdempotencyKeysTable {
  organizationId: string;
  key: string;
  requestHash: string;
  response: string;
  expiresAt: string;
}

export interface AuditSavedSearchesTable {
  id: string;
  organizationId: string;
  userId: string;
  name: string;
  query: string;
  createdAt: string;
}

export interface AuditSettingsTable {
  organizationId: string;
  retentionDays: number | null;
  legalHold: number;
  updatedAt: string;
}

export interface CryptoKeysTable {
  id: string;
  scope: string;
  purpose: string;
  subject: string | null;
  wrapped: string | null;
  createdAt: string;
  destroyedAt: string | null;
}

export interface OutboxTable {
  id: string;
  organizationId: string | null;
  recipient: string;
  subject: string;
  bodyText: string | null;
  status: string;
  error: string | null;
  createdAt: string;
}

export interface SetupTokensTable {
  id: string;
  tokenHash: string;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
}

export interface MfaFactorsTable {
  id: string;
  userId: string;
  type: string;
  name: string;
  secretSealed: string | null;
  lastUsedStep: number | null;
  credentialId: string | null;
  publicKey: string | null;
  signCount: number | null;
  transports: Json | null;
  backedUp: number | null;
  confirmedAt: string | null;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface RecoveryCodesTable {
  id: string;
  userId: string;
  codeHash: string;
  createdAt: string;
  usedAt: string | null;
}

export interface AuthChallengesTable {
  id: string;
  tokenHash: string;
  kind: string;
  userId: string | null;
  sessionId: string | null;
  organizationId: string | null;
  webauthnChallenge: string | null;
  invitationId: string | null;
  attempts: Generated<number>;
  createdAt: string;
  expiresAt: string;
  consumedAt: string | null;
}

export interface SecurityPoliciesTable {
  organizationId: string;
  mfaRequirement: string;
  mfaRoles: Json;
  mfaGraceDays: number;
  mfaRequiredSince: string | null;
  stepUpMinutes: number;
  idleTimeoutMinutes: number;
  absoluteLifetimeHours: number;
  maxConcurrentSessions: number;
  sessionLimitAction: string;
  passwordMinLength: number;
  /** JSON of the fields the session check reads, kept with the row by the policy store. */
  sessionRules: string;
  updatedAt: string;
}

export interface UserSignInOriginsTable {
  userId: string;
  kind: string;
  value: string;
  label: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
}

export interface PasswordResetTokensTable {
  id: string;
  userId: string;
  tokenHash: string;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
}

export interface RolesTable {
  id: string;
  organizationId: string;
  key: string;
  builtIn: number;
  name: string;
  description: string;
  permissions: Json;
  ownPermissions: Json;
  createdAt: string;
  updatedAt: string;
}

export interface AppPermissionsTable {
  organizationId: string;
  key: string;
  description: string;
  registeredBy: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface AccessRulesTable {
  id: string;
  organizationId: string;
  kind: string;
  effect: string;
  target: string;
  role: string | null;
  value: Json;
  description: string;
  enabled: number;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ThreatSettingsTable {
  organizationId: string;
  detectors: Json;
  responses: Json | null;
  updatedAt: string;
  updatedBy: string | null;
}

export interface SecurityEventsTable {
  id: string;
  organizationId: string;
  type: string;
  severity: string;
  status: string;
  subjectType: string;
  subjectId: string;
  subjectLabel: string | null;
  sourceIp: string | null;
  country: string | null;
  dedupKey: string;
  count: number;
  explanation: string;
  details: Json;
  firstSeenAt: string;
  lastSeenAt: string;
  assigneeId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface SecurityEventEvidenceTable {
  securityEventId: string;
  auditEventId: string;
  auditSeq: number;
  action: string;
  occurredAt: string;
  /** The attempt's facts (0009); null when unknown, and on evidence kept before 0009. */
  ip: string | null;
  country: string | null;
  device: string | null;
  userId: string | null;
  userLabel: string | null;
  /** 1: the address tried has no account. */
  unknownAccount: number | null;
  outcome: string | null;
  reason: string | null;
}

/** The addresses a security event's attempts came from (0009). */
export interface SecurityEventSourcesTable {
  securityEventId: string;
  organizationId: string;
  ip: string;
  /** The country of this IP. */
  country: string | null;
  attempts: number;
  firstSeenAt: string;
  lastSeenAt: string;
}

export interface SecurityEventActivityTable {
  id: string;
  securityEventId: string;
  kind: string;
  actorId: string | null;
  actorName: string | null;
  data: Json;
  at: string;
}

export interface ThreatResponsesTable {
  id: string;
  organizationId: string;
  securityEventId: string | null;
  kind: string;
  scope: string | null;
  userId: string | null;
  ip: string | null;
  createdBy: string | null;
  createdAt: string;
  expiresAt: string | null;
  liftedAt: string | null;
  liftedBy: string | null;
  liftedByName: string | null;
  /** notify_user: pending | sent | queued | failed | unknown (0010); null for actions that send nothing. */
  deliveryStatus: string | null;
  deliveryDetail: string | null;
  deliveryAt: string | null;
}

export interface TrustedDevicesTable {
  tokenHash: string;
  userId: string;
  createdAt: string;
  lastSeenAt: string;
}

export interface AlertChannelsTable {
  id: string;
  organizationId: string;
  kind: string;
  name: string;
  url: string | null;
  recipients: Json | null;
  secretSealed: string | null;
  secretHint: string | null;
  minSeverity: string;
  types: Json | null;
  digestLow: number;
  /** 0/1: the channel gets audit checkpoints (default 0). */
  sendCheckpoints: Generated<number>;
  /** At most one checkpoint this often (default 60). */
  checkpointIntervalMinutes: Generated<number>;
  enabled: number;
  createdAt: string;
  updatedAt: string;
}

export interface AlertDeliveriesTable {
  id: string;
  organizationId: string;
  channelId: string;
  securityEventId: string | null;
  kind: string;
  messageId: string;
  payload: string;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastResponseCode: number | null;
  lastError: string | null;
  deliveredAt: string | null;
  createdAt: string;
}

export interface AlertDeliveryAttemptsTable {
  deliveryId: string;
  attempt: number;
  at: string;
  responseCode: number | null;
  durationMs: number;
  error: string | null;
}

export interface AlertDigestItemsTable {
  channelId: string;
  securityEventId: string;
  queuedAt: string;
}
