import type { Generated } from 'kysely';
import type { JsonColumn as Json } from '../../platform/db/json';

/** This module's tables, as Kysely sees them; `platform/db/schema.ts` composes every module's into one DB type. */

export interface OrganizationsTable {
  id: string;
  name: string;
  slug: string;
  /** Bumped with every change to roles, app permissions, access rules or the time zone. */
  accessVersion: Generated<number>;
  /** IANA zone that access-rule time windows are read in. */
  timeZone: Generated<string>;
  createdAt: string;
  updatedAt: string;
}
export interface UsersTable {
  id: string;
  email: string;
  name: string;
  passwordHash: string;
  isSuperAdmin: number;
  disabledAt: string | null;
  emailVerifiedAt: string | null;
  passwordChangedAt: string;
  /** Set while the user has at least one confirmed factor (kept with the factors, read by the session check). */
  mfaEnabledAt: string | null;
  createdAt: string;
  updatedAt: string;
}
export interface MembershipsTable {
  id: string;
  organizationId: string;
  userId: string;
  roles: Json;
  createdAt: string;
  updatedAt: string;
}
