import {
  type CreateRoleBody,
  isPermission,
  isRoleName,
  type RoleCatalog,
  type RoleOut,
  type UpdateRoleBody,
} from '@custos/shared';
import type { Transaction } from 'kysely';
import type { z } from 'zod';
import type { Deps } from '../../deps';
import type { DB } from '../../platform/db/schema';
import { authorize, type Caller, type OrganizationCaller, requireStepUp } from '../../platform/http/caller';
import { badRequest, conflict, forbidden, notFound } from '../../platform/http/errors';
import { invitationPorts } from '../invitations/ports';
import { securityPolicyPorts } from '../security/ports';
import { permissionCatalog, roleCatalog } from './catalog';
import { assertGrantable } from './grantable';
import type { AccessPolicies } from './policies';
import type { OrgAccess } from './policy';
import { listRuleRows } from './rules-store';
import * as store from './store';

/** A role's two grant lists, as the API takes and the store keeps them. */
type GrantLists = { permissions: string[]; ownPermissions: string[] };
type CreateRole = z.output<typeof CreateRoleBody>;

/** Callers that may read the catalog: role pickers (members:read) and the matrix (access:read). */
function authorizeCatalog(caller: Caller): OrganizationCaller {
  if (caller.kind !== 'anonymous' && caller.permissions.has('access:read'))
    return authorize(caller, 'access:read');
  return authorize(caller, 'members:read');
}

/**
 * Grants as stored: known permissions only, sorted, each once; "own" only for host-app
 * permissions, and dropped where the same permission is granted on everything.
 */
function normalizeGrants(access: OrgAccess, input: GrantLists): GrantLists {
  const unknown = [...input.permissions, ...input.ownPermissions].filter((p) => !access.knows(p));
  if (unknown.length > 0) {
    throw badRequest(
      'PERMISSION_UNKNOWN',
      "These permissions are neither Custos' own nor registered by the host app.",
      {
        unknown: [...new Set(unknown)].sort(),
      },
    );
  }
  const custosOwn = input.ownPermissions.filter((p) => isPermission(p));
  if (custosOwn.length > 0) {
    throw badRequest(
      'VALIDATION_FAILED',
      "Only host-app permissions can be granted on a member's own resources; Custos' permissions apply to the whole organization.",
      { ownPermissions: custosOwn },
    );
  }
  const permissions = [...new Set(input.permissions)].sort();
  const all = new Set(permissions);
  const ownPermissions = [...new Set(input.ownPermissions)].filter((p) => !all.has(p)).sort();
  return { permissions, ownPermissions };
}

/** The permissions that differ between two grant sets (added or taken away, in either scope). */
function changedGrants(before: GrantLists, after: GrantLists): GrantLists {
  const diff = (a: readonly string[], b: readonly string[]) => {
    const sa = new Set(a);
    const sb = new Set(b);
    return [...new Set([...a.filter((p) => !sb.has(p)), ...b.filter((p) => !sa.has(p))])];
  };
  return {
    permissions: diff(before.permissions, after.permissions),
    ownPermissions: diff(before.ownPermissions, after.ownPermissions),
  };
}

export function createRolesService(deps: Deps & { accessPolicies: AccessPolicies }) {
  const { db, audit, accessPolicies } = deps;

  async function catalogIn(
    executor: Deps['db'] | Transaction<DB>,
    organizationId: string,
  ): Promise<RoleCatalog> {
    const [roles, appPermissions, counts] = await Promise.all([
      store.listRoles(executor, organizationId),
      store.listAppPermissions(executor, organizationId),
      store.memberCounts(executor, organizationId),
    ]);
    return {
      roles: roleCatalog(roles, appPermissions, counts),
      permissions: permissionCatalog(appPermissions),
    };
  }

  async function roleIn(trx: Transaction<DB>, organizationId: string, key: string): Promise<RoleOut> {
    const role = (await catalogIn(trx, organizationId)).roles.find((r) => r.key === key);
    if (!role) throw notFound('ROLE_NOT_FOUND', 'No such role in this organization.');
    return role;
  }

  /** Separation of duties: a member never edits a role they hold themselves. */
  function assertNotOwnRole(c: OrganizationCaller, key: string): void {
    if (c.kind === 'user' && c.roles.includes(key)) {
      throw forbidden(
        'CANNOT_CHANGE_OWN_ROLES',
        'You hold this role yourself. Ask another admin to change it.',
        {
          role: key,
        },
      );
    }
  }

  return {
    /** Every role with its grants and member count, and every permission, explained. */
    async catalog(caller: Caller): Promise<RoleCatalog> {
      const c = authorizeCatalog(caller);
      return catalogIn(db, c.organizationId);
    },

    async create(caller: Caller, input: z.input<typeof CreateRoleBody>): Promise<RoleOut> {
      const c = authorize(caller, 'access:manage');
      requireStepUp(c);
      const body = input as CreateRole;
      if (isRoleName(body.key)) {
        throw conflict('ROLE_EXISTS', `"${body.key}" is a built-in role. Choose another key.`);
      }
      return db.transaction().execute(async (trx) => {
        await store.bumpAccessVersion(trx, c.organizationId);
        if (await store.findRole(trx, c.organizationId, body.key)) {
          throw conflict('ROLE_EXISTS', `A role with the key "${body.key}" already exists.`);
        }
        const access = await accessPolicies.current(trx, c.organizationId);
        const grants = normalizeGrants(access, body);
        assertGrantable(c, access, grants);
        await store.insertRole(trx, c.organizationId, {
          key: body.key,
          builtIn: false,
          name: body.name,
          description: body.description,
          ...grants,
        });
        await audit.record(trx, c, {
          action: 'role.created',
          targets: [{ type: 'role', id: body.key, name: body.name }],
          metadata: { ...grants },
        });
        return roleIn(trx, c.organizationId, body.key);
      });
    },

    /**
     * Custom roles change freely (within what the caller holds); built-in roles only gain or lose
     * host-app grants; the owner role never changes.
     */
    async update(caller: Caller, key: string, patch: UpdateRoleBody): Promise<RoleOut> {
      const c = authorize(caller, 'access:manage');
      requireStepUp(c);
      if (key === 'owner') {
        throw forbidden(
          'ROLE_NOT_EDITABLE',
          'The owner role always holds every permission and cannot be changed.',
        );
      }
      assertNotOwnRole(c, key);
      const builtIn = isRoleName(key);
      if (builtIn && (patch.name !== undefined || patch.description !== undefined)) {
        throw badRequest('ROLE_NOT_EDITABLE', 'Built-in roles keep their name and description.');
      }
      return db.transaction().execute(async (trx) => {
        await store.bumpAccessVersion(trx, c.organizationId);
        const access = await accessPolicies.current(trx, c.organizationId);
        const before = await roleIn(trx, c.organizationId, key);
        const stored = await store.findRole(trx, c.organizationId, key);
        const fixed: string[] = builtIn ? before.permissions.filter((p) => isPermission(p)) : [];
        const beforeGrants = {
          permissions: before.permissions.filter((p) => !fixed.includes(p)),
          ownPermissions: before.ownPermissions,
        };
        const next = normalizeGrants(access, {
          permissions: patch.permissions ?? beforeGrants.permissions,
          ownPermissions: patch.ownPermissions ?? beforeGrants.ownPermissions,
        });
        if (builtIn) {
          // Its fixed permissions may be sent back unchanged (a whole matrix column); others not.
          const added = next.permissions.filter((p) => isPermission(p) && !fixed.includes(p));
          if (added.length > 0) {
            throw badRequest(
              'ROLE_NOT_EDITABLE',
              "A built-in role's Custos permissions are fixed; only host-app permissions can be granted to it. Create a custom role instead.",
              { permissions: added },
            );
          }
          next.permissions = next.permissions.filter((p) => !isPermission(p));
        }
        assertGrantable(c, access, changedGrants(beforeGrants, next));
        const fields = {
          name: patch.name ?? before.name,
          description: patch.description ?? before.description,
          ...next,
        };
        if (stored) await store.updateRole(trx, c.organizationId, key, fields);
        else await store.insertRole(trx, c.organizationId, { key, builtIn: true, ...fields });
        await audit.record(trx, c, {
          action: 'role.updated',
          targets: [{ type: 'role', id: key, name: fields.name }],
          changes: {
            ...(patch.name !== undefined ? { name: [before.name, fields.name] } : {}),
            ...(patch.description !== undefined
              ? { description: [before.description, fields.description] }
              : {}),
            permissions: [beforeGrants.permissions, next.permissions],
            ownPermissions: [beforeGrants.ownPermissions, next.ownPermissions],
          },
        });
        return roleIn(trx, c.organizationId, key);
      });
    },

    /** A custom role nobody holds and no access rule names can be deleted. */
    async remove(caller: Caller, key: string): Promise<void> {
      const c = authorize(caller, 'access:manage');
      requireStepUp(c);
      if (isRoleName(key)) throw badRequest('ROLE_NOT_EDITABLE', 'Built-in roles cannot be deleted.');
      await db.transaction().execute(async (trx) => {
        await store.bumpAccessVersion(trx, c.organizationId);
        const role = await store.findRole(trx, c.organizationId, key);
        if (!role) throw notFound('ROLE_NOT_FOUND', 'No such role in this organization.');
        const access = await accessPolicies.current(trx, c.organizationId);
        assertGrantable(c, access, role);
        const members = (await store.memberCounts(trx, c.organizationId)).get(key) ?? 0;
        const rules = (await listRuleRows(trx, c.organizationId)).filter((r) => r.role === key).length;
        const [invited, mfaRoles] = await Promise.all([
          invitationPorts.pendingInvitationRoles(trx, c.organizationId),
          securityPolicyPorts.mfaRoles(trx, c.organizationId),
        ]);
        const pendingInvitations = invited.filter((roles) => roles.includes(key)).length;
        const mfaPolicy = mfaRoles.includes(key);
        const inUse =
          members > 0
            ? `${members} member${members === 1 ? ' holds' : 's hold'} this role. Give them other roles first.`
            : rules > 0
              ? `${rules} access rule${rules === 1 ? ' applies' : 's apply'} to this role. Change or delete them first.`
              : pendingInvitations > 0
                ? `${pendingInvitations} pending invitation${pendingInvitations === 1 ? ' gives' : 's give'} this role. Revoke them first.`
                : mfaPolicy
                  ? 'The security policy requires MFA for this role. Take it out of the policy first.'
                  : null;
        if (inUse) {
          throw conflict('ROLE_IN_USE', inUse, {
            memberCount: members,
            accessRuleCount: rules,
            pendingInvitationCount: pendingInvitations,
            mfaPolicy,
          });
        }
        await store.deleteRole(trx, c.organizationId, key);
        await audit.record(trx, c, {
          action: 'role.deleted',
          targets: [{ type: 'role', id: key, name: role.name }],
          changes: { permissions: [role.permissions, null], ownPermissions: [role.ownPermissions, null] },
        });
      });
    },
  };
}

export type RolesService = ReturnType<typeof createRolesService>;
