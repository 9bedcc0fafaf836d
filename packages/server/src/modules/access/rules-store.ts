import { nowIso } from '../../platform/clock';
import type { Executor } from '../../platform/db/executor';
import { parseJson, toJson } from '../../platform/db/json';
import type { DB } from '../../platform/db/schema';
import { identity } from '../identity';
import type { AccessRuleRow } from './rules';

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

export interface StoredRule extends AccessRuleRow {
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface RuleWrite {
  kind: AccessRuleRow['kind'];
  effect: AccessRuleRow['effect'];
  target: AccessRuleRow['target'];
  role: string | null;
  /** ip: CIDRs; country: codes; time: windows (already normalised). */
  value: unknown;
  description: string;
  enabled: boolean;
}

const ruleColumns = [
  'id',
  'kind',
  'effect',
  'target',
  'role',
  'value',
  'description',
  'enabled',
  'createdBy',
  'createdAt',
  'updatedAt',
] as const;

type RuleRecord = Pick<DB['accessRules'], (typeof ruleColumns)[number]>;

function storedRule(r: RuleRecord): StoredRule {
  return {
    id: r.id,
    kind: r.kind as AccessRuleRow['kind'],
    effect: r.effect as AccessRuleRow['effect'],
    target: r.target as AccessRuleRow['target'],
    role: r.role,
    value: parseJson<unknown>(r.value),
    description: r.description,
    enabled: r.enabled === 1,
    createdBy: r.createdBy,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/** The organization's rules with their timestamps, oldest first (the order they are evaluated in). */
export async function listRules(db: Executor, organizationId: string): Promise<StoredRule[]> {
  const rows = await db
    .selectFrom('accessRules')
    .select(ruleColumns)
    .where('organizationId', '=', organizationId)
    .orderBy('createdAt')
    .orderBy('id')
    .execute();
  return rows.map(storedRule);
}

export async function findRule(
  db: Executor,
  organizationId: string,
  id: string,
): Promise<StoredRule | undefined> {
  const row = await db
    .selectFrom('accessRules')
    .select(ruleColumns)
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && storedRule(row);
}

export async function insertRule(
  trx: Executor,
  organizationId: string,
  rule: RuleWrite & { id: string },
  createdBy: string | null,
): Promise<StoredRule> {
  const at = nowIso();
  const row = {
    id: rule.id,
    organizationId,
    kind: rule.kind,
    effect: rule.effect,
    target: rule.target,
    role: rule.role,
    value: toJson(rule.value),
    description: rule.description,
    enabled: rule.enabled ? 1 : 0,
    createdBy,
    createdAt: at,
    updatedAt: at,
  };
  await trx.insertInto('accessRules').values(row).execute();
  return storedRule(row);
}

export async function updateRule(
  trx: Executor,
  organizationId: string,
  id: string,
  rule: Omit<RuleWrite, 'kind'>,
): Promise<void> {
  await trx
    .updateTable('accessRules')
    .set({
      effect: rule.effect,
      target: rule.target,
      role: rule.role,
      value: toJson(rule.value),
      description: rule.description,
      enabled: rule.enabled ? 1 : 0,
      updatedAt: nowIso(),
    })
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .execute();
}

export async function deleteRule(trx: Executor, organizationId: string, id: string): Promise<void> {
  await trx
    .deleteFrom('accessRules')
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .execute();
}

/** Break-glass: switches every enabled rule off; answers the ids it switched off. */
export async function disableAllRules(trx: Executor, organizationId: string): Promise<string[]> {
  const rows = await trx
    .selectFrom('accessRules')
    .select('id')
    .where('organizationId', '=', organizationId)
    .where('enabled', '=', 1)
    .execute();
  if (rows.length === 0) return [];
  await trx
    .updateTable('accessRules')
    .set({ enabled: 0, updatedAt: nowIso() })
    .where('organizationId', '=', organizationId)
    .where('enabled', '=', 1)
    .execute();
  return rows.map((r) => r.id);
}

/** The organization's time zone lives on its row, which identity owns. */
export const setTimeZone = (trx: Executor, organizationId: string, timeZone: string) =>
  identity.setTimeZone(trx, organizationId, timeZone);
