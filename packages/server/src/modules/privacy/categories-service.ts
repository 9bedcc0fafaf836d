import {
  type CreateCustomCategoryBody,
  CUSTOM_CATEGORY_PREFIX,
  type CustomCategoryOut,
  type UpdateCustomCategoryBody,
} from '@custos/shared';
import type { z } from 'zod';
import type { Deps } from '../../deps';
import { nowIso } from '../../platform/clock';
import { newId } from '../../platform/crypto/tokens';
import { isUniqueViolation } from '../../platform/db/errors';
import { authorize, type Caller } from '../../platform/http/caller';
import { conflict, notFound } from '../../platform/http/errors';
import { presentCustomCategory } from './present';
import * as store from './systems-store';

type CreateBody = z.output<typeof CreateCustomCategoryBody>;
type UpdateBody = z.output<typeof UpdateCustomCategoryBody>;

const notFoundCategory = () =>
  notFound('PRIVACY_CATEGORY_NOT_FOUND', 'No such custom category in this organization.');

/** The organization's own data categories (`custom.<slug>`), beside the shared taxonomy. */
export function createCategoriesService(deps: Pick<Deps, 'db' | 'audit'>) {
  const { db, audit } = deps;
  return {
    async create(caller: Caller, body: CreateBody): Promise<CustomCategoryOut> {
      const c = authorize(caller, 'privacy:manage');
      const at = nowIso();
      const row: store.CustomCategoryRow = {
        id: newId(),
        organizationId: c.organizationId,
        key: `${CUSTOM_CATEGORY_PREFIX}${body.slug}`,
        name: body.name,
        description: body.description,
        special: body.special ? 1 : 0,
        phi: body.phi ? 1 : 0,
        createdAt: at,
        updatedAt: at,
      };
      try {
        await db.transaction().execute(async (trx) => {
          await store.insertCustomCategory(trx, row);
          await audit.record(trx, c, {
            action: 'privacy_category.created',
            targets: [{ type: 'privacy_category', id: row.id, name: row.key }],
            metadata: { special: body.special, phi: body.phi },
          });
        });
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw conflict(
            'PRIVACY_CATEGORY_TAKEN',
            `The organization already has ${row.key}: pick another slug.`,
          );
        }
        throw error;
      }
      return presentCustomCategory(row);
    },

    async update(caller: Caller, id: string, body: UpdateBody): Promise<CustomCategoryOut> {
      const c = authorize(caller, 'privacy:manage');
      return db.transaction().execute(async (trx) => {
        const before = await store.findCustomCategory(trx, c.organizationId, id);
        if (!before) throw notFoundCategory();
        await store.updateCustomCategory(trx, c.organizationId, id, {
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(body.description !== undefined ? { description: body.description } : {}),
          ...(body.special !== undefined ? { special: body.special ? 1 : 0 } : {}),
          ...(body.phi !== undefined ? { phi: body.phi ? 1 : 0 } : {}),
          updatedAt: nowIso(),
        });
        await audit.record(trx, c, {
          action: 'privacy_category.updated',
          targets: [{ type: 'privacy_category', id, name: before.key }],
          metadata: { fields: Object.keys(body) },
        });
        const after = await store.findCustomCategory(trx, c.organizationId, id);
        if (!after) throw notFoundCategory();
        return presentCustomCategory(after);
      });
    },

    /** Refused while a system lists the category: the data map must not point at nothing. */
    async remove(caller: Caller, id: string): Promise<void> {
      const c = authorize(caller, 'privacy:manage');
      await db.transaction().execute(async (trx) => {
        const row = await store.findCustomCategory(trx, c.organizationId, id);
        if (!row) throw notFoundCategory();
        const uses = await store.categoryUses(trx, c.organizationId, row.key);
        if (uses > 0) {
          throw conflict(
            'PRIVACY_CATEGORY_IN_USE',
            `${uses} system(s) list ${row.key}: remove it from them first.`,
            { systems: uses },
          );
        }
        await store.deleteCustomCategory(trx, c.organizationId, id);
        await audit.record(trx, c, {
          action: 'privacy_category.deleted',
          targets: [{ type: 'privacy_category', id, name: row.key }],
        });
      });
    },
  };
}

export type CategoriesService = ReturnType<typeof createCategoriesService>;
