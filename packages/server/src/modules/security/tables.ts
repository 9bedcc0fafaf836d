import type { JsonColumn as Json } from '../../platform/db/json';

/** This module's tables, as Kysely sees them; `platform/db/schema.ts` composes every module's into one DB type. */

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
