import type { SecurityEventStatus, Severity } from '@custos/shared';
import { type Kysely, sql, type Transaction } from 'kysely';
import { nowIso } from '../../platform/clock';
import { newId } from '../../platform/crypto/tokens';
import type { Dialect } from '../../platform/db/database';
import { toJson } from '../../platform/db/json';
import type { DB } from '../../platform/db/schema';
import type { DetectionEvidence } from './detection';
import type { ActivityKind, ActivityRow, SecurityEventRow } from './present';

type Executor = Kysely<DB> | Transaction<DB>;

/** Evidence kept per event: enough to investigate, bounded so an hour-long attack cannot grow it. */
export const EVIDENCE_CAP = 100;

/**
 * A JSON column as its text: PostgreSQL hands jsonb back parsed, and the CamelCasePlugin would then
 * rename its keys (snake_case detector names and figures must come back as written).
 */
export const jsonText = (column: string) => sql<string>`cast(${sql.ref(column)} as text)`;

const eventColumns = [
  'e.id',
  'e.organizationId',
  'e.type',
  'e.severity',
  'e.status',
  'e.subjectType',
  'e.subjectId',
  'e.subjectLabel',
  'e.sourceIp',
  'e.country',
  'e.dedupKey',
  'e.count',
  'e.explanation',
  jsonText('e.details').as('details'),
  'e.firstSeenAt',
  'e.lastSeenAt',
  'e.assigneeId',
  'u.name as assigneeName',
  'e.createdAt',
  'e.updatedAt',
] as const;

const selectEvents = (db: Executor) =>
  db.selectFrom('securityEvents as e').leftJoin('users as u', 'u.id', 'e.assigneeId').select(eventColumns);

export async function findEvent(
  db: Executor,
  organizationId: string,
  id: string,
): Promise<SecurityEventRow | undefined> {
  return selectEvents(db)
    .where('e.organizationId', '=', organizationId)
    .where('e.id', '=', id)
    .executeTakeFirst();
}

/**
 * Serializes raises of one dedup key across processes on PostgreSQL (a transaction-scoped advisory
 * lock); SQLite has one writer, so its transactions are serial already.
 */
export async function lockDedupKey(
  trx: Transaction<DB>,
  dialect: Dialect,
  organizationId: string,
  dedupKey: string,
): Promise<void> {
  if (dialect !== 'postgres') return;
  await sql`select pg_advisory_xact_lock(hashtextextended(${`custos:threat:${organizationId}:${dedupKey}`}, 0))`.execute(
    trx,
  );
}

/** Statuses a new signal folds into; a resolved or false-positive event stays as it was closed. */
const FOLDABLE: SecurityEventStatus[] = ['open', 'acknowledged'];

/** The event a new signal of this key folds into: open or acknowledged, never a closed one. */
export async function findFoldableEvent(
  db: Executor,
  organizationId: string,
  dedupKey: string,
): Promise<SecurityEventRow | undefined> {
  return selectEvents(db)
    .where('e.organizationId', '=', organizationId)
    .where('e.dedupKey', '=', dedupKey)
    .where('e.status', 'in', FOLDABLE)
    .orderBy('e.createdAt', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export interface NewEvent {
  organizationId: string;
  type: string;
  severity: Severity;
  subjectType: string;
  subjectId: string;
  subjectLabel: string | null;
  sourceIp: string | null;
  country: string | null;
  dedupKey: string;
  count: number;
  explanation: string;
  details: Record<string, unknown>;
  at: string;
}

export async function insertEvent(trx: Executor, event: NewEvent): Promise<string> {
  const id = newId();
  await trx
    .insertInto('securityEvents')
    .values({
      id,
      organizationId: event.organizationId,
      type: event.type,
      severity: event.severity,
      status: 'open',
      subjectType: event.subjectType,
      subjectId: event.subjectId,
      subjectLabel: event.subjectLabel,
      sourceIp: event.sourceIp,
      country: event.country,
      dedupKey: event.dedupKey,
      count: event.count,
      explanation: event.explanation,
      details: toJson(event.details),
      firstSeenAt: event.at,
      lastSeenAt: event.at,
      assigneeId: null,
      createdAt: event.at,
      updatedAt: event.at,
    })
    .execute();
  return id;
}

export interface EventFold {
  occurrences: number;
  severity: Severity;
  subjectLabel: string | null;
  sourceIp: string | null;
  country: string | null;
  explanation: string;
  details: Record<string, unknown>;
  at: string;
}

/**
 * A repeat: the count grows in the database (so concurrent folds add up), the rest is the latest.
 * Only into an event still open or acknowledged (a triage may have closed it since it was found);
 * answers whether it folded.
 */
export async function foldIntoEvent(
  trx: Executor,
  organizationId: string,
  id: string,
  fold: EventFold,
): Promise<boolean> {
  const result = await trx
    .updateTable('securityEvents')
    .set((eb) => ({
      count: eb('count', '+', fold.occurrences),
      severity: fold.severity,
      subjectLabel: fold.subjectLabel,
      sourceIp: fold.sourceIp,
      country: fold.country,
      explanation: fold.explanation,
      details: toJson(fold.details),
      lastSeenAt: fold.at,
      updatedAt: fold.at,
    }))
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .where('status', 'in', FOLDABLE)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Adds evidence rows (an audit event already listed is skipped), then keeps the newest
 * EVIDENCE_CAP by time so an event's evidence stays bounded however long the attack runs.
 */
export async function addEvidence(
  trx: Executor,
  securityEventId: string,
  evidence: readonly DetectionEvidence[],
): Promise<void> {
  if (evidence.length === 0) return;
  const unique = new Map(evidence.map((e) => [e.auditEventId, e]));
  await trx
    .insertInto('securityEventEvidence')
    .values(
      [...unique.values()].slice(0, EVIDENCE_CAP).map((e) => ({
        securityEventId,
        auditEventId: e.auditEventId,
        auditSeq: e.seq,
        action: e.action,
        occurredAt: e.occurredAt,
      })),
    )
    .onConflict((oc) => oc.columns(['securityEventId', 'auditEventId']).doNothing())
    .execute();
  const row = await trx
    .selectFrom('securityEventEvidence')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('securityEventId', '=', securityEventId)
    .executeTakeFirst();
  if (Number(row?.n ?? 0) <= EVIDENCE_CAP) return;
  await trx
    .deleteFrom('securityEventEvidence')
    .where('securityEventId', '=', securityEventId)
    .where('auditEventId', 'not in', (eb) =>
      eb
        .selectFrom('securityEventEvidence')
        .select('auditEventId')
        .where('securityEventId', '=', securityEventId)
        .orderBy('occurredAt', 'desc')
        .orderBy('auditSeq', 'desc')
        .limit(EVIDENCE_CAP),
    )
    .execute();
}

export async function listEvidence(db: Executor, securityEventId: string) {
  return db
    .selectFrom('securityEventEvidence')
    .select(['auditEventId', 'auditSeq as seq', 'action', 'occurredAt'])
    .where('securityEventId', '=', securityEventId)
    .orderBy('occurredAt', 'desc')
    .orderBy('auditSeq', 'desc')
    .execute();
}

export interface NewActivity {
  kind: ActivityKind;
  actorId: string | null;
  actorName: string | null;
  data: Record<string, unknown>;
  at: string;
}

export async function addActivity(
  trx: Executor,
  securityEventId: string,
  activity: NewActivity,
): Promise<void> {
  await trx
    .insertInto('securityEventActivity')
    .values({
      id: newId(),
      securityEventId,
      kind: activity.kind,
      actorId: activity.actorId,
      actorName: activity.actorName,
      data: toJson(activity.data),
      at: activity.at,
    })
    .execute();
}

/** An alert about the event reached its end (delivered, or failed after its retries). */
export async function recordAlertSent(
  trx: Executor,
  securityEventId: string,
  data: {
    channelId: string;
    channelName: string;
    channelKind: string;
    status: string;
    responseCode: number | null;
  },
): Promise<void> {
  await addActivity(trx, securityEventId, {
    kind: 'alert_sent',
    actorId: null,
    actorName: null,
    data,
    at: nowIso(),
  });
}

/** The timeline, oldest first (ids are time-ordered, so they break ties in the order written). */
export async function listActivity(db: Executor, securityEventId: string): Promise<ActivityRow[]> {
  return db
    .selectFrom('securityEventActivity')
    .select(['id', 'kind', 'actorId', 'actorName', jsonText('data').as('data'), 'at'])
    .where('securityEventId', '=', securityEventId)
    .orderBy('at')
    .orderBy('id')
    .execute();
}

export async function updateTriage(
  trx: Executor,
  organizationId: string,
  id: string,
  patch: { status?: SecurityEventStatus; assigneeId?: string | null; at: string },
): Promise<void> {
  await trx
    .updateTable('securityEvents')
    .set({
      ...(patch.status !== undefined ? { status: patch.status } : {}),
      ...(patch.assigneeId !== undefined ? { assigneeId: patch.assigneeId } : {}),
      updatedAt: patch.at,
    })
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .execute();
}

export interface EventFilters {
  status?: readonly SecurityEventStatus[];
  severity?: readonly Severity[];
  type?: readonly string[];
  subjectId?: string;
  sourceIp?: string;
  assigneeId?: string;
  /** Events seen at or after this time (last seen ≥ from). */
  from?: string;
  /** Events seen at or before this time (first seen ≤ to). */
  to?: string;
}

/** Newest `lastSeenAt` first; `after` is the (lastSeenAt, id) of the previous page's last row. */
export async function listEvents(
  db: Executor,
  organizationId: string,
  filters: EventFilters,
  page: { limit: number; after: { lastSeenAt: string; id: string } | null },
): Promise<SecurityEventRow[]> {
  let query = selectEvents(db).where('e.organizationId', '=', organizationId);
  if (filters.status?.length) query = query.where('e.status', 'in', filters.status);
  if (filters.severity?.length) query = query.where('e.severity', 'in', filters.severity);
  if (filters.type?.length) query = query.where('e.type', 'in', filters.type);
  if (filters.subjectId) query = query.where('e.subjectId', '=', filters.subjectId);
  if (filters.sourceIp) query = query.where('e.sourceIp', '=', filters.sourceIp);
  if (filters.assigneeId) query = query.where('e.assigneeId', '=', filters.assigneeId);
  if (filters.from) query = query.where('e.lastSeenAt', '>=', filters.from);
  if (filters.to) query = query.where('e.firstSeenAt', '<=', filters.to);
  const after = page.after;
  if (after) {
    query = query.where((eb) =>
      eb.or([
        eb('e.lastSeenAt', '<', after.lastSeenAt),
        eb.and([eb('e.lastSeenAt', '=', after.lastSeenAt), eb('e.id', '<', after.id)]),
      ]),
    );
  }
  return query.orderBy('e.lastSeenAt', 'desc').orderBy('e.id', 'desc').limit(page.limit).execute();
}

/** The organization's most recently active events, newest first. */
export async function latestEvents(
  db: Executor,
  organizationId: string,
  limit: number,
): Promise<SecurityEventRow[]> {
  return listEvents(db, organizationId, {}, { limit, after: null });
}

/** The organization's events of these ids, in the order asked (ids of other organizations are skipped). */
export async function eventsByIds(
  db: Executor,
  organizationId: string,
  ids: readonly string[],
): Promise<SecurityEventRow[]> {
  if (ids.length === 0) return [];
  const rows = await selectEvents(db)
    .where('e.organizationId', '=', organizationId)
    .where('e.id', 'in', ids)
    .execute();
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** The organization's events changed at or after `since`, oldest change first. */
export async function eventsChangedSince(
  db: Executor,
  organizationId: string,
  since: string,
  limit: number,
): Promise<SecurityEventRow[]> {
  return selectEvents(db)
    .where('e.organizationId', '=', organizationId)
    .where('e.updatedAt', '>=', since)
    .orderBy('e.updatedAt')
    .orderBy('e.id')
    .limit(limit)
    .execute();
}
