/** This module's tables, as Kysely sees them; `platform/db/schema.ts` composes every module's into one DB type. */

export interface PasswordResetTokensTable {
  id: string;
  userId: string;
  tokenHash: string;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
}
