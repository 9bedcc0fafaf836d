import { isPermission, PERMISSIONS_AWAITING_MODULES, type PermissionOut, type RoleOut } from '@custos/shared';
import { resourceLabel } from '../apiKeys/permissionGroups';

/** What a role holds of one permission: nothing, it on every resource, or it on its own resources only. */
export type Grant = 'none' | 'all' | 'own';

/** The part of a role the matrix edits. */
export interface RoleGrants {
  permissions: string[];
  ownPermissions: string[];
}

export function grantsOf(role: RoleGrants): RoleGrants {
  return { permissions: role.permissions, ownPermissions: role.ownPermissions };
}

export function grantOf(grants: RoleGrants, permission: string): Grant {
  if (grants.permissions.includes(permission)) return 'all';
  if (grants.ownPermissions.includes(permission)) return 'own';
  return 'none';
}

/** The grants with `permission` set to `grant`; a permission is in at most one of the two lists. */
export function withGrant(grants: RoleGrants, permission: string, grant: Grant): RoleGrants {
  const permissions = grants.permissions.filter((p) => p !== permission);
  const ownPermissions = grants.ownPermissions.filter((p) => p !== permission);
  if (grant === 'all') permissions.push(permission);
  if (grant === 'own') ownPermissions.push(permission);
  return { permissions, ownPermissions };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((item) => set.has(item));
}

export function sameGrants(a: RoleGrants, b: RoleGrants): boolean {
  return sameSet(a.permissions, b.permissions) && sameSet(a.ownPermissions, b.ownPermissions);
}

/** How many permissions the draft grants differently from the saved role. */
export function changedCount(saved: RoleGrants, draft: RoleGrants): number {
  const ids = new Set([
    ...saved.permissions,
    ...saved.ownPermissions,
    ...draft.permissions,
    ...draft.ownPermissions,
  ]);
  let count = 0;
  for (const id of ids) if (grantOf(saved, id) !== grantOf(draft, id)) count++;
  return count;
}

/**
 * Whether a role's grant of a permission may change: never for the owner, only host-app permissions
 * for the other built-in roles, everything for custom roles.
 */
export function cellEditable(
  role: Pick<RoleOut, 'editable'>,
  permission: Pick<PermissionOut, 'source'>,
): boolean {
  return role.editable === 'all' || (role.editable === 'app' && permission.source === 'app');
}

/** A Custos permission of a module not built yet: not offered (see PERMISSIONS_AWAITING_MODULES). */
function awaitingModule(id: string): boolean {
  return isPermission(id) && PERMISSIONS_AWAITING_MODULES.has(id);
}

export interface PermissionSection {
  resource: string;
  label: string;
  source: PermissionOut['source'];
  permissions: PermissionOut[];
}

/**
 * The matrix rows: permissions grouped by resource, Custos' groups first in catalog order, then the
 * host app's groups alphabetically. A resource both register is split into two sections.
 */
export function sectionsOf(permissions: readonly PermissionOut[], filter = ''): PermissionSection[] {
  const needle = filter.trim().toLowerCase();
  const sections = new Map<string, PermissionSection>();
  for (const permission of permissions) {
    if (permission.source === 'custos' && awaitingModule(permission.id)) continue;
    if (
      needle &&
      !permission.id.toLowerCase().includes(needle) &&
      !permission.description.toLowerCase().includes(needle)
    ) {
      continue;
    }
    const id = `${permission.source}:${permission.resource}`;
    const section = sections.get(id) ?? {
      resource: permission.resource,
      label: resourceLabel(permission.resource),
      source: permission.source,
      permissions: [],
    };
    section.permissions.push(permission);
    sections.set(id, section);
  }
  const all = [...sections.values()];
  const app = all.filter((s) => s.source === 'app').sort((a, b) => a.resource.localeCompare(b.resource));
  for (const section of app) section.permissions.sort((a, b) => a.id.localeCompare(b.id));
  return [...all.filter((s) => s.source === 'custos'), ...app];
}

/** Built-in roles first, in the server's order, then custom roles by name. */
export function orderRoles(roles: readonly RoleOut[]): RoleOut[] {
  const custom = roles.filter((r) => !r.builtIn).sort((a, b) => a.name.localeCompare(b.name));
  return [...roles.filter((r) => r.builtIn), ...custom];
}

export const ROLE_KEY_PATTERN = /^[a-z][a-z0-9_]{1,39}$/;

/** "Support agent (EU)" → "support_agent_eu": a key suggested from the name while the key is untouched. */
export function suggestRoleKey(name: string): string {
  const key = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+/, '')
    .replace(/_+$/, '')
    .slice(0, 40)
    .replace(/_+$/, '');
  return key;
}

export function roleKeyProblem(key: string, taken: readonly string[]): string | undefined {
  if (key === '') return undefined;
  if (!ROLE_KEY_PATTERN.test(key)) {
    return '2–40 lowercase letters, digits or underscores, starting with a letter';
  }
  if (taken.includes(key)) return 'A role with this key exists';
  return undefined;
}
