import { OPEN_REQUEST_STATES } from '@custos/shared';
import type { ExpressionBuilder } from 'kysely';
import type { Executor } from '../../platform/db/executor';
import type { DB } from '../../platform/db/schema';
import type { PrivacyRequestEventsTable, PrivacyRequestsTable } from './tables';

/** Data subject requests and their timelines. Every query of one organization filters by it. */

export type RequestRow = PrivacyRequestsTable;
export type RequestEventRow = PrivacyRequestEventsTable;

const OPEN = [...OPEN_REQUEST_STATES];

/** The clock runs: it does not wait for verification, or the subject is verified. */
const clockRuns = (eb: ExpressionBuilder<DB, 'privacyRequests'>) =>
  eb.or([eb('clockWaits', '=', 0), eb('verifiedAt', 'is not', null)]);

export async function insertRequest(db: Executor, row: RequestRow): Promise<void> {
  await db.insertInto('privacyRequests').values(row).execute();
}

export async function findRequest(
  db: Executor,
  organizationId: string,
  id: string,
): Promise<RequestRow | undefined> {
  return db
    .selectFrom('privacyRequests')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** The oldest open request of the same type for the same subject (by subject key or e-mail index). */
export async function findOpenDuplicate(
  db: Executor,
  organizationId: string,
  match: { type: string; subjectKey: string; emailIndex: string | null },
): Promise<RequestRow | undefined> {
  return db
    .selectFrom('privacyRequests')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .where('type', '=', match.type)
    .where('state', 'in', OPEN)
    .where((eb) => {
      const same = [eb('subjectKey', '=', match.subjectKey)];
      if (match.emailIndex) same.push(eb('emailIndex', '=', match.emailIndex));
      return eb.or(same);
    })
    .orderBy('receivedAt', 'asc')
    .limit(1)
    .executeTakeFirst();
}

/**
 * Applies a transition only if the request is still in one of `from` (two admins acting at once:
 * one wins, the other's update matches nothing). Answers whether it applied.
 */
export async function transition(
  db: Executor,
  organizationId: string,
  id: string,
  from: readonly string[],
  set: Partial<Omit<RequestRow, 'id' | 'organizationId'>>,
): Promise<boolean> {
  const result = await db
    .updateTable('privacyRequests')
    .set(set)
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .where('state', 'in', [...from])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function insertEvent(db: Executor, row: RequestEventRow): Promise<void> {
  await db.insertInto('privacyRequestEvents').values(row).execute();
}

export async function listEvents(
  db: Executor,
  organizationId: string,
  requestId: string,
): Promise<RequestEventRow[]> {
  return db
    .selectFrom('privacyRequestEvents')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .where('requestId', '=', requestId)
    .orderBy('at', 'asc')
    .orderBy('id', 'asc')
    .execute();
}

export interface RequestFilters {
  states?: readonly string[];
  type?: string;
  /** true: open, clock running, past due; false: anything else. */
  overdue?: boolean;
  /** Due on or before this date (YYYY-MM-DD, the request's own zone). */
  dueBefore?: string;
  limit: number;
}

/** Requests by due date (soonest first), filtered. */
export async function listRequests(
  db: Executor,
  organizationId: string,
  filters: RequestFilters,
  now: string,
): Promise<RequestRow[]> {
  let query = db.selectFrom('privacyRequests').selectAll().where('organizationId', '=', organizationId);
  if (filters.states && filters.states.length > 0) query = query.where('state', 'in', [...filters.states]);
  if (filters.type) query = query.where('type', '=', filters.type);
  if (filters.dueBefore) query = query.where('dueDate', '<=', filters.dueBefore);
  if (filters.overdue === true) {
    query = query.where('state', 'in', OPEN).where('dueAt', '<', now).where(clockRuns);
  } else if (filters.overdue === false) {
    query = query.where((eb) =>
      eb.or([eb('state', 'not in', OPEN), eb('dueAt', '>=', now), eb.not(clockRuns(eb))]),
    );
  }
  return query.orderBy('dueAt', 'asc').orderBy('id', 'asc').limit(filters.limit).execute();
}

// ---- the clock sweep (every organization) ----

/** Open requests whose clock runs and whose due instant is before `horizon`, soonest first. */
export async function openRequestsDueBefore(
  db: Executor,
  horizon: string,
  after: { dueAt: string; id: string } | null,
  limit: number,
): Promise<RequestRow[]> {
  let query = db
    .selectFrom('privacyRequests')
    .selectAll()
    .where('state', 'in', OPEN)
    .where('dueAt', '<', horizon)
    .where(clockRuns);
  if (after) {
    const { dueAt, id } = after;
    query = query.where((eb) =>
      eb.or([eb('dueAt', '>', dueAt), eb.and([eb('dueAt', '=', dueAt), eb('id', '>', id)])]),
    );
  }
  return query.orderBy('dueAt', 'asc').orderBy('id', 'asc').limit(limit).execute();
}

/** Records that the reminder of `date` was given; false when it (or a later one) already was. */
export async function claimReminder(
  db: Executor,
  organizationId: string,
  id: string,
  date: string,
): Promise<boolean> {
  const result = await db
    .updateTable('privacyRequests')
    .set({ remindedFor: date })
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .where((eb) => eb.or([eb('remindedFor', 'is', null), eb('remindedFor', '<', date)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Marks the overdue alert raised; false when another run did it first. */
export async function claimOverdueAlert(
  db: Executor,
  organizationId: string,
  id: string,
  at: string,
): Promise<boolean> {
  const result = await db
    .updateTable('privacyRequests')
    .set({ overdueAlertedAt: at })
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .where('overdueAlertedAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

// ---- the super admin's view (every organization) ----

export async function countsByOrganizationAndState(
  db: Executor,
): Promise<{ organizationId: string; state: string; n: number }[]> {
  const rows = await db
    .selectFrom('privacyRequests')
    .select(['organizationId', 'state', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy(['organizationId', 'state'])
    .execute();
  return rows.map((r) => ({ ...r, n: Number(r.n) }));
}

export async function overdueRequests(
  db: Executor,
  now: string,
  limit: number,
): Promise<Pick<RequestRow, 'id' | 'organizationId' | 'type' | 'regime' | 'state' | 'dueAt'>[]> {
  return db
    .selectFrom('privacyRequests')
    .select(['id', 'organizationId', 'type', 'regime', 'state', 'dueAt'])
    .where('state', 'in', OPEN)
    .where('dueAt', '<', now)
    .where(clockRuns)
    .orderBy('dueAt', 'asc')
    .limit(limit)
    .execute();
}

export async function overdueCounts(db: Executor, now: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('privacyRequests')
    .select(['organizationId', (eb) => eb.fn.countAll<number>().as('n')])
    .where('state', 'in', OPEN)
    .where('dueAt', '<', now)
    .where(clockRuns)
    .groupBy('organizationId')
    .execute();
  return new Map(rows.map((r) => [r.organizationId, Number(r.n)]));
}

/** Receipt and completion of requests completed since `since`. */
export async function completions(
  db: Executor,
  since: string,
): Promise<{ organizationId: string; receivedAt: string; closedAt: string | null }[]> {
  return db
    .selectFrom('privacyRequests')
    .select(['organizationId', 'receivedAt', 'closedAt'])
    .where('state', '=', 'completed')
    .where('closedAt', '>=', since)
    .execute();
}
