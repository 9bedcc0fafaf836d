import { sql } from 'kysely';
import type { Executor } from '../../platform/db/executor';
import type { DetectionEvidence } from './detection';

/** One address of a security event: its attempts, the country of that IP, first and last seen. */
export interface SourceRow {
  ip: string;
  country: string | null;
  attempts: number;
  firstSeenAt: string;
  lastSeenAt: string;
}

/** Rows per insert: a botnet's thousands of addresses go in a few statements, under any bind limit. */
const INSERT_CHUNK = 500;

/**
 * Attempts by address, from evidence new to an event: per IP, how many, the first country known for
 * that IP (each IP keeps its own country, never another's), and the first and last time. Evidence
 * without an IP counts towards the event, not towards any address.
 */
export function tallySources(evidence: readonly DetectionEvidence[]): SourceRow[] {
  const byIp = new Map<string, SourceRow>();
  for (const item of evidence) {
    if (!item.ip) continue;
    const at = item.occurredAt;
    const known = byIp.get(item.ip);
    if (!known) {
      byIp.set(item.ip, {
        ip: item.ip,
        country: item.country ?? null,
        attempts: 1,
        firstSeenAt: at,
        lastSeenAt: at,
      });
      continue;
    }
    known.attempts += 1;
    known.country ??= item.country ?? null;
    if (at < known.firstSeenAt) known.firstSeenAt = at;
    if (at > known.lastSeenAt) known.lastSeenAt = at;
  }
  return [...byIp.values()];
}

/**
 * Adds attempts to the event's sources: a new address is inserted, a known one grows (in the
 * database, so writes add up), keeps its first known country and widens its first/last seen.
 */
export async function addSources(
  trx: Executor,
  organizationId: string,
  securityEventId: string,
  sources: readonly SourceRow[],
): Promise<void> {
  for (let start = 0; start < sources.length; start += INSERT_CHUNK) {
    const chunk = sources.slice(start, start + INSERT_CHUNK);
    await trx
      .insertInto('securityEventSources')
      .values(chunk.map((s) => ({ securityEventId, organizationId, ...s })))
      .onConflict((oc) =>
        oc.columns(['securityEventId', 'ip']).doUpdateSet((eb) => ({
          attempts: eb('securityEventSources.attempts', '+', eb.ref('excluded.attempts')),
          country: eb.fn.coalesce('securityEventSources.country', 'excluded.country'),
          firstSeenAt: eb
            .case()
            .when('excluded.firstSeenAt', '<', eb.ref('securityEventSources.firstSeenAt'))
            .then(eb.ref('excluded.firstSeenAt'))
            .else(eb.ref('securityEventSources.firstSeenAt'))
            .end(),
          lastSeenAt: eb
            .case()
            .when('excluded.lastSeenAt', '>', eb.ref('securityEventSources.lastSeenAt'))
            .then(eb.ref('excluded.lastSeenAt'))
            .else(eb.ref('securityEventSources.lastSeenAt'))
            .end(),
        })),
      )
      .execute();
  }
}

const sourceColumns = ['ip', 'country', 'attempts', 'firstSeenAt', 'lastSeenAt'] as const;

const numeric = (row: SourceRow): SourceRow => ({ ...row, attempts: Number(row.attempts) });

/** One event's sources, always inside its organization. */
const sourcesOfEvent = (db: Executor, organizationId: string, securityEventId: string) =>
  db
    .selectFrom('securityEventSources')
    .select(sourceColumns)
    .where('organizationId', '=', organizationId)
    .where('securityEventId', '=', securityEventId);

/** The address of the event's earliest attempt on record (the one that started it). */
export async function firstSource(
  db: Executor,
  organizationId: string,
  securityEventId: string,
): Promise<SourceRow | undefined> {
  const row = await sourcesOfEvent(db, organizationId, securityEventId)
    .orderBy('firstSeenAt')
    .orderBy('ip')
    .limit(1)
    .executeTakeFirst();
  return row ? numeric(row) : undefined;
}

export async function sourceOf(
  db: Executor,
  organizationId: string,
  securityEventId: string,
  ip: string,
): Promise<SourceRow | undefined> {
  const row = await sourcesOfEvent(db, organizationId, securityEventId)
    .where('ip', '=', ip)
    .executeTakeFirst();
  return row ? numeric(row) : undefined;
}

/** How many distinct addresses the event's attempts came from, and how many attempts they made. */
export async function sourceTotals(
  db: Executor,
  organizationId: string,
  securityEventId: string,
): Promise<{ addresses: number; attempts: number }> {
  const row = await db
    .selectFrom('securityEventSources')
    .select((eb) => [
      eb.fn.countAll<number>().as('addresses'),
      eb.fn.coalesce(eb.fn.sum<number>('attempts'), sql<number>`0`).as('attempts'),
    ])
    .where('organizationId', '=', organizationId)
    .where('securityEventId', '=', securityEventId)
    .executeTakeFirst();
  return { addresses: Number(row?.addresses ?? 0), attempts: Number(row?.attempts ?? 0) };
}

export interface EventSources {
  /** Most attempts first (then the earliest), at most the limit asked. */
  sources: SourceRow[];
  /** Distinct addresses in all. */
  sourceCount: number;
}

/**
 * The top sources of each of these events (of this organization only), in two queries however many
 * events: a list page must not cost a query per row.
 */
export async function topSourcesOf(
  db: Executor,
  organizationId: string,
  securityEventIds: readonly string[],
  limit: number,
): Promise<Map<string, EventSources>> {
  const result = new Map<string, EventSources>();
  if (securityEventIds.length === 0) return result;
  const ids = [...new Set(securityEventIds)];
  for (const id of ids) result.set(id, { sources: [], sourceCount: 0 });
  const ranked = db
    .selectFrom('securityEventSources')
    .select([
      'securityEventId',
      ...sourceColumns,
      sql<number>`row_number() over (partition by ${sql.ref('securityEventId')} order by ${sql.ref(
        'attempts',
      )} desc, ${sql.ref('firstSeenAt')}, ${sql.ref('ip')})`.as('rank'),
    ])
    .where('organizationId', '=', organizationId)
    .where('securityEventId', 'in', ids)
    .as('ranked');
  // One after the other: inside a transaction both run on its one connection anyway.
  const top = await db
    .selectFrom(ranked)
    .select(['ranked.securityEventId', 'ranked.ip', 'ranked.country', 'ranked.attempts'])
    .select(['ranked.firstSeenAt', 'ranked.lastSeenAt'])
    .where('ranked.rank', '<=', limit)
    .orderBy('ranked.securityEventId')
    .orderBy('ranked.rank')
    .execute();
  const counts = await db
    .selectFrom('securityEventSources')
    .select((eb) => ['securityEventId', eb.fn.countAll<number>().as('n')])
    .where('organizationId', '=', organizationId)
    .where('securityEventId', 'in', ids)
    .groupBy('securityEventId')
    .execute();
  for (const { securityEventId, ...source } of top) {
    result.get(securityEventId)?.sources.push(numeric(source));
  }
  for (const { securityEventId, n } of counts) {
    const entry = result.get(securityEventId);
    if (entry) entry.sourceCount = Number(n);
  }
  return result;
}
