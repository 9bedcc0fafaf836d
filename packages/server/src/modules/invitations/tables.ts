import type { JsonColumn as Json } from '../../platform/db/json';

/** This module's tables, as Kysely sees them; `platform/db/schema.ts` composes every module's into one DB type. */

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
