import type { ExpressionBuilder } from 'kysely';
import type { Executor } from '../../../platform/db/executor';
import type { DB } from '../../../platform/db/schema';
import type { PrivacyTaskResultsTable, PrivacyTasksTable } from '../tables';

/** Per-system tasks of requests and their uploaded results. Every query of one organization filters by it. */

export type TaskRow = PrivacyTasksTable;
export type TaskResultRow = PrivacyTaskResultsTable;
export type TaskState = 'queued' | 'delivered' | 'claimed' | 'done' | 'failed' | 'skipped';

/** States a task is still waiting in (the request cannot complete while one is). */
export const UNFINISHED: TaskState[] = ['queued', 'delivered', 'claimed', 'failed'];

export async function insertTasks(db: Executor, rows: TaskRow[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('privacyTasks').values(rows).execute();
}

export async function findTask(
  db: Executor,
  organizationId: string,
  id: string,
): Promise<TaskRow | undefined> {
  return db
    .selectFrom('privacyTasks')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function tasksOfRequest(
  db: Executor,
  organizationId: string,
  requestId: string,
): Promise<(TaskRow & { systemName: string })[]> {
  return db
    .selectFrom('privacyTasks as t')
    .innerJoin('privacySystems as s', 's.id', 't.systemId')
    .selectAll('t')
    .select('s.name as systemName')
    .where('t.organizationId', '=', organizationId)
    .where('t.requestId', '=', requestId)
    .orderBy('t.createdAt', 'asc')
    .orderBy('t.id', 'asc')
    .execute();
}

/**
 * Moves a task only if it is still in one of `from` (and, when given, still holds `lease`): two
 * workers or pollers acting at once, one wins. Answers whether it applied.
 */
export async function moveTask(
  db: Executor,
  organizationId: string,
  id: string,
  from: readonly TaskState[],
  set: Partial<Omit<TaskRow, 'id' | 'organizationId'>>,
  lease?: { leaseUntil: string | null },
): Promise<boolean> {
  let query = db
    .updateTable('privacyTasks')
    .set(set)
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .where('state', 'in', [...from]);
  if (lease) {
    query =
      lease.leaseUntil === null
        ? query.where('leaseUntil', 'is', null)
        : query.where('leaseUntil', '=', lease.leaseUntil);
  }
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Tasks of a request closed by hand (completed, denied, canceled) are no longer handed out. */
const requestInProgress = (eb: ExpressionBuilder<DB, 'privacyTasks'>) =>
  eb.or([
    eb('requestId', 'is', null),
    eb.exists(
      eb
        .selectFrom('privacyRequests as r')
        .select('r.id')
        .whereRef('r.id', '=', 'privacyTasks.requestId')
        .where('r.state', '=', 'in_progress'),
    ),
  ]);

/** A polling system's tasks a poller may take: queued, or claimed with a lease run out (a crashed poller). */
export async function claimable(
  db: Executor,
  organizationId: string,
  systemId: string,
  now: string,
  limit: number,
): Promise<TaskRow[]> {
  return db
    .selectFrom('privacyTasks')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .where('systemId', '=', systemId)
    .where('delivery', '=', 'polling')
    .where(requestInProgress)
    .where((eb) =>
      eb.or([eb('state', '=', 'queued'), eb.and([eb('state', '=', 'claimed'), eb('leaseUntil', '<', now)])]),
    )
    .orderBy('createdAt', 'asc')
    .orderBy('id', 'asc')
    .limit(limit)
    .execute();
}

/** Webhook and built-in tasks whose next attempt is due (every organization), oldest first. */
export async function dueTasks(db: Executor, now: string, limit: number): Promise<TaskRow[]> {
  return db
    .selectFrom('privacyTasks')
    .selectAll()
    .where('state', '=', 'queued')
    .where('delivery', 'in', ['webhook', 'builtin'])
    .where(requestInProgress)
    .where('nextAttemptAt', '<=', now)
    .orderBy('nextAttemptAt', 'asc')
    .limit(limit)
    .execute();
}

/** Takes one attempt of a queued task: the attempt count and due time must be the ones seen. */
export async function claimAttempt(
  db: Executor,
  task: Pick<TaskRow, 'id' | 'organizationId' | 'attempts' | 'nextAttemptAt'>,
  leaseUntil: string,
): Promise<boolean> {
  if (task.nextAttemptAt === null) return false;
  const result = await db
    .updateTable('privacyTasks')
    .set({ attempts: task.attempts + 1, nextAttemptAt: leaseUntil })
    .where('organizationId', '=', task.organizationId)
    .where('id', '=', task.id)
    .where('state', '=', 'queued')
    .where('attempts', '=', task.attempts)
    .where('nextAttemptAt', '=', task.nextAttemptAt)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function countUnfinished(
  db: Executor,
  organizationId: string,
  requestId: string,
): Promise<{ total: number; unfinished: number }> {
  const rows = await db
    .selectFrom('privacyTasks')
    .select(['state'])
    .where('organizationId', '=', organizationId)
    .where('requestId', '=', requestId)
    .execute();
  return {
    total: rows.length,
    unfinished: rows.filter((r) => (UNFINISHED as string[]).includes(r.state)).length,
  };
}

export async function insertResult(db: Executor, row: TaskResultRow): Promise<void> {
  await db.insertInto('privacyTaskResults').values(row).execute();
}

export async function resultsOf(
  db: Executor,
  organizationId: string,
  taskIds: string[],
): Promise<TaskResultRow[]> {
  if (taskIds.length === 0) return [];
  return db
    .selectFrom('privacyTaskResults')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .where('taskId', 'in', taskIds)
    .execute();
}

export async function deleteResultsOf(db: Executor, organizationId: string, taskId: string): Promise<void> {
  await db
    .deleteFrom('privacyTaskResults')
    .where('organizationId', '=', organizationId)
    .where('taskId', '=', taskId)
    .execute();
}

/** Lets Custos' own erasure task run now (it waits until every host task is finished). */
export async function releaseHeldTask(
  trx: Executor,
  organizationId: string,
  taskId: string,
  at: string,
): Promise<void> {
  await trx
    .updateTable('privacyTasks')
    .set({ nextAttemptAt: at, updatedAt: at })
    .where('organizationId', '=', organizationId)
    .where('id', '=', taskId)
    .execute();
}
