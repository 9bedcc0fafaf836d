import type { Executor } from '../../../platform/db/executor';
import type { JsonColumn } from '../../../platform/db/json';
import type { PrivacyRetentionRulesTable, PrivacyRetentionRunsTable } from '../tables';

/** Retention rules and runs. Every query of one organization filters by it. */

export type RuleRow = PrivacyRetentionRulesTable;
export type RunRow = PrivacyRetentionRunsTable;

export async function listRules(db: Executor, organizationId: string): Promise<RuleRow[]> {
  return db
    .selectFrom('privacyRetentionRules')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .orderBy('createdAt', 'asc')
    .orderBy('id', 'asc')
    .execute();
}

export async function findRule(
  db: Executor,
  organizationId: string,
  id: string,
): Promise<RuleRow | undefined> {
  return db
    .selectFrom('privacyRetentionRules')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function findRuleFor(
  db: Executor,
  organizationId: string,
  systemId: string,
  categoryKey: string,
): Promise<RuleRow | undefined> {
  return db
    .selectFrom('privacyRetentionRules')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .where('systemId', '=', systemId)
    .where('categoryKey', '=', categoryKey)
    .executeTakeFirst();
}

export async function insertRule(db: Executor, row: RuleRow): Promise<void> {
  await db.insertInto('privacyRetentionRules').values(row).execute();
}

/** The built-in defaults: a rule already there (changed or not) is kept as it is. */
export async function insertDefaultRules(db: Executor, rows: RuleRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('privacyRetentionRules')
    .values(rows)
    .onConflict((oc) => oc.columns(['systemId', 'categoryKey']).doNothing())
    .execute();
}

export async function updateRule(
  db: Executor,
  organizationId: string,
  id: string,
  set: Partial<Omit<RuleRow, 'id' | 'organizationId' | 'systemId' | 'categoryKey'>>,
): Promise<void> {
  await db
    .updateTable('privacyRetentionRules')
    .set(set)
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .execute();
}

export async function deleteRule(db: Executor, organizationId: string, id: string): Promise<void> {
  await db
    .deleteFrom('privacyRetentionRules')
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .execute();
}

export async function markRulesRun(db: Executor, organizationId: string, ids: string[], at: string) {
  if (ids.length === 0) return;
  await db
    .updateTable('privacyRetentionRules')
    .set({ lastRunAt: at })
    .where('organizationId', '=', organizationId)
    .where('id', 'in', ids)
    .execute();
}

export async function insertRun(db: Executor, row: RunRow): Promise<void> {
  await db.insertInto('privacyRetentionRuns').values(row).execute();
}

export async function finishRun(
  db: Executor,
  organizationId: string,
  id: string,
  set: { state: string; summary: JsonColumn; finishedAt: string },
): Promise<void> {
  await db
    .updateTable('privacyRetentionRuns')
    .set(set)
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .execute();
}

export async function listRuns(db: Executor, organizationId: string, limit: number): Promise<RunRow[]> {
  return db
    .selectFrom('privacyRetentionRuns')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .orderBy('startedAt', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export async function findRun(db: Executor, organizationId: string, id: string): Promise<RunRow | undefined> {
  return db
    .selectFrom('privacyRetentionRuns')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** The retention tasks of some runs with their state now (the run's report shows it). */
export async function tasksOfRuns(
  db: Executor,
  organizationId: string,
  runIds: string[],
): Promise<{ id: string; state: string }[]> {
  if (runIds.length === 0) return [];
  return db
    .selectFrom('privacyTasks')
    .select(['id', 'state'])
    .where('organizationId', '=', organizationId)
    .where('retentionRunId', 'in', runIds)
    .execute();
}

/** Organizations with the privacy module in use (their built-in system exists): the scheduler's list. */
export async function organizationsInUse(db: Executor): Promise<string[]> {
  const rows = await db
    .selectFrom('privacySystems')
    .select('organizationId')
    .where('kind', '=', 'custos')
    .orderBy('organizationId')
    .execute();
  return rows.map((r) => r.organizationId);
}

/**
 * Results uploaded for tasks that finished before `cutoff`, of requests that are closed (a
 * request still open may need its results for the subject's package).
 */
function expiredResults(db: Executor, organizationId: string, cutoff: string) {
  return db
    .selectFrom('privacyTasks as t')
    .innerJoin('privacyRequests as r', 'r.id', 't.requestId')
    .select('t.id')
    .where('t.organizationId', '=', organizationId)
    .where('t.finishedAt', '<', cutoff)
    .where('r.state', 'in', ['completed', 'denied', 'canceled']);
}

export async function countExpiredResults(db: Executor, organizationId: string, cutoff: string) {
  const row = await db
    .selectFrom('privacyTaskResults')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('organizationId', '=', organizationId)
    .where('taskId', 'in', expiredResults(db, organizationId, cutoff))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function deleteExpiredResults(db: Executor, organizationId: string, cutoff: string) {
  const result = await db
    .deleteFrom('privacyTaskResults')
    .where('organizationId', '=', organizationId)
    .where('taskId', 'in', expiredResults(db, organizationId, cutoff))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Retention tasks still waiting on their host (a rule gets no new one until its last is done). */
export async function openRetentionTasks(db: Executor, organizationId: string) {
  return db
    .selectFrom('privacyTasks')
    .select(['id', 'payload'])
    .where('organizationId', '=', organizationId)
    .where('kind', '=', 'retention')
    .where('state', 'in', ['queued', 'delivered', 'claimed'])
    .execute();
}
