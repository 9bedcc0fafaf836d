/** This module's tables, as Kysely sees them; `platform/db/schema.ts` composes every module's into one DB type. */

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
