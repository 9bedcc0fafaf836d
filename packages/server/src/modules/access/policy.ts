import { ALL_PERMISSIONS, BUILT_IN_ROLES, isPermission, isRoleName, type Permission } from '@custos/shared';
import ipaddr from 'ipaddr.js';
import { memoizeText } from '../../platform/memo';
import type { Decision } from './decide';
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
  /** The answers themselves, made once: deciding allocates nothing. */
  readonly allowed: ReadonlyMap<string, Decision>;
  readonly allowedOwn: ReadonlyMap<string, Decision>;
}

const decision = (reason: 'granted' | 'granted_own', grantedBy: string): Decision =>
  Object.freeze({ allowed: true, reason, grantedBy, scope: reason === 'granted' ? 'all' : 'own' });

interface GrantNode {
  grants: Grants | undefined;
  next: Map<string, GrantNode> | undefined;
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
  /** Grants by role list, as a tree with one level per role: a lookup allocates nothing. */
  private readonly grantsTree: GrantNode = { grants: undefined, next: undefined };
  private cachedRoleLists = 0;
  private readonly roles: ReadonlyMap<string, CompiledRole>;

  constructor(
    readonly version: number,
    readonly timeZone: string,
    roles: readonly RoleDefinition[],
    /** Host-app permissions registered in the organization. */
    readonly appPermissions: ReadonlySet<string>,
    readonly rules: CompiledRules,
    /** IPs blocked "everywhere" by a threat response: canonical address → expiry (ms) or null. */
    readonly ipBlocks: ReadonlyMap<string, number | null> = NO_IP_BLOCKS,
  ) {
    this.roles = compileRoles(roles, appPermissions);
  }

  /** Whether a threat response blocks every request from this (canonical) address right now. */
  blocksIp(ip: string | null, now = Date.now()): boolean {
    if (!ip || this.ipBlocks.size === 0) return false;
    const until = this.ipBlocks.get(canonicalIp(ip));
    return until !== undefined && (until === null || until > now);
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
    let node = this.grantsTree;
    for (let i = 0; i < roles.length; i++) {
      const next = node.next?.get(roles[i] as string);
      if (next === undefined) return this.cacheGrants(roles);
      node = next;
    }
    return node.grants ?? this.cacheGrants(roles);
  }

  private cacheGrants(roles: readonly string[]): Grants {
    const grants = this.compileGrants(roles);
    if (this.cachedRoleLists >= MAX_CACHED_ROLE_LISTS) return grants;
    let node = this.grantsTree;
    for (const role of roles) {
      node.next ??= new Map();
      let next = node.next.get(role);
      if (!next) {
        next = { grants: undefined, next: undefined };
        node.next.set(role, next);
      }
      node = next;
    }
    node.grants = grants;
    this.cachedRoleLists += 1;
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
    const allowed = new Map([...all].map(([p, role]) => [p, decision('granted', role)]));
    const allowedOwn = new Map([...own].map(([p, role]) => [p, decision('granted_own', role)]));
    return { all, own, custos, allowed, allowedOwn };
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

const NO_IP_BLOCKS: ReadonlyMap<string, number | null> = new Map();

/** One spelling per address (IPv4-mapped IPv6 as IPv4, IPv6 compressed), as blocks are stored. */
export const canonicalIp = memoizeText((ip: string): string => {
  try {
    return ipaddr.process(ip.trim()).toString();
  } catch {
    return ip;
  }
});

/** The policy of an organization nobody has customised: built-in roles, no rules, UTC. */
export const DEFAULT_ACCESS = new OrgAccess(0, 'UTC', [], new Set(), NO_RULES);
