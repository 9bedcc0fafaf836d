import { SECURITY_EVENT_SOURCES_SHOWN, type SecurityEventStatus, type Severity } from '@custos/shared';
import { sql, type Transaction } from 'kysely';
import { nowIso } from '../../platform/clock';
import { newId } from '../../platform/crypto/tokens';
import type { Dialect } from '../../platform/db/database';
import type { Executor } from '../../platform/db/executor';
import { toJson } from '../../platform/db/json';
import type { DB } from '../../platform/db/schema';
import type { DetectionEvidence } from './detection';
import type { ActivityKind, ActivityRow, SecurityEventRecord, SecurityEventRow } from './present';
import { topSourcesOf } from './sources-store';

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

/** Events with their top sources and how many there are in all (one query more for any number). */
async function withSources(
  db: Executor,
  organizationId: string,
  records: SecurityEventRecord[],
): Promise<SecurityEventRow[]> {
  if (records.length === 0) return [];
  const sources = await topSourcesOf(
    db,
    organizationId,
    records.map((r) => r.id),
    SECURITY_EVENT_SOURCES_SHOWN,
  );
  return records.map((record) => ({
    ...record,
    ...(sources.get(record.id) ?? { sources: [], sourceCount: 0 }),
  }));
}

export async function findEvent(
  db: Executor,
  organizationId: string,
  id: string,
): Promise<SecurityEventRow | undefined> {
  const record = await selectEvents(db)
    .where('e.organizationId', '=', organizationId)
    .where('e.id', '=', id)
    .executeTakeFirst();
  if (!record) return undefined;
  const [row] = await withSources(db, organizationId, [record]);
  return row;
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
): Promise<SecurityEventRecord | undefined> {
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
  /** Attempts to add to the count. */
  occurrences: number;
  severity: Severity;
  subjectLabel: string | null;
  /**
   * The event's address and the country of that IP: set only on an event that has no address yet,
   * never replacing one (the attacker who started it stays, whatever address comes next).
   */
  sourceIp: string | null;
  country: string | null;
  explanation: string;
  details: Record<string, unknown>;
  at: string;
}

/**
 * A repeat: the count grows in the database (so concurrent folds add up), the address stays, the
 * rest is the latest. Only into an event still open or acknowledged (a triage may have closed it
 * since it was found); answers whether it folded.
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
      // Both from the old row (SET reads it in both databases): the IP and its country move together.
      country: eb
        .case()
        .when('sourceIp', 'is', null)
        .then(fold.sourceIp === null ? eb.ref('country') : eb.val(fold.country))
        .else(eb.ref('country'))
        .end(),
      sourceIp: eb.fn.coalesce('sourceIp', eb.val(fold.sourceIp)),
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

/** Ids per look-up of known evidence: a merged write may carry thousands. */
const LOOKUP_CHUNK = 500;

const newestFirst = (a: DetectionEvidence, b: DetectionEvidence): number =>
  b.occurredAt.localeCompare(a.occurredAt) || b.seq - a.seq;

type EvidenceTime = Pick<DetectionEvidence, 'occurredAt' | 'seq'>;

const isAfter = (e: EvidenceTime, than: EvidenceTime): boolean =>
  e.occurredAt > than.occurredAt || (e.occurredAt === than.occurredAt && e.seq > than.seq);

/** The ids among `ids` the event lists already. */
async function listedEvidenceIds(
  trx: Executor,
  securityEventId: string,
  ids: readonly string[],
): Promise<Set<string>> {
  const listed = new Set<string>();
  for (let start = 0; start < ids.length; start += LOOKUP_CHUNK) {
    const rows = await trx
      .selectFrom('securityEventEvidence')
      .select('auditEventId')
      .where('securityEventId', '=', securityEventId)
      .where('auditEventId', 'in', ids.slice(start, start + LOOKUP_CHUNK))
      .execute();
    for (const row of rows) listed.add(row.auditEventId);
  }
  return listed;
}

/**
 * The oldest evidence an event at its cap still keeps; null below the cap. Anything older was
 * counted when it came and dropped since: a detection listing it again must not count it twice.
 */
async function evidenceHorizon(trx: Executor, securityEventId: string): Promise<EvidenceTime | null> {
  const kept = await trx
    .selectFrom('securityEventEvidence')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('securityEventId', '=', securityEventId)
    .executeTakeFirst();
  if (Number(kept?.n ?? 0) < EVIDENCE_CAP) return null;
  const oldest = await trx
    .selectFrom('securityEventEvidence')
    .select(['occurredAt', 'auditSeq'])
    .where('securityEventId', '=', securityEventId)
    .orderBy('occurredAt')
    .orderBy('auditSeq')
    .limit(1)
    .executeTakeFirst();
  return oldest ? { occurredAt: oldest.occurredAt, seq: Number(oldest.auditSeq) } : null;
}

const evidenceRow = (securityEventId: string, e: DetectionEvidence) => ({
  securityEventId,
  auditEventId: e.auditEventId,
  auditSeq: e.seq,
  action: e.action,
  occurredAt: e.occurredAt,
  ip: e.ip ?? null,
  country: e.country ?? null,
  device: e.device ?? null,
  userId: e.account?.kind === 'user' ? e.account.id : null,
  userLabel: e.account?.kind === 'user' ? e.account.name : null,
  unknownAccount: e.account?.kind === 'unknown_address' ? 1 : 0,
  outcome: e.outcome ?? null,
  reason: e.reason ?? null,
});

/**
 * Adds a write's evidence to the event and answers the items new to it, newest first: the
 * attempts this write adds (an audit event counts once, however many detections list it). Keeps
 * the newest EVIDENCE_CAP rows, so an event's evidence stays bounded however long the attack runs.
 */
export async function addEvidence(
  trx: Executor,
  securityEventId: string,
  evidence: readonly DetectionEvidence[],
): Promise<DetectionEvidence[]> {
  if (evidence.length === 0) return [];
  const unique = [...new Map(evidence.map((e) => [e.auditEventId, e])).values()].sort(newestFirst);
  const listed = await listedEvidenceIds(
    trx,
    securityEventId,
    unique.map((e) => e.auditEventId),
  );
  const horizon = await evidenceHorizon(trx, securityEventId);
  const fresh = unique.filter((e) => !listed.has(e.auditEventId) && (!horizon || isAfter(e, horizon)));
  if (fresh.length === 0) return [];
  await trx
    .insertInto('securityEventEvidence')
    .values(fresh.slice(0, EVIDENCE_CAP).map((e) => evidenceRow(securityEventId, e)))
    .onConflict((oc) => oc.columns(['securityEventId', 'auditEventId']).doNothing())
    .execute();
  await trimEvidence(trx, securityEventId);
  return fresh;
}

async function trimEvidence(trx: Executor, securityEventId: string): Promise<void> {
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

/** An event's evidence, newest first, with the facts of each attempt. */
export async function listEvidence(db: Executor, securityEventId: string) {
  return db
    .selectFrom('securityEventEvidence')
    .select([
      'auditEventId',
      'auditSeq as seq',
      'action',
      'occurredAt',
      'ip',
      'country',
      'device',
      'userId',
      'userLabel',
      'unknownAccount',
      'outcome',
      'reason',
    ])
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
  /** Events with an attempt from this address (the one they show, or any of their sources). */
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
  const records = await listEventRecords(db, organizationId, filters, page);
  return withSources(db, organizationId, records);
}

async function listEventRecords(
  db: Executor,
  organizationId: string,
  filters: EventFilters,
  page: { limit: number; after: { lastSeenAt: string; id: string } | null },
): Promise<SecurityEventRecord[]> {
  let query = selectEvents(db).where('e.organizationId', '=', organizationId);
  if (filters.status?.length) query = query.where('e.status', 'in', filters.status);
  if (filters.severity?.length) query = query.where('e.severity', 'in', filters.severity);
  if (filters.type?.length) query = query.where('e.type', 'in', filters.type);
  if (filters.subjectId) query = query.where('e.subjectId', '=', filters.subjectId);
  const ip = filters.sourceIp;
  if (ip) {
    // Any event an attempt came from this address, not only those it started.
    query = query.where((eb) =>
      eb.or([
        eb('e.sourceIp', '=', ip),
        eb.exists(
          eb
            .selectFrom('securityEventSources as s')
            .select('s.ip')
            .whereRef('s.securityEventId', '=', 'e.id')
            .where('s.ip', '=', ip),
        ),
      ]),
    );
  }
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
  const records = await selectEvents(db)
    .where('e.organizationId', '=', organizationId)
    .where('e.id', 'in', ids)
    .execute();
  const rows = await withSources(db, organizationId, records);
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
  const records = await selectEvents(db)
    .where('e.organizationId', '=', organizationId)
    .where('e.updatedAt', '>=', since)
    .orderBy('e.updatedAt')
    .orderBy('e.id')
    .limit(limit)
    .execute();
  return withSources(db, organizationId, records);
}
