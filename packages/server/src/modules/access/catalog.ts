import { BUILT_IN_ROLES, isRoleName, PERMISSIONS, type PermissionOut, type RoleOut } from '@custos/shared';
import type { StoredAppPermission, StoredRole } from './store';

const resourceOf = (permission: string) => permission.slice(0, permission.indexOf(':'));

/** Every permission, Custos' first (in their declared order), then the host app's by key. */
export function permissionCatalog(appPermissions: readonly StoredAppPermission[]): PermissionOut[] {
  return [
    ...Object.entries(PERMISSIONS).map(([id, description]) => ({
      id,
      description,
      resource: resourceOf(id),
      source: 'custos' as const,
    })),
    ...appPermissions.map((p) => ({
      id: p.key,
      description: p.description,
      resource: resourceOf(p.key),
      source: 'app' as const,
    })),
  ];
}

/** Built-in roles (with any host-app grants added to them), then custom roles, as the API shows them. */
export function roleCatalog(
  stored: readonly StoredRole[],
  appPermissions: readonly StoredAppPermission[],
  memberCounts: ReadonlyMap<string, number>,
): RoleOut[] {
  const app = new Set(appPermissions.map((p) => p.key));
  const onlyApp = (list: readonly string[]) => list.filter((p) => app.has(p));
  const builtIn = Object.entries(BUILT_IN_ROLES).map(([key, role]): RoleOut => {
    const extra = stored.find((r) => r.builtIn && r.key === key);
    const owner = key === 'owner';
    return {
      id: key,
      key,
      name: role.name,
      description: role.description,
      builtIn: true,
      permissions: owner
        ? [...role.permissions, ...app]
        : [...role.permissions, ...onlyApp(extra?.permissions ?? [])],
      ownPermissions: owner ? [] : onlyApp(extra?.ownPermissions ?? []),
      editable: owner ? 'none' : 'app',
      memberCount: memberCounts.get(key) ?? 0,
      createdAt: null,
      updatedAt: extra?.updatedAt ?? null,
    };
  });
  const custom = stored
    .filter((r) => !r.builtIn && !isRoleName(r.key))
    .map(
      (r): RoleOut => ({
        id: r.key,
        key: r.key,
        name: r.name,
        description: r.description,
        builtIn: false,
        permissions: [...r.permissions],
        ownPermissions: [...r.ownPermissions],
        editable: 'all',
        memberCount: memberCounts.get(r.key) ?? 0,
        createdAt: r.createdAt,
        updatedAt: r.updatedAt,
      }),
    );
  return [...builtIn, ...custom];
}
