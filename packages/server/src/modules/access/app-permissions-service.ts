import type { RegisterAppPermissionsResult } from '@custos/shared';
import { type AppPermissionOut, isPermission, PERMISSIONS, type Permission } from '@custos/shared';
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps';
import type { DB } from '../../platform/db/schema';
import { authorize, type Caller, type OrganizationCaller } from '../../platform/http/caller';
import { badRequest, notFound } from '../../platform/http/errors';
import * as store from './store';

/** Custos' own resources: a host app cannot register permissions in them (no confusion, no shadowing). */
export const RESERVED_RESOURCES: ReadonlySet<string> = new Set(
  Object.keys(PERMISSIONS).map((p) => p.slice(0, p.indexOf(':'))),
);

/** The caller must hold one of `permissions`; the 403 names the first. */
function authorizeAny(caller: Caller, [first, ...others]: [Permission, ...Permission[]]): OrganizationCaller {
  const held = others.find((p) => caller.kind !== 'anonymous' && caller.permissions.has(p));
  return authorize(caller, held ?? first);
}

/** Takes removed permissions out of every role that granted them. */
async function dropGrants(trx: Transaction<DB>, organizationId: string, removed: ReadonlySet<string>) {
  for (const role of await store.listRoles(trx, organizationId)) {
    const permissions = role.permissions.filter((p) => !removed.has(p));
    const ownPermissions = role.ownPermissions.filter((p) => !removed.has(p));
    if (
      permissions.length === role.permissions.length &&
      ownPermissions.length === role.ownPermissions.length
    )
      continue;
    await store.updateRole(trx, organizationId, role.key, { ...role, permissions, ownPermissions });
  }
}

export function createAppPermissionsService(deps: Deps) {
  const { db, audit } = deps;
  return {
    async list(caller: Caller): Promise<AppPermissionOut[]> {
      const c = authorizeAny(caller, ['access:read', 'access:register']);
      return store.listAppPermissions(db, c.organizationId);
    },

    /**
     * The host app declares its permissions (e.g. on every deploy): new ones are added, changed
     * descriptions updated; with `prune`, the ones not declared are removed with every grant of
     * them. Declaring the same set again changes nothing and records nothing.
     */
    async register(
      caller: Caller,
      body: { permissions: { key: string; description: string }[]; prune: boolean },
    ): Promise<RegisterAppPermissionsResult> {
      const c = authorize(caller, 'access:register');
      const keys = body.permissions.map((p) => p.key);
      const reserved = keys.filter(
        (k) => isPermission(k) || RESERVED_RESOURCES.has(k.slice(0, k.indexOf(':'))),
      );
      if (reserved.length > 0) {
        throw badRequest(
          'PERMISSION_RESERVED',
          "These resources are Custos' own; name the host app's resources differently.",
          {
            reserved,
          },
        );
      }
      const duplicates = keys.filter((k, i) => keys.indexOf(k) !== i);
      if (duplicates.length > 0) {
        throw badRequest('VALIDATION_FAILED', 'Each permission may be declared once.', {
          duplicates: [...new Set(duplicates)],
        });
      }
      const registeredBy = c.kind === 'apiKey' ? c.apiKeyId : c.userId;
      return db.transaction().execute(async (trx) => {
        const existing = new Map(
          (await store.listAppPermissions(trx, c.organizationId)).map((p) => [p.key, p]),
        );
        const added = body.permissions.filter((p) => !existing.has(p.key)).map((p) => p.key);
        const updated = body.permissions
          .filter((p) => existing.has(p.key) && existing.get(p.key)?.description !== p.description)
          .map((p) => p.key);
        const declared = new Set(keys);
        const removed = body.prune ? [...existing.keys()].filter((k) => !declared.has(k)) : [];
        if (added.length + updated.length + removed.length > 0) {
          await store.bumpAccessVersion(trx, c.organizationId);
          for (const p of body.permissions) {
            if (added.includes(p.key) || updated.includes(p.key)) {
              await store.upsertAppPermission(trx, c.organizationId, { ...p, registeredBy });
            }
          }
          await store.deleteAppPermissions(trx, c.organizationId, removed);
          await dropGrants(trx, c.organizationId, new Set(removed));
          await audit.record(trx, c, {
            action: 'app_permissions.registered',
            targets: [...added, ...updated, ...removed]
              .slice(0, 50)
              .map((key) => ({ type: 'permission', id: key })),
            metadata: { added, updated, removed },
          });
        }
        const permissions = await store.listAppPermissions(trx, c.organizationId);
        return { permissions, added, updated, removed };
      });
    },

    /** The host app withdraws one of its permissions (its own to withdraw), with every grant of it. */
    async remove(caller: Caller, key: string): Promise<void> {
      const c = authorize(caller, 'access:register');
      await db.transaction().execute(async (trx) => {
        await store.bumpAccessVersion(trx, c.organizationId);
        const existing = (await store.listAppPermissions(trx, c.organizationId)).find((p) => p.key === key);
        if (!existing)
          throw notFound('APP_PERMISSION_NOT_FOUND', 'The host app has not registered this permission.');
        await store.deleteAppPermissions(trx, c.organizationId, [key]);
        await dropGrants(trx, c.organizationId, new Set([key]));
        await audit.record(trx, c, {
          action: 'app_permission.deleted',
          targets: [{ type: 'permission', id: key }],
          changes: { description: [existing.description, null] },
        });
      });
    },
  };
}

export type AppPermissionsService = ReturnType<typeof createAppPermissionsService>;
