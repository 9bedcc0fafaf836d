/** This module's tables, as Kysely sees them; `platform/db/schema.ts` composes every module's into one DB type. */

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
export interface UserSignInOriginsTable {
  userId: string;
  kind: string;
  value: string;
  label: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
}
export interface TrustedDevicesTable {
  tokenHash: string;
  userId: string;
  createdAt: string;
  lastSeenAt: string;
}
