import { type AuditEventOut, ERASED } from '@custos/shared';
import type { Keyring } from '../../platform/crypto/keyring';
import type { Executor } from '../../platform/db/executor';
import { identity } from '../identity';
import { type AuditEventBody, leafHashOfCanonical } from './event';
import { presentEvent, sealedKeyIds } from './seal';
import type { StoredEventRow } from './search-store';

/** Stored rows as the API shows them: sealed fields opened with the live keys, purged bodies marked. */
export async function presentRows(
  db: Executor,
  keyring: Keyring,
  logId: string,
  rows: StoredEventRow[],
): Promise<AuditEventOut[]> {
  const bodies = rows.map((r) => (r.body ? (JSON.parse(r.body) as AuditEventBody) : null));
  const keyIds = bodies.flatMap((b) => (b ? sealedKeyIds(b) : []));
  const keys = await keyring.liveKeys(db, logId, keyIds);
  return rows.map((row, i) => {
    const body = bodies[i];
    if (!body || row.body === null) return purgedEvent(row);
    const event = presentEvent(body, row.leafHash, keys);
    // A body changed in the database is shown as stored, flagged: never passed off as the record.
    return leafHashOfCanonical(row.body) === row.leafHash ? event : { ...event, integrity: 'modified' };
  });
}

type Target = AuditEventOut['targets'][number];

/**
 * Events with display names the record did not give, from the organization's own members (one
 * query for the page; another organization's users are never named): a user actor or user target
 * with no recorded name, the organization itself (its current name), and each session target ("session of <its user>", with the device the
 * event recorded). The record itself is unchanged: `name` stays what the event says.
 */
export async function withMemberNames(
  db: Executor,
  organizationId: string,
  events: AuditEventOut[],
): Promise<AuditEventOut[]> {
  const unnamed = new Set(
    events.flatMap((e) => [
      ...(e.actor.type === 'user' && e.actor.id && !e.actor.name ? [e.actor.id] : []),
      ...e.targets.filter((t) => t.type === 'user' && !t.name).map((t) => t.id),
    ]),
  );
  const names = await identity.memberNames(db, organizationId, [...unnamed]);
  const namesOrganization = events.some((e) =>
    e.targets.some((t) => t.type === 'organization' && t.id === organizationId && !t.name),
  );
  // Only this organization is ever named: an event about another one keeps its id.
  const organizationName = namesOrganization
    ? (await identity.findOrganization(db, organizationId))?.name
    : undefined;
  const nameOf = (t: Target): string | undefined => {
    if (t.name) return undefined;
    if (t.type === 'user') return names.get(t.id);
    return t.type === 'organization' && t.id === organizationId ? organizationName : undefined;
  };
  return events.map((event) => {
    const actorName =
      event.actor.type === 'user' && !event.actor.name ? names.get(event.actor.id ?? '') : undefined;
    const actor = actorName ? { ...event.actor, displayName: actorName } : event.actor;
    const targets = event.targets.map((t) => {
      const displayName = nameOf(t);
      return displayName ? { ...t, displayName } : t;
    });
    const sessionName = sessionLabel({ ...event, actor, targets });
    if (!actorName && !sessionName && targets.every((t, i) => t === event.targets[i])) return event;
    return {
      ...event,
      actor,
      targets: sessionName
        ? targets.map((t) => (t.type === 'session' && !t.name ? { ...t, displayName: sessionName } : t))
        : targets,
    };
  });
}

/**
 * Whose session an event's session target is, as the event itself tells: the user it also targets
 * (a revocation names both), else its user actor (a sign-in is the session's own user); with the
 * device label a sign-in records. Null when the event names no one (the id then shows as is).
 */
export function sessionLabel(event: AuditEventOut): string | null {
  if (!event.targets.some((t) => t.type === 'session' && !t.name)) return null;
  const user = event.targets.find((t) => t.type === 'user');
  const owner = user
    ? shownName(user)
    : event.actor.type === 'user'
      ? (usable(event.actor.name) ?? event.actor.displayName ?? usable(event.actor.email ?? null))
      : null;
  const device = usable(typeof event.metadata?.device === 'string' ? event.metadata.device : null);
  if (owner && device) return `session of ${owner} (${device})`;
  if (owner) return `session of ${owner}`;
  return device ? `session on ${device}` : null;
}

function shownName(target: Target): string | null {
  return usable(target.name ?? null) ?? target.displayName ?? null;
}

/** A name worth showing: not empty, not an erased field. */
function usable(value: string | null): string | null {
  return value && value !== ERASED ? value : null;
}

/** What is left of an event after retention purged its body: its place and hash in the tree. */
function purgedEvent(row: StoredEventRow): AuditEventOut {
  return {
    id: row.id,
    organizationId: row.organizationId,
    seq: row.seq,
    occurredAt: row.occurredAt,
    receivedAt: row.receivedAt,
    actor: { type: row.actorType, id: row.actorId, name: null, email: null, ip: null, userAgent: null },
    impersonator: null,
    action: row.action,
    outcome: row.outcome,
    targets: [],
    source: row.source,
    requestId: row.requestId,
    changes: null,
    metadata: null,
    leafHash: row.leafHash,
    erased: [],
    purged: true,
    integrity: 'purged',
  };
}
