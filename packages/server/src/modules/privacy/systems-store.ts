import type { Executor } from '../../platform/db/executor';
import { toJson } from '../../platform/db/json';
import type {
  PrivacyCustomCategoriesTable,
  PrivacySystemCategoriesTable,
  PrivacySystemsTable,
} from './tables';

/** The data map's SQL: systems, the categories they hold, the organization's own categories. */

export type SystemRow = PrivacySystemsTable;
export type SystemCategoryRow = PrivacySystemCategoriesTable;
export type CustomCategoryRow = PrivacyCustomCategoriesTable;

export async function listSystems(db: Executor, organizationId: string): Promise<SystemRow[]> {
  return (
    db
      .selectFrom('privacySystems')
      .selectAll()
      .where('organizationId', '=', organizationId)
      // The built-in system first, then by name.
      .orderBy('kind', 'asc')
      .orderBy('name', 'asc')
      .execute()
  );
}

export async function findSystem(
  db: Executor,
  organizationId: string,
  id: string,
): Promise<SystemRow | undefined> {
  return db
    .selectFrom('privacySystems')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function findSystemByName(
  db: Executor,
  organizationId: string,
  name: string,
): Promise<SystemRow | undefined> {
  return db
    .selectFrom('privacySystems')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .where('name', '=', name)
    .executeTakeFirst();
}

/** Inserts the built-in system unless the organization has it (a concurrent first read may race). */
export async function ensureBuiltIn(db: Executor, row: SystemRow): Promise<void> {
  await db
    .insertInto('privacySystems')
    .values(row)
    .onConflict((oc) => oc.columns(['organizationId', 'builtIn']).doNothing())
    .execute();
}

export async function hasBuiltIn(db: Executor, organizationId: string): Promise<boolean> {
  const row = await db
    .selectFrom('privacySystems')
    .select('id')
    .where('organizationId', '=', organizationId)
    .where('builtIn', '=', 'custos')
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertSystem(db: Executor, row: SystemRow): Promise<void> {
  await db.insertInto('privacySystems').values(row).execute();
}

export async function updateSystem(
  db: Executor,
  organizationId: string,
  id: string,
  set: Partial<Omit<SystemRow, 'id' | 'organizationId' | 'kind' | 'builtIn'>>,
): Promise<void> {
  await db
    .updateTable('privacySystems')
    .set(set)
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .execute();
}

export async function deleteSystem(db: Executor, organizationId: string, id: string): Promise<void> {
  await db
    .deleteFrom('privacySystems')
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .where('builtIn', 'is', null)
    .execute();
}

export async function categoriesOf(db: Executor, organizationId: string): Promise<SystemCategoryRow[]> {
  return db
    .selectFrom('privacySystemCategories')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .orderBy('systemId')
    .orderBy('position')
    .execute();
}

/** Replaces a system's category entries with `rows` (in their order). */
export async function replaceCategories(
  db: Executor,
  organizationId: string,
  systemId: string,
  rows: SystemCategoryRow[],
): Promise<void> {
  await db
    .deleteFrom('privacySystemCategories')
    .where('organizationId', '=', organizationId)
    .where('systemId', '=', systemId)
    .execute();
  if (rows.length > 0) await db.insertInto('privacySystemCategories').values(rows).execute();
}

export async function listCustomCategories(
  db: Executor,
  organizationId: string,
): Promise<CustomCategoryRow[]> {
  return db
    .selectFrom('privacyCustomCategories')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .orderBy('key')
    .execute();
}

export async function findCustomCategory(
  db: Executor,
  organizationId: string,
  id: string,
): Promise<CustomCategoryRow | undefined> {
  return db
    .selectFrom('privacyCustomCategories')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function insertCustomCategory(db: Executor, row: CustomCategoryRow): Promise<void> {
  await db.insertInto('privacyCustomCategories').values(row).execute();
}

export async function updateCustomCategory(
  db: Executor,
  organizationId: string,
  id: string,
  set: Partial<Pick<CustomCategoryRow, 'name' | 'description' | 'special' | 'phi' | 'updatedAt'>>,
): Promise<void> {
  await db
    .updateTable('privacyCustomCategories')
    .set(set)
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .execute();
}

export async function deleteCustomCategory(db: Executor, organizationId: string, id: string): Promise<void> {
  await db
    .deleteFrom('privacyCustomCategories')
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .execute();
}

/** How many systems of the organization list the category. */
export async function categoryUses(db: Executor, organizationId: string, key: string): Promise<number> {
  const row = await db
    .selectFrom('privacySystemCategories')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('organizationId', '=', organizationId)
    .where('categoryKey', '=', key)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export const jsonList = (values: readonly unknown[]) => toJson(values);
