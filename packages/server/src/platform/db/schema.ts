import type { AccessRulesTable, AppPermissionsTable, RolesTable } from '../../modules/access/tables';
import type {
  AlertChannelsTable,
  AlertDeliveriesTable,
  AlertDeliveryAttemptsTable,
  AlertDigestItemsTable,
} from '../../modules/alerts/tables';
import type { ApiKeysTable } from '../../modules/apikeys/tables';
import type {
  AuditCheckpointsTable,
  AuditEventsTable,
  AuditEventTargetsTable,
  AuditIdempotencyKeysTable,
  AuditLogHeadsTable,
  AuditQuarantinedRowsTable,
  AuditSavedSearchesTable,
  AuditSearchIndexTable,
  AuditSettingsTable,
  AuditTreeNodesTable,
  AuditWitnessHeadsTable,
} from '../../modules/audit/tables';
import type { PasswordResetTokensTable } from '../../modules/auth/tables';
import type { MembershipsTable, OrganizationsTable, UsersTable } from '../../modules/identity/tables';
import type { InvitationsTable } from '../../modules/invitations/tables';
import type { AuthChallengesTable, MfaFactorsTable, RecoveryCodesTable } from '../../modules/mfa/tables';
import type { OutboxTable } from '../../modules/outbox/tables';
import type {
  PrivacyAccessPackagesTable,
  PrivacyCustomCategoriesTable,
  PrivacyRequestEventsTable,
  PrivacyRequestsTable,
  PrivacyRetentionRulesTable,
  PrivacyRetentionRunsTable,
  PrivacySettingsTable,
  PrivacySystemCategoriesTable,
  PrivacySystemsTable,
  PrivacyTaskResultsTable,
  PrivacyTasksTable,
  PrivacyVerificationCodesTable,
} from '../../modules/privacy/tables';
import type { SecurityPoliciesTable } from '../../modules/security/tables';
import type {
  SessionsTable,
  TrustedDevicesTable,
  UserSignInOriginsTable,
} from '../../modules/sessions/tables';
import type { SetupTokensTable } from '../../modules/setup/tables';
import type {
  SecurityEventActivityTable,
  SecurityEventEvidenceTable,
  SecurityEventSourcesTable,
  SecurityEventsTable,
  ThreatResponsesTable,
  ThreatSettingsTable,
} from '../../modules/threats/tables';
import type { CryptoKeysTable } from '../crypto/tables';

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
  auditSearchIndex: AuditSearchIndexTable;
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
  privacySettings: PrivacySettingsTable;
  privacySystems: PrivacySystemsTable;
  privacySystemCategories: PrivacySystemCategoriesTable;
  privacyCustomCategories: PrivacyCustomCategoriesTable;
  privacyRequests: PrivacyRequestsTable;
  privacyRequestEvents: PrivacyRequestEventsTable;
  privacyRetentionRules: PrivacyRetentionRulesTable;
  privacyRetentionRuns: PrivacyRetentionRunsTable;
  privacyTasks: PrivacyTasksTable;
  privacyTaskResults: PrivacyTaskResultsTable;
  privacyAccessPackages: PrivacyAccessPackagesTable;
  privacyVerificationCodes: PrivacyVerificationCodesTable;
}

/** Every module's table types, for code that names one. */
export type {
  AccessRulesTable,
  AlertChannelsTable,
  AlertDeliveriesTable,
  AlertDeliveryAttemptsTable,
  AlertDigestItemsTable,
  ApiKeysTable,
  AppPermissionsTable,
  AuditCheckpointsTable,
  AuditEventsTable,
  AuditEventTargetsTable,
  AuditIdempotencyKeysTable,
  AuditLogHeadsTable,
  AuditQuarantinedRowsTable,
  AuditSavedSearchesTable,
  AuditSearchIndexTable,
  AuditSettingsTable,
  AuditTreeNodesTable,
  AuditWitnessHeadsTable,
  AuthChallengesTable,
  CryptoKeysTable,
  InvitationsTable,
  MembershipsTable,
  MfaFactorsTable,
  OrganizationsTable,
  OutboxTable,
  PasswordResetTokensTable,
  PrivacyAccessPackagesTable,
  PrivacyCustomCategoriesTable,
  PrivacyRequestEventsTable,
  PrivacyRequestsTable,
  PrivacyRetentionRulesTable,
  PrivacyRetentionRunsTable,
  PrivacySettingsTable,
  PrivacySystemCategoriesTable,
  PrivacySystemsTable,
  PrivacyTaskResultsTable,
  PrivacyTasksTable,
  PrivacyVerificationCodesTable,
  RecoveryCodesTable,
  RolesTable,
  SecurityEventActivityTable,
  SecurityEventEvidenceTable,
  SecurityEventSourcesTable,
  SecurityEventsTable,
  SecurityPoliciesTable,
  SessionsTable,
  SetupTokensTable,
  ThreatResponsesTable,
  ThreatSettingsTable,
  TrustedDevicesTable,
  UserSignInOriginsTable,
  UsersTable,
};
