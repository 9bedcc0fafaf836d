import type {
  ResponseAction,
  ResponseKind,
  SecurityEventOut,
  Severity,
  ThreatResponseOut,
} from '@custos/shared';
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps';
import { nowIso } from '../../platform/clock';
import { afterCommit } from '../../platform/db/after-commit';
import type { DB } from '../../platform/db/schema';
import type { Caller } from '../../platform/http/caller';
import { identity } from '../identity';
import { LOCK_SCOPE_BY_DETECTOR } from './detect';
import type { Detection, ResolvedThreatSettings } from './detection';
import { normalizeIp } from './ip';
import type { AlertSink, ResponseEffects } from './ports';
import { presentResponse, severityRank } from './present';
import { SYSTEM_CALLER } from './raise';
import { deliveryOutcome, PENDING_DELIVERY } from './response-delivery';
import * as responsesStore from './responses-store';
import * as store from './store';

/** Who placed a response: the system (a rule) or a person (by hand). */
export interface ResponseActor {
  caller: Caller;
  id: string | null;
  name: string | null;
}

export const SYSTEM_ACTOR: ResponseActor = { caller: SYSTEM_CALLER, id: null, name: null };

export interface ResponseRequest {
  organizationId: string;
  securityEventId: string | null;
  kind: ResponseKind;
  userId: string | null;
  ip: string | null;
  scope: 'untrusted' | 'all' | null;
  /** lock_account and block_ip: null = until lifted. */
  durationMinutes: number | null;
}

const laterExpiry = (a: string | null, b: string | null): string | null =>
  a === null || b === null ? null : a > b ? a : b;

/** Responses that act on a user: never on someone who is not a member of the organization. */
const ACTS_ON_USER: ReadonlySet<ResponseKind> = new Set([
  'lock_account',
  'end_sessions',
  'require_step_up',
  'notify_user',
]);

/**
 * An IP in a response's audit event is personal data: sealed under the response's user, or, for an
 * address alone (every block), under a data subject named by the address itself, so erasing that
 * address (`POST /audit/subjects/erase` with the IP) shreds it. Applied and lifted events of one
 * response use the same key.
 */
export function sealedIp(ip: string, userId: string | null): { personal: string[]; subjectRef: string } {
  return { personal: ['ip'], subjectRef: userId ? `user:${userId}` : `subject:${ip}` };
}

/**
 * The actions of the rules that `event` newly reaches: every rule of its detector (or '*') when the
 * event is new, or only the rules its new severity crossed into when it rose, so a repeat never
 * re-runs what already ran. Actions of one kind merge (the longest duration wins).
 */
export function actionsFor(
  settings: ResolvedThreatSettings,
  type: Detection['type'],
  severity: Severity,
  previousSeverity: Severity | null,
): Map<ResponseKind, ResponseAction> {
  const actions = new Map<ResponseKind, ResponseAction>();
  for (const rule of settings.responses) {
    if (rule.detector !== '*' && rule.detector !== type) continue;
    const min = severityRank(rule.minSeverity);
    if (severityRank(severity) < min) continue;
    if (previousSeverity !== null && severityRank(previousSeverity) >= min) continue;
    for (const action of rule.actions) {
      const seen = actions.get(action.kind);
      const minutes = action.durationMinutes ?? null;
      const merged =
        seen === undefined
          ? minutes
          : seen.durationMinutes == null || minutes === null
            ? null
            : Math.max(seen.durationMinutes, minutes);
      actions.set(action.kind, { kind: action.kind, durationMinutes: merged });
    }
  }
  return actions;
}

/**
 * Places responses: locks and IP blocks (an identical one in force is extended rather than
 * stacked), and one-shot actions (end sessions, demand a step-up, tell the user), each kept as a
 * row so the timeline and the responses list show them. Each is audited and put on its event's
 * timeline in the caller's transaction; alerts and the user's e-mail follow the commit.
 */
export function createResponder(
  deps: Pick<Deps, 'db' | 'audit' | 'log'> & { effects: ResponseEffects; alerts: AlertSink },
) {
  const { db, audit, log, effects, alerts } = deps;

  async function record(
    trx: Transaction<DB>,
    actor: ResponseActor,
    request: ResponseRequest,
    responseId: string,
    now: string,
    metadata: Record<string, unknown>,
  ): Promise<ThreatResponseOut> {
    const row = await responsesStore.findResponse(trx, request.organizationId, responseId);
    if (!row) throw new Error(`threat response ${responseId} vanished inside its own transaction`);
    const out = presentResponse(row, now);
    await audit.record(trx, actor.caller, {
      action: 'threat_response.applied',
      organizationId: request.organizationId,
      targets: [
        { type: 'threat_response', id: responseId },
        ...(request.userId ? [{ type: 'user', id: request.userId }] : []),
        ...(request.securityEventId ? [{ type: 'security_event', id: request.securityEventId }] : []),
      ],
      metadata: {
        kind: request.kind,
        ...(out.scope ? { scope: out.scope } : {}),
        ...(out.ip ? { ip: out.ip } : {}),
        expiresAt: out.expiresAt,
        ...metadata,
      },
      ...(out.ip ? sealedIp(out.ip, out.user?.id ?? null) : {}),
    });
    if (request.securityEventId) {
      await store.addActivity(trx, request.securityEventId, {
        kind: 'response_applied',
        actorId: actor.id,
        actorName: actor.name,
        data: { responseId, kind: request.kind, expiresAt: out.expiresAt, ...metadata },
        at: now,
      });
    }
    await afterCommit(trx, () =>
      alerts.notify({
        organizationId: request.organizationId,
        kind: 'response',
        change: 'applied',
        response: out,
      }),
    );
    return out;
  }

  /** A lock or block: extends the identical one in force, or inserts a new one. */
  async function placeLasting(
    trx: Transaction<DB>,
    actor: ResponseActor,
    request: ResponseRequest,
    now: string,
  ): Promise<ThreatResponseOut> {
    const expiresAt =
      request.durationMinutes === null
        ? null
        : new Date(Date.parse(now) + request.durationMinutes * 60_000).toISOString();
    const existing = await responsesStore.findActiveDuplicate(trx, request, now);
    let id: string;
    let extended = false;
    if (existing) {
      id = existing.id;
      const until = laterExpiry(existing.expiresAt, expiresAt);
      extended = until !== existing.expiresAt;
      if (extended) await responsesStore.setExpiry(trx, request.organizationId, id, until);
    } else {
      id = await responsesStore.insertResponse(trx, {
        organizationId: request.organizationId,
        securityEventId: request.securityEventId,
        kind: request.kind,
        scope: request.scope,
        userId: request.kind === 'lock_account' ? request.userId : null,
        ip: request.kind === 'block_ip' ? request.ip : null,
        createdBy: actor.id,
        createdAt: now,
        expiresAt,
      });
    }
    if (request.kind === 'block_ip' && (!existing || extended)) {
      await effects.ipBlocksChanged(trx, request.organizationId);
    }
    const metadata: Record<string, unknown> = existing ? { extended, existingResponse: true } : {};
    // A lock of every origin must also shut out whoever is signed in already (maybe the attacker).
    // The user's devices stay trusted: the lock already refuses them, and lifting it must give the
    // owner their devices back (an end_sessions response is what forgets them).
    if (request.kind === 'lock_account' && request.scope === 'all' && request.userId) {
      metadata.sessionsEnded = await effects.endSessions(trx, request.organizationId, request.userId, {
        forgetDevices: false,
      });
    }
    return record(trx, actor, request, id, now, metadata);
  }

  /**
   * Sends a notify_user response's e-mail (after its commit) and records on the row what became
   * of it: sent, queued in the outbox (no SMTP), or failed with the reason. The outcome is a
   * delivery record beside the audited response, like an alert delivery's attempts; the console
   * hears of it through the stream.
   */
  async function tellUser(
    organizationId: string,
    responseId: string,
    userId: string,
    event: SecurityEventOut,
  ): Promise<void> {
    const result = await effects.notifyUser(organizationId, userId, event).catch((err: unknown) => {
      log.error({ err, organizationId }, 'telling a user about a security event failed');
      return { status: 'failed' as const, error: 'not sent: an internal error stopped it' };
    });
    const now = nowIso();
    const outcome = deliveryOutcome(result, now);
    const recorded = await db.transaction().execute(async (trx) => {
      if (!(await responsesStore.setDelivery(trx, organizationId, responseId, outcome))) return false;
      // What became of the e-mail is part of the response's record: audited with the change.
      await audit.record(trx, SYSTEM_CALLER, {
        action: 'threat_response.user_notified',
        outcome: outcome.deliveryStatus === 'sent' ? 'success' : 'failure',
        organizationId,
        targets: [
          { type: 'threat_response', id: responseId },
          { type: 'user', id: userId },
        ],
        metadata: { delivery: outcome.deliveryStatus, detail: outcome.deliveryDetail },
      });
      return true;
    });
    if (!recorded) return;
    const row = await responsesStore.findResponse(db, organizationId, responseId);
    if (row) {
      alerts.notify({
        organizationId,
        kind: 'response',
        change: 'delivery',
        response: presentResponse(row, now),
      });
    }
  }

  /** A one-shot action: done now (or, for the e-mail, right after commit), kept as a `done` row. */
  async function placeOneShot(
    trx: Transaction<DB>,
    actor: ResponseActor,
    request: ResponseRequest & { userId: string },
    event: SecurityEventOut | null,
    now: string,
  ): Promise<ThreatResponseOut> {
    const metadata: Record<string, unknown> = {};
    if (request.kind === 'end_sessions') {
      metadata.sessionsEnded = await effects.endSessions(trx, request.organizationId, request.userId);
    } else if (request.kind === 'require_step_up') {
      metadata.sessionsAsked = await effects.demandStepUp(trx, request.organizationId, request.userId);
    }
    const notify = request.kind === 'notify_user';
    // The e-mail goes after the commit; with no event to tell of (no caller does that) it never goes.
    const delivery = !notify
      ? null
      : event
        ? PENDING_DELIVERY
        : deliveryOutcome({ status: 'failed', error: 'not sent: no security event to tell of' }, now);
    const id = await responsesStore.insertResponse(trx, {
      organizationId: request.organizationId,
      securityEventId: request.securityEventId,
      kind: request.kind,
      scope: null,
      userId: request.userId,
      ip: null,
      createdBy: actor.id,
      createdAt: now,
      expiresAt: null,
      delivery,
    });
    if (notify && event) {
      const { organizationId, userId } = request;
      await afterCommit(trx, () => {
        tellUser(organizationId, id, userId, event).catch((err: unknown) => {
          log.error({ err, organizationId }, 'recording what became of a user notice failed');
        });
      });
    }
    return record(trx, actor, request, id, now, metadata);
  }

  /** The detection's user when they are a member of its organization; else null (one lookup). */
  async function memberOrNull(
    trx: Transaction<DB>,
    detection: Detection,
    actions: Map<ResponseKind, ResponseAction>,
  ): Promise<string | null> {
    const { userId, organizationId } = detection;
    if (!userId || actions.size === 0) return null;
    const membership = await identity.findMembership(trx, organizationId, userId);
    if (membership) return userId;
    log.warn(
      { organizationId, type: detection.type },
      'detection names a user outside the organization: no response acts on them',
    );
    return null;
  }

  /** One response by request (an admin by hand, or a rule through applyResponses). */
  async function place(
    trx: Transaction<DB>,
    actor: ResponseActor,
    request: ResponseRequest,
    event: SecurityEventOut | null,
    now: string,
  ): Promise<ThreatResponseOut | null> {
    if (request.kind === 'lock_account' || request.kind === 'block_ip') {
      if (request.kind === 'lock_account' ? !request.userId : !request.ip) return null;
      return placeLasting(trx, actor, request, now);
    }
    if (!request.userId) return null;
    return placeOneShot(trx, actor, { ...request, userId: request.userId }, event, now);
  }

  return {
    place,

    /**
     * Runs the response rules `event` newly reaches (on creation, or when its severity rose).
     * Actions that need a user or an IP the detection lacks are skipped, and so is every action on
     * a user who is not a member of the organization: a host app's events name any actor id they
     * like, and detection must not lock, sign out or e-mail someone on another tenant's word.
     */
    async applyResponses(
      trx: Transaction<DB>,
      event: SecurityEventOut,
      detection: Detection,
      settings: ResolvedThreatSettings,
      previousSeverity: Severity | null = null,
      now = event.updatedAt,
    ): Promise<ThreatResponseOut[]> {
      const actions = actionsFor(settings, detection.type, event.severity, previousSeverity);
      const userId = await memberOrNull(trx, detection, actions);
      const applied: ThreatResponseOut[] = [];
      for (const action of actions.values()) {
        if (ACTS_ON_USER.has(action.kind) && !userId) continue;
        const out = await place(
          trx,
          SYSTEM_ACTOR,
          {
            organizationId: detection.organizationId,
            securityEventId: event.id,
            kind: action.kind,
            userId,
            ip: normalizeIp(detection.sourceIp),
            scope:
              action.kind === 'lock_account' || action.kind === 'block_ip'
                ? LOCK_SCOPE_BY_DETECTOR[detection.type]
                : null,
            durationMinutes: action.durationMinutes ?? null,
          },
          event,
          now,
        );
        if (out) applied.push(out);
      }
      return applied;
    },
  };
}

export type Responder = ReturnType<typeof createResponder>;
