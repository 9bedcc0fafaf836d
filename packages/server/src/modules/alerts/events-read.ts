import type { DetectorType, SecurityEventOut, SecurityEventStatus, Severity } from '@custos/shared';
import type { Kysely, Transaction } from 'kysely';
import { parseJson } from '../../platform/db/json';
import type { DB } from '../../platform/db/schema';

type Executor = Kysely<DB> | Transaction<DB>;

/**
 * Security events as the threats module presents them, read for a digest (which sends the events'
 * state at flush time) and for a reconnecting stream's catch-up. Read-only; the threats module
 * owns these rows.
 */
function selectEvents(db: Executor, organizationId: string) {
  return db
    .selectFrom('securityEvents as e')
    .leftJoin('users as u', 'u.id', 'e.assigneeId')
    .selectAll('e')
    .select(['u.name as assigneeName'])
    .where('e.organizationId', '=', organizationId);
}

type EventRow = Awaited<ReturnType<ReturnType<typeof selectEvents>['execute']>>[number];

function present(r: EventRow): SecurityEventOut {
  return {
    id: r.id,
    type: r.type as DetectorType,
    severity: r.severity as Severity,
    status: r.status as SecurityEventStatus,
    subject: {
      type: r.subjectType as SecurityEventOut['subject']['type'],
      id: r.subjectId,
      label: r.subjectLabel,
    },
    sourceIp: r.sourceIp,
    country: r.country,
    explanation: r.explanation,
    details: parseJson<Record<string, unknown>>(r.details) ?? {},
    count: r.count,
    firstSeenAt: r.firstSeenAt,
    lastSeenAt: r.lastSeenAt,
    assignee: r.assigneeId ? { id: r.assigneeId, name: r.assigneeName ?? '' } : null,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

export async function eventsByIds(
  db: Executor,
  organizationId: string,
  ids: string[],
): Promise<SecurityEventOut[]> {
  if (ids.length === 0) return [];
  const rows = await selectEvents(db, organizationId).where('e.id', 'in', ids).execute();
  const byId = new Map(rows.map((r) => [r.id, present(r)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** Events changed at or after `since`, oldest change first. */
export async function eventsChangedSince(
  db: Executor,
  organizationId: string,
  since: string,
  limit: number,
): Promise<SecurityEventOut[]> {
  const rows = await selectEvents(db, organizationId)
    .where('e.updatedAt', '>=', since)
    .orderBy('e.updatedAt')
    .orderBy('e.id')
    .limit(limit)
    .execute();
  return rows.map(present);
}
