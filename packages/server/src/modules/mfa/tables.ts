import type { Generated } from 'kysely';
import type { JsonColumn as Json } from '../../platform/db/json';

/** This module's tables, as Kysely sees them; `platform/db/schema.ts` composes every module's into one DB type. */

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
