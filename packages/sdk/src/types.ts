import type {
  AddPasskeyBody as AddPasskeyBodySchema,
  AdminUserList as AdminUserListSchema,
  AdminUserQuery as AdminUserQuerySchema,
  AuditBatchResult as AuditBatchResultSchema,
  AuditCheckpointList as AuditCheckpointListSchema,
  AuditCheckpointOut as AuditCheckpointOutSchema,
  AuditEventOut,
  AuditIntegrityOut as AuditIntegrityOutSchema,
  AuditKeysOut as AuditKeysOutSchema,
  AuditReceiptResult as AuditReceiptResultSchema,
  AuditSearchQuery,
  AuditSearchResult as AuditSearchResultSchema,
  AuditSettingsBody as AuditSettingsBodySchema,
  AuditSettingsOut as AuditSettingsOutSchema,
  ChangePasswordBodyV2 as ChangePasswordBodyV2Schema,
  ConfirmTotpBody as ConfirmTotpBodySchema,
  ConsistencyProofOut as ConsistencyProofOutSchema,
  EraseSubjectResult as EraseSubjectResultSchema,
  InclusionProofOut as InclusionProofOutSchema,
  OkWithToken as OkWithTokenSchema,
  PasskeyRegistrationOptions as PasskeyRegistrationOptionsSchema,
  PasskeySignInOptions as PasskeySignInOptionsSchema,
  PasswordResetCompleteBody as PasswordResetCompleteBodySchema,
  PasswordResetRequested as PasswordResetRequestedSchema,
  RecoveryCodes as RecoveryCodesSchema,
  RevokedCount as RevokedCountSchema,
  RevokeSessionsBody as RevokeSessionsBodySchema,
  SavedSearchBody as SavedSearchBodySchema,
  SavedSearchOut as SavedSearchOutSchema,
  SessionListQuery as SessionListQuerySchema,
  SessionList as SessionListSchema,
  SwitchOrganizationResult as SwitchOrganizationResultSchema,
  WebAuthnOptions as WebAuthnOptionsSchema,
  WebAuthnResponse as WebAuthnResponseSchema,
} from '@custos/shared';

/**
 * `@custos/shared` exports the audit contracts as zod schemas, most without a type alias; these
 * read the output type off a schema (what `z.infer` does) so the SDK need not depend on zod itself.
 */
type Output<Schema> = Schema extends { _zod: { output: infer T } } ? T : never;

export type AuditSearchResult = Output<typeof AuditSearchResultSchema>;
export type AuditReceiptResult = Output<typeof AuditReceiptResultSchema>;
export type AuditBatchResult = Output<typeof AuditBatchResultSchema>;
export type AuditCheckpointOut = Output<typeof AuditCheckpointOutSchema>;
export type AuditCheckpointList = Output<typeof AuditCheckpointListSchema>;
export type InclusionProofOut = Output<typeof InclusionProofOutSchema>;
export type ConsistencyProofOut = Output<typeof ConsistencyProofOutSchema>;
export type AuditKeysOut = Output<typeof AuditKeysOutSchema>;
export type AuditIntegrityOut = Output<typeof AuditIntegrityOutSchema>;
export type SavedSearchOut = Output<typeof SavedSearchOutSchema>;
export type SavedSearchBody = Output<typeof SavedSearchBodySchema>;
export type AuditSettingsOut = Output<typeof AuditSettingsOutSchema>;
export type AuditSettingsBody = Output<typeof AuditSettingsBodySchema>;
export type EraseSubjectResult = Output<typeof EraseSubjectResultSchema>;

/** One event with its inclusion proof against the latest signed checkpoint. */
export interface AuditEventWithProof {
  event: AuditEventOut;
  proof: InclusionProofOut;
}

/** A search page request: the filters plus the keyset cursor and page size. */
export interface AuditSearchParams extends AuditSearchQuery {
  /** `nextCursor` of the previous page: events with a lower seq. */
  before?: number;
  /** 1–500, default 50. */
  limit?: number;
}

export type AuditExportFormat = 'jsonl' | 'csv';

/** The response header of an export that says how many events the file will hold. */
export const EXPORT_COUNT_HEADER = 'x-custos-export-events';

// ---- Sign-in hardening (contracts in shared/security-api.ts) ----------------------------------

/** The request type of a schema: fields with a default may be left out. */
type Input<Schema> = Schema extends { _zod: { input: infer T } } ? T : never;

export type WebAuthnOptions = Output<typeof WebAuthnOptionsSchema>;
export type PasskeySignInOptions = Output<typeof PasskeySignInOptionsSchema>;
export type PasskeyRegistrationOptions = Output<typeof PasskeyRegistrationOptionsSchema>;
export type RecoveryCodes = Output<typeof RecoveryCodesSchema>;
export type SessionList = Output<typeof SessionListSchema>;
export type RevokedCount = Output<typeof RevokedCountSchema>;
export type AdminUserList = Output<typeof AdminUserListSchema>;
export type SwitchOrganizationResult = Output<typeof SwitchOrganizationResultSchema>;
export type OkWithToken = Output<typeof OkWithTokenSchema>;
/** A passkey ceremony's JSON, as @simplewebauthn/browser produces it. */
export type WebAuthnResponse = Output<typeof WebAuthnResponseSchema>;

export type ConfirmTotpBody = Input<typeof ConfirmTotpBodySchema>;
export type AddPasskeyBody = Input<typeof AddPasskeyBodySchema>;
/** Changing one's password: the current one, the new one, and whether this session stays. */
export type ChangePasswordBody = Input<typeof ChangePasswordBodyV2Schema>;
export type SessionListQuery = Input<typeof SessionListQuerySchema>;
export type RevokeSessionsBody = Input<typeof RevokeSessionsBodySchema>;
export type AdminUserQuery = Input<typeof AdminUserQuerySchema>;
export type PasswordResetCompleteBody = Input<typeof PasswordResetCompleteBodySchema>;
/** The answer to a reset request: the same for every address; whether e-mail can be sent at all. */
export type PasswordResetRequested = Output<typeof PasswordResetRequestedSchema>;
