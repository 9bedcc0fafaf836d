import type {
  ListSecurityEventsQuery,
  SecurityEventDetail,
  SecurityEventList,
  SecurityEventOut,
  SecurityEventStatus,
  UpdateSecurityEventBody,
} from '@custos/shared';
import type { Transaction } from 'kysely';
import type { z } from 'zod';
import type { Deps } from '../../deps';
import { nowIso } from '../../platform/clock';
import { afterCommit } from '../../platform/db/after-commit';
import type { DB } from '../../platform/db/schema';
import { authorize, type Caller, type OrganizationCaller } from '../../platform/http/caller';
import { badRequest, conflict, notFound } from '../../platform/http/errors';
import type { AccessPolicies } from '../access';
import { changesBetween } from '../audit';
import { identity } from '../identity';
import type { Detection, ResolvedThreatSettings } from './detection';
import { normalizeIp } from './ip';
import type { AlertSink } from './ports';
import { presentActivity, presentEvidence, presentResponse, presentSecurityEvent } from './present';
import type { RaiseResult, Raiser } from './raise';
import type { Responder } from './respond';
import * as responsesStore from './responses-store';
import * as store from './store';

type ListQuery = z.output<typeof ListSecurityEventsQuery>;

/** Triage moves: closing an event and reopening a closed one are both deliberate. */
const TRANSITIONS: Record<SecurityEventStatus, readonly SecurityEventStatus[]> = {
  open: ['acknowledged', 'resolved', 'false_positive'],
  acknowledged: ['resolved', 'false_positive', 'open'],
  resolved: ['open'],
  false_positive: ['open'],
};

const eventNotFound = () => notFound('SECURITY_EVENT_NOT_FOUND', 'There is no security event with that id.');

interface Cursor {
  lastSeenAt: string;
  id: string;
}

const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify([c.lastSeenAt, c.id])).toString('base64url');

function decodeCursor(text: string): Cursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(value) && typeof value[0] === 'string' && typeof value[1] === 'string') {
      return { lastSeenAt: value[0], id: value[1] };
    }
  } catch {
    // falls through to the refusal
  }
  throw badRequest('VALIDATION_FAILED', 'The cursor is not one this API gave out.', [
    { path: 'cursor', message: 'is invalid' },
  ]);
}

/** A time given with any offset, as the UTC text stored (so text comparison is time comparison). */
const utc = (text: string | undefined) => (text === undefined ? undefined : new Date(text).toISOString());

export function actorOf(caller: OrganizationCaller): { id: string; name: string } {
  return caller.kind === 'user'
    ? { id: caller.userId, name: caller.name }
    : { id: caller.apiKeyId, name: caller.name };
}

/**
 * Security events: detections become events (raise + responses in one transaction, alerts after
 * it commits), and people triage them (status, assignee, notes), every change audited and on the
 * event's timeline.
 */
export function createSecurityEventsService(
  deps: Deps & {
    accessPolicies: AccessPolicies;
    alerts: AlertSink;
    raiser: Raiser;
    responder: Responder;
    serialized: <T>(key: string, task: () => Promise<T>) => Promise<T>;
  },
) {
  const { db, dialect, audit, accessPolicies, alerts, raiser, responder, serialized } = deps;

  /** The assignee must be able to see what they are asked to look at. */
  async function requireAssignable(
    trx: Transaction<DB>,
    organizationId: string,
    userId: string,
  ): Promise<string> {
    const membership = await identity.findMembership(trx, organizationId, userId);
    const access = membership ? await accessPolicies.current(trx, organizationId) : null;
    if (!membership || !access?.grantsOf(membership.roles).custos.has('security:read')) {
      throw badRequest(
        'VALIDATION_FAILED',
        'The assignee must be a member of this organization who can see security events.',
        [{ path: 'assigneeId', message: 'must be a member holding security:read' }],
      );
    }
    const user = await identity.findUserById(trx, userId);
    return user?.name ?? '';
  }

  async function triage(
    trx: Transaction<DB>,
    actor: OrganizationCaller,
    id: string,
    body: UpdateSecurityEventBody,
  ): Promise<SecurityEventOut> {
    const org = actor.organizationId;
    const found = await store.findEvent(trx, org, id);
    if (!found) throw eventNotFound();
    // The lock raises of this key take (PostgreSQL): a detection folding in right now finishes
    // first, or finds the event closed and opens a new one; never lands in an event just closed.
    await store.lockDedupKey(trx, dialect, org, found.dedupKey);
    const before = await store.findEvent(trx, org, id);
    if (!before) throw eventNotFound();
    const from = before.status as SecurityEventStatus;
    const at = nowIso();
    const who = actorOf(actor);
    if (body.status !== undefined && !TRANSITIONS[from].includes(body.status)) {
      throw conflict(
        'SECURITY_EVENT_TRANSITION_INVALID',
        `A ${from.replace('_', ' ')} event cannot become ${body.status.replace('_', ' ')}.`,
        { from, to: body.status, allowed: TRANSITIONS[from] },
      );
    }
    // Only the fields the body sets. A status it sets is always a change: no transition leads back
    // to the same status.
    const changes = changesBetween(
      { status: from, assigneeId: before.assigneeId },
      { status: body.status, assigneeId: body.assigneeId },
      { keys: (['status', 'assigneeId'] as const).filter((key) => body[key] !== undefined) },
    );
    let assigneeName: string | null = null;
    if (changes.assigneeId && typeof body.assigneeId === 'string') {
      assigneeName = await requireAssignable(trx, org, body.assigneeId);
    }
    await store.updateTriage(trx, org, id, {
      ...(changes.status ? { status: body.status } : {}),
      ...(changes.assigneeId ? { assigneeId: body.assigneeId } : {}),
      at,
    });
    const activity = { actorId: who.id, actorName: who.name, at };
    if (changes.status) {
      await store.addActivity(trx, id, {
        ...activity,
        kind: 'status_changed',
        data: { from, to: body.status },
      });
    }
    if (changes.assigneeId) {
      await store.addActivity(trx, id, {
        ...activity,
        kind: 'assigned',
        data: { from: before.assigneeId, to: body.assigneeId ?? null, toName: assigneeName },
      });
    }
    if (body.note !== undefined) {
      await store.addActivity(trx, id, { ...activity, kind: 'note', data: { text: body.note } });
    }
    await audit.record(trx, actor, {
      action: 'security_event.updated',
      targets: [{ type: 'security_event', id }],
      changes,
      ...(body.note !== undefined ? { metadata: { note: body.note } } : {}),
    });
    const after = await store.findEvent(trx, org, id);
    if (!after) throw eventNotFound();
    const event = presentSecurityEvent(after);
    await afterCommit(trx, () =>
      alerts.notify({ organizationId: org, kind: 'security_event', change: 'updated', event }),
    );
    return event;
  }

  return {
    async list(caller: Caller, query: ListQuery): Promise<SecurityEventList> {
      const { organizationId } = authorize(caller, 'security:read');
      const rows = await store.listEvents(
        db,
        organizationId,
        {
          status: query.status,
          severity: query.severity,
          type: query.type,
          subjectId: query.subjectId,
          sourceIp:
            query.sourceIp === undefined ? undefined : (normalizeIp(query.sourceIp) ?? query.sourceIp),
          assigneeId: query.assigneeId,
          from: utc(query.from),
          to: utc(query.to),
        },
        { limit: query.limit + 1, after: query.cursor ? decodeCursor(query.cursor) : null },
      );
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      return {
        events: page.map(presentSecurityEvent),
        nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null,
      };
    },

    async get(caller: Caller, id: string): Promise<SecurityEventDetail> {
      const { organizationId } = authorize(caller, 'security:read');
      const row = await store.findEvent(db, organizationId, id);
      if (!row) throw eventNotFound();
      const now = nowIso();
      const [evidence, timeline, responses] = await Promise.all([
        store.listEvidence(db, row.id),
        store.listActivity(db, row.id),
        responsesStore.listResponses(
          db,
          organizationId,
          { activeOnly: false, securityEventId: row.id },
          now,
          200,
        ),
      ]);
      return {
        ...presentSecurityEvent(row),
        evidence: evidence.map(presentEvidence),
        timeline: timeline.map(presentActivity),
        responses: responses.map((r) => presentResponse(r, now)),
      };
    },

    async update(caller: Caller, id: string, body: UpdateSecurityEventBody): Promise<SecurityEventOut> {
      const actor = authorize(caller, 'security:manage');
      return db.transaction().execute((trx) => triage(trx, actor, id, body));
    },

    /**
     * One (possibly coalesced) detection: raise or fold, run the rules it newly reaches, all in one
     * transaction; alerts hear of it once it commits. Writes of one dedup key run one at a time.
     * `settings` are read by the caller beforehand (SQLite's one connection is the transaction's).
     */
    async recordDetection(
      detection: Detection,
      settings: ResolvedThreatSettings,
      occurrences = 1,
    ): Promise<RaiseResult> {
      const key = `${detection.organizationId}\u0000${detection.dedupKey}`;
      return serialized(key, () =>
        db.transaction().execute(async (trx) => {
          const now = nowIso();
          const raised = await raiser.raiseDetection(trx, detection, now, { occurrences });
          const { event, created } = raised;
          const queued = created && alerts.queueRaised !== undefined;
          if (created) await alerts.queueRaised?.(trx, detection.organizationId, event);
          await afterCommit(trx, () =>
            alerts.notify({
              organizationId: detection.organizationId,
              kind: 'security_event',
              change: created ? 'raised' : 'repeated',
              event,
              ...(queued ? { queued } : {}),
            }),
          );
          if (created || raised.severityRose) {
            await responder.applyResponses(trx, event, detection, settings, raised.previousSeverity, now);
          }
          return raised;
        }),
      );
    },
  };
}

export type SecurityEventsService = ReturnType<typeof createSecurityEventsService>;
