import { ALL_PERMISSIONS, BUILT_IN_ROLES, isPermission, isRoleName, type Permission } from '@custos/shared';
import { type CompiledRules, NO_RULES } from './rules';

/** A role as stored: a custom role, or the host-app grants added to a built-in role. */
export interface RoleDefinition {
  key: string;
  builtIn: boolean;
  permissions: readonly string[];
  ownPermissions: readonly string[];
}

/**
 * What a member with a given list of roles may do: every permission mapped to the first role (in
 * the member's order) that grants it, on all resources or only on their own. `custos` is the part
 * the product's own routes check.
 */
export interface Grants {
  readonly all: ReadonlyMap<string, string>;
  readonly own: ReadonlyMap<string, string>;
  readonly custos: ReadonlySet<Permission>;
}

interface CompiledRole {
  all: readonly string[];
  own: readonly string[];
}

const MAX_CACHED_ROLE_LISTS = 1000;

/**
 * One organization's compiled access policy at one access version: roles, host-app permissions,
 * access rules and time zone. Immutable; a change to any of them makes a new one (a new version).
 */
export class OrgAccess {
  private readonly grantsByRoleList = new Map<string, Grants>();
  private readonly roles: ReadonlyMap<string, CompiledRole>;

  constructor(
    readonly version: number,
    readonly timeZone: string,
    roles: readonly RoleDefinition[],
    /** Host-app permissions registered in the organization. */
    readonly appPermissions: ReadonlySet<string>,
    readonly rules: CompiledRules,
  ) {
    this.roles = compileRoles(roles, appPermissions);
  }

  /** Whether the permission is Custos' own or registered by the host app. */
  knows(permission: string): boolean {
    return isPermission(permission) || this.appPermissions.has(permission);
  }

  /** Whether `key` names a role of the organization (built-in or custom). */
  hasRole(key: string): boolean {
    return this.roles.has(key);
  }

  /** The grants of a member's role list; made once per distinct list and shared, read-only. */
  grantsOf(roles: readonly string[]): Grants {
    const key = roles.length === 1 ? (roles[0] as string) : roles.join('\n');
    let grants = this.grantsByRoleList.get(key);
    if (!grants) {
      grants = this.compileGrants(roles);
      if (this.grantsByRoleList.size < MAX_CACHED_ROLE_LISTS) this.grantsByRoleList.set(key, grants);
    }
    return grants;
  }

  private compileGrants(roles: readonly string[]): Grants {
    const all = new Map<string, string>();
    const own = new Map<string, string>();
    for (const key of roles) {
      const role = this.roles.get(key);
      if (!role) continue; // a role deleted or never known grants nothing
      for (const p of role.all) if (!all.has(p)) all.set(p, key);
      for (const p of role.own) if (!own.has(p)) own.set(p, key);
    }
    for (const p of all.keys()) own.delete(p);
    const custos = new Set<Permission>();
    for (const p of all.keys()) if (isPermission(p)) custos.add(p);
    return { all, own, custos };
  }
}

function compileRoles(
  definitions: readonly RoleDefinition[],
  appPermissions: ReadonlySet<string>,
): Map<string, CompiledRole> {
  const known = (p: string) => isPermission(p) || appPermissions.has(p);
  const compiled = new Map<string, CompiledRole>();
  for (const [key, role] of Object.entries(BUILT_IN_ROLES)) {
    // The owner holds everything, the host app's permissions included.
    const all = key === 'owner' ? [...ALL_PERMISSIONS, ...appPermissions] : [...role.permissions];
    compiled.set(key, { all, own: [] });
  }
  for (const def of definitions) {
    if (def.builtIn) {
      const base = compiled.get(def.key);
      if (!base || def.key === 'owner') continue;
      // A built-in role's own permissions are fixed; only host-app grants are added to it.
      const app = (list: readonly string[]) => list.filter((p) => appPermissions.has(p));
      compiled.set(def.key, { all: [...base.all, ...app(def.permissions)], own: app(def.ownPermissions) });
    } else if (!isRoleName(def.key)) {
      compiled.set(def.key, {
        all: def.permissions.filter(known),
        own: def.ownPermissions.filter((p) => appPermissions.has(p)),
      });
    }
  }
  return compiled;
}

/** The policy of an organization nobody has customised: built-in roles, no rules, UTC. */
export const DEFAULT_ACCESS = new OrgAccess(0, 'UTC', [], new Set(), NO_RULES);
