import type { JsonColumn as Json } from '../../platform/db/json';

/** This module's tables, as Kysely sees them (migration 0014_privacy); `platform/db/schema.ts` composes them. */

export interface PrivacySettingsTable {
  organizationId: string;
  clockWaitsForVerification: Json;
  reminderDaysBefore: Json | null;
  publicIntake: number | null;
  updatedAt: string;
  updatedBy: string | null;
}

export interface PrivacySystemsTable {
  id: string;
  organizationId: string;
  kind: string;
  builtIn: string | null;
  name: string;
  owner: string | null;
  description: string | null;
  webhookUrl: string | null;
  webhookSecretSealed: string | null;
  webhookSecretHint: string | null;
  polling: number;
  enabled: number;
  subjectTypes: Json;
  storageCountry: string | null;
  recipients: Json;
  apiKeyId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface PrivacySystemCategoriesTable {
  systemId: string;
  organizationId: string;
  categoryKey: string;
  purposes: Json;
  retentionDays: number | null;
  retentionTrigger: string | null;
  retentionAction: string | null;
  erasureStrategy: string;
  position: number;
}

export interface PrivacyCustomCategoriesTable {
  id: string;
  organizationId: string;
  key: string;
  name: string;
  description: string;
  special: number;
  phi: number;
  createdAt: string;
  updatedAt: string;
}

export interface PrivacyRequestsTable {
  id: string;
  organizationId: string;
  type: string;
  regime: string;
  state: string;
  source: string;
  subjectRef: string | null;
  subjectKey: string;
  emailSealed: string | null;
  emailIndex: string | null;
  subjectNameSealed: string | null;
  detailsSealed: string | null;
  receivedAt: string;
  verifiedAt: string | null;
  approvedAt: string | null;
  clockWaits: number;
  timeZone: string;
  startDate: string;
  ackBy: string | null;
  dueDate: string;
  dueAt: string;
  extensionNoticeBy: string;
  extensions: number;
  extensionReason: string | null;
  duplicateOf: string | null;
  denialReason: string | null;
  denialGround: string | null;
  closedAt: string | null;
  remindedFor: string | null;
  overdueAlertedAt: string | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface PrivacyRequestEventsTable {
  id: string;
  requestId: string;
  organizationId: string;
  kind: string;
  actorType: string;
  actorId: string | null;
  actorName: string | null;
  data: Json;
  at: string;
}

export interface PrivacyRetentionRulesTable {
  id: string;
  organizationId: string;
  systemId: string;
  categoryKey: string | null;
  periodDays: number;
  trigger: string;
  action: string;
  enabled: number;
  lastRunAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface PrivacyRetentionRunsTable {
  id: string;
  organizationId: string;
  dryRun: number;
  state: string;
  summary: Json;
  startedBy: string | null;
  startedAt: string;
  finishedAt: string | null;
}

export interface PrivacyTasksTable {
  id: string;
  organizationId: string;
  requestId: string | null;
  retentionRunId: string | null;
  systemId: string;
  kind: string;
  state: string;
  delivery: string;
  payload: Json;
  attempts: number;
  nextAttemptAt: string | null;
  leaseUntil: string | null;
  claimedBy: string | null;
  lastError: string | null;
  resultRef: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface PrivacyTaskResultsTable {
  id: string;
  organizationId: string;
  taskId: string;
  contentSealed: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  createdAt: string;
}

export interface PrivacyAccessPackagesTable {
  id: string;
  organizationId: string;
  requestId: string;
  fileRefSealed: string | null;
  sha256: string | null;
  sizeBytes: number | null;
  tokenHash: string | null;
  expiresAt: string;
  downloads: number;
  lastDownloadedAt: string | null;
  deletedAt: string | null;
  createdAt: string;
}

export interface PrivacyVerificationCodesTable {
  id: string;
  organizationId: string;
  purpose: string;
  requestId: string | null;
  packageId: string | null;
  emailIndex: string;
  codeHash: string;
  tokenHash: string | null;
  attempts: number;
  expiresAt: string;
  usedAt: string | null;
  createdAt: string;
}
