import type { JsonColumn as Json } from '../../platform/db/json';

/** This module's tables, as Kysely sees them; `platform/db/schema.ts` composes every module's into one DB type. */

export interface RolesTable {
  id: string;
  organizationId: string;
  key: string;
  builtIn: number;
  name: string;
  description: string;
  permissions: Json;
  ownPermissions: Json;
  createdAt: string;
  updatedAt: string;
}
export interface AppPermissionsTable {
  organizationId: string;
  key: string;
  description: string;
  registeredBy: string | null;
  createdAt: string;
  updatedAt: string;
}
export interface AccessRulesTable {
  id: string;
  organizationId: string;
  kind: string;
  effect: string;
  target: string;
  role: string | null;
  value: Json;
  description: string;
  enabled: number;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}
