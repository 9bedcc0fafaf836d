import { AUDIT_OWN_READ_ACTIONS, AUDIT_SINCE_MS, type AuditSearchQuery, auditIdsOf } from '@custos/shared';
import { type Expression, type ExpressionBuilder, type SelectQueryBuilder, type SqlBool, sql } from 'kysely';
import type { Dialect } from '../../platform/db/database';
import type { Executor } from '../../platform/db/executor';
import type { AuditEventsTable, DB } from '../../platform/db/schema';
import { ipKeyRange } from './ip';
import { indexPendingSearchText } from './search-index-store';
import { type FullTextQuery, parseFullText, type TextPart } from './search-text';

/**
 * The API's filters with what only the service knows: who is asking (for `hideOwnReads`) and which
 * members of the organization the full text names. Build it with `resolveSearchFilters`.
 */
export interface SearchFilters extends AuditSearchQuery {
  /** Leave out this actor's reads of the trail. */
  readsHiddenOf?: { type: string; id: string } | undefined;
  /** Users the full text names (by e-mail or name): their events as actor or target match too. */
  namedUsers?: string[] | undefined;
  /** Each e-mail the full text holds → its blind-index token in this organization (blind-index.ts). */
  emailTokens?: Record<string, string> | undefined;
}

/** What readers need of a stored event: the hashed body, its hash and the columns shown when purged. */
export type StoredEventRow = Pick<
  AuditEventsTable,
  | 'seq'
  | 'id'
  | 'organizationId'
  | 'occurredAt'
  | 'receivedAt'
  | 'actorType'
  | 'actorId'
  | 'action'
  | 'outcome'
  | 'source'
  | 'requestId'
  | 'body'
  | 'leafHash'
>;

/** The columns of a stored event that readers select (see StoredEventRow). */
export const EVENT_COLUMNS = [
  'e.seq',
  'e.id',
  'e.organizationId',
  'e.occurredAt',
  'e.receivedAt',
  'e.actorType',
  'e.actorId',
  'e.action',
  'e.outcome',
  'e.source',
  'e.requestId',
  'e.body',
  'e.leafHash',
] as const;

export interface SearchPage {
  beforeSeq?: number | undefined;
  afterSeq?: number | undefined;
  limit: number;
  /** Oldest first (export, tail) instead of newest first. */
  ascending?: boolean;
}

/** One page of a log's events matching the filters, by seq (keyset pagination). */
export async function searchEvents(
  db: Executor,
  dialect: Dialect,
  logId: string,
  filters: SearchFilters,
  page: SearchPage,
): Promise<StoredEventRow[]> {
  if (filters.q) await indexPendingSearchText(db, dialect);
  let query = db.selectFrom('auditEvents as e').select(EVENT_COLUMNS).where('e.logId', '=', logId);
  query = applyFilters(query, dialect, logId, filters);
  if (page.beforeSeq !== undefined) query = query.where('e.seq', '<', page.beforeSeq);
  if (page.afterSeq !== undefined) query = query.where('e.seq', '>', page.afterSeq);
  const rows = await query
    .orderBy('e.seq', page.ascending ? 'asc' : 'desc')
    .limit(page.limit)
    .execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}

/** How many of a log's events up to `maxSeq` match the filters. */
export async function countEvents(
  db: Executor,
  dialect: Dialect,
  logId: string,
  filters: SearchFilters,
  maxSeq: number,
): Promise<number> {
  if (filters.q) await indexPendingSearchText(db, dialect);
  const query = applyFilters(
    db
      .selectFrom('auditEvents as e')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('e.logId', '=', logId)
      .where('e.seq', '<=', maxSeq),
    dialect,
    logId,
    filters,
  );
  const row = await query.executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function eventById(
  db: Executor,
  logId: string,
  id: string,
): Promise<StoredEventRow | undefined> {
  const row = await db
    .selectFrom('auditEvents as e')
    .select(EVENT_COLUMNS)
    .where('e.logId', '=', logId)
    .where('e.id', '=', id)
    .executeTakeFirst();
  return row ? { ...row, seq: Number(row.seq) } : undefined;
}

type EventQuery<O> = SelectQueryBuilder<DB & { e: AuditEventsTable }, 'e', O>;

function applyFilters<O>(
  query: EventQuery<O>,
  dialect: Dialect,
  logId: string,
  f: SearchFilters,
): EventQuery<O> {
  let q = query;
  if (f.since)
    q = q.where('e.occurredAt', '>=', new Date(Date.now() - AUDIT_SINCE_MS[f.since]).toISOString());
  if (f.from) q = q.where('e.occurredAt', '>=', new Date(f.from).toISOString());
  if (f.to) q = q.where('e.occurredAt', '<=', new Date(f.to).toISOString());
  if (f.actor) q = q.where('e.actorId', '=', f.actor);
  if (f.action?.endsWith('.*')) {
    // A range, not LIKE: '_' in action names is a LIKE wildcard, and a range uses the index.
    const prefix = f.action.slice(0, -1);
    q = q.where('e.action', '>=', prefix).where('e.action', '<', `${prefix.slice(0, -1)}/`);
  } else if (f.action) {
    q = q.where('e.action', '=', f.action);
  }
  // Exactly these events, and only of this log (the query is bound to it above): an id of another
  // organization's event matches nothing.
  if (f.ids !== undefined) q = q.where('e.id', 'in', auditIdsOf(f.ids));
  if (f.outcome) q = q.where('e.outcome', '=', f.outcome);
  if (f.source) q = q.where('e.source', '=', f.source);
  if (f.ip) {
    const range = ipKeyRange(f.ip);
    if (range) q = q.where('e.actorIpKey', '>=', range[0]).where('e.actorIpKey', '<=', range[1]);
  }
  if (f.targetId) {
    // One target's events are few: collect their seqs through the primary key.
    q = q.where('e.seq', 'in', (eb) => {
      let t = eb
        .selectFrom('auditEventTargets as t')
        .select('t.seq')
        .where('t.logId', '=', logId)
        .where('t.targetId', '=', f.targetId as string);
      if (f.targetType) t = t.where('t.targetType', '=', f.targetType);
      return t;
    });
  } else if (f.targetType) {
    // A whole type can be most of the log: probe each candidate row instead of collecting them all.
    const targetType = f.targetType;
    q = q.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('auditEventTargets as t')
          .select('t.seq')
          .whereRef('t.logId', '=', 'e.logId')
          .whereRef('t.seq', '=', 'e.seq')
          .where('t.targetType', '=', targetType),
      ),
    );
  }
  if (f.readsHiddenOf) {
    const reader = f.readsHiddenOf;
    q = q.where((eb) =>
      eb.or([
        eb('e.action', 'not in', [...AUDIT_OWN_READ_ACTIONS]),
        eb('e.actorType', '<>', reader.type),
        eb('e.actorId', 'is', null),
        eb('e.actorId', '<>', reader.id),
      ]),
    );
  }
  if (f.q) q = applyFullText(q, dialect, logId, parseFullText(f.q), f.namedUsers ?? [], f.emailTokens ?? {});
  return q;
}

/**
 * Every typed token must match. An address or block matches the actor's IP (sealed, so searched
 * through `actor_ip_key`) or the text; the words match the text (an e-mail also as its blind-index
 * token), or name a member who is the event's actor or a target.
 */
function applyFullText<O>(
  query: EventQuery<O>,
  dialect: Dialect,
  logId: string,
  text: FullTextQuery,
  namedUsers: string[],
  emailTokens: Record<string, string>,
): EventQuery<O> {
  if (text.addresses.length === 0 && text.words.length === 0) return query.where(sql<boolean>`1 = 0`);
  let q = query;
  for (const address of text.addresses) {
    q = q.where((eb) =>
      eb.or([
        eb.and([eb('e.actorIpKey', '>=', address.range[0]), eb('e.actorIpKey', '<=', address.range[1])]),
        textMatches(dialect, [address]),
      ]),
    );
  }
  if (text.words.length > 0) {
    q = q.where((eb) => {
      const alternatives: Expression<SqlBool>[] = [textMatches(dialect, text.words)];
      const blind = withBlindTokens(text.words, emailTokens);
      if (blind) alternatives.push(textMatches(dialect, blind));
      if (namedUsers.length > 0) alternatives.push(...involving(eb, logId, namedUsers));
      return eb.or(alternatives);
    });
  }
  return q;
}

/** The words with each e-mail swapped for its blind-index token; null when they hold no e-mail. */
function withBlindTokens(words: TextPart[], tokens: Record<string, string>): TextPart[] | null {
  let swapped = false;
  const parts = words.map((word) => {
    const token = word.exact ? tokens[word.exact] : undefined;
    if (!token) return word;
    swapped = true;
    return { terms: [token], exact: token };
  });
  return swapped ? parts : null;
}

/** Events whose actor or one of whose targets is one of these users. */
function involving(
  eb: ExpressionBuilder<DB & { e: AuditEventsTable }, 'e'>,
  logId: string,
  userIds: string[],
): Expression<SqlBool>[] {
  return [
    eb.and([eb('e.actorType', '=', 'user'), eb('e.actorId', 'in', userIds)]),
    eb(
      'e.seq',
      'in',
      eb
        .selectFrom('auditEventTargets as t')
        .select('t.seq')
        .where('t.logId', '=', logId)
        .where('t.targetType', '=', 'user')
        .where('t.targetId', 'in', userIds),
    ),
  ];
}

/**
 * The full-text condition for these parts. Only letters and digits are spliced into FTS5 and
 * tsquery syntax, as bound parameters. PostgreSQL's parser keeps an e-mail or a dotted address as
 * one word ('alice@example.com'), so a part with a checked `exact` shape is matched there with
 * `plainto_tsquery`, which parses it the same way and reads no operators.
 */
function textMatches(dialect: Dialect, parts: TextPart[]): Expression<SqlBool> {
  if (dialect === 'postgres') {
    const prefixes = parts.filter((p) => p.exact === null).flatMap((p) => p.terms);
    const conditions = [
      ...(prefixes.length > 0
        ? [
            sql<SqlBool>`e.search_vector @@ to_tsquery('simple', ${prefixes.map((t) => `${t}:*`).join(' & ')})`,
          ]
        : []),
      ...parts.flatMap((p) =>
        p.exact === null ? [] : [sql<SqlBool>`e.search_vector @@ plainto_tsquery('simple', ${p.exact})`],
      ),
    ];
    return conditions.length === 1
      ? (conditions[0] as Expression<SqlBool>)
      : sql<SqlBool>`(${sql.join(conditions, sql` and `)})`;
  }
  // A word matches as a prefix; an address or e-mail only as its exact run of tokens (a phrase), so
  // "10.1.2.3" cannot match an event that merely holds ids starting 10…, 1…, 2… and 3….
  const match = parts
    .map((p) => (p.exact === null ? p.terms.map((t) => `"${t}"*`).join(' ') : `"${p.terms.join(' ')}"`))
    .join(' ');
  return sql<SqlBool>`e.rowid in (select rowid from audit_events_fts where audit_events_fts match ${match})`;
}

/**
 * The events that name a data subject (by keyring subject id) or that a member did, newest first,
 * for a privacy access request.
 */
export async function eventsOfSubject(
  db: Executor,
  logId: string,
  subjectIds: string[],
  userIds: string[],
  limit: number,
) {
  return db
    .selectFrom('auditEvents as e')
    .select(EVENT_COLUMNS)
    .where('e.logId', '=', logId)
    .where((eb) => {
      const named = [eb('e.dataSubject', 'in', subjectIds)];
      if (userIds.length > 0)
        named.push(eb.and([eb('e.actorType', '=', 'user'), eb('e.actorId', 'in', userIds)]));
      return eb.or(named);
    })
    .orderBy('e.seq', 'desc')
    .limit(limit)
    .execute();
}
