/** This module's tables, as Kysely sees them; `platform/db/schema.ts` composes every module's into one DB type. */

export interface CryptoKeysTable {
  id: string;
  scope: string;
  purpose: string;
  subject: string | null;
  wrapped: string | null;
  createdAt: string;
  destroyedAt: string | null;
}
