import type { Kysely, Transaction } from 'kysely';
import { parseJson } from '../../platform/db/json';
import type { DB } from '../../platform/db/schema';
import type { AccessRuleRow } from './rules';

type Executor = Kysely<DB> | Transaction<DB>;

/** Every rule of the organization (enabled or not), oldest first, as the policy compiles them. */
export async function listRuleRows(db: Executor, organizationId: string): Promise<AccessRuleRow[]> {
  const rows = await db
    .selectFrom('accessRules')
    .select(['id', 'kind', 'effect', 'target', 'role', 'value', 'description', 'enabled'])
    .where('organizationId', '=', organizationId)
    .orderBy('createdAt')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind as AccessRuleRow['kind'],
    effect: r.effect as AccessRuleRow['effect'],
    target: r.target as AccessRuleRow['target'],
    role: r.role,
    value: parseJson<unknown>(r.value),
    description: r.description,
    enabled: r.enabled === 1,
  }));
}
