import {
  type AuditAction,
  type CreatePrivacyRequestBody,
  canExtend,
  type DenyPrivacyRequestBody,
  type ListPrivacyRequestsQuery,
  type PrivacyRequestDetail,
  type PrivacyRequestOut,
  REGIME_RULES,
} from '@custos/shared';
import type { Transaction } from 'kysely';
import type { z } from 'zod';
import type { Deps } from '../../deps';
import { newId } from '../../platform/crypto/tokens';
import type { DB } from '../../platform/db/schema';
import {
  authorize,
  type Caller,
  type OrganizationCaller,
  type RequestMeta,
} from '../../platform/http/caller';
import { badRequest, conflict, notFound } from '../../platform/http/errors';
import { identity } from '../identity';
import type { OutboxService } from '../outbox';
import { clockColumns, clockOf, todayIn } from './clock';
import { presentRequest, presentTimelineEntry } from './present';
import * as store from './requests-store';
import type { PrivacySettingsService } from './settings-service';
import type { SubjectSeal } from './subject-seal';
import { appendTimeline } from './timeline';
import { canTransition, isOpenState, type RequestAction, TRANSITIONS } from './transitions';

type CreateBody = z.output<typeof CreatePrivacyRequestBody>;
type ListQuery = z.output<typeof ListPrivacyRequestsQuery>;
type DenyBody = z.output<typeof DenyPrivacyRequestBody>;

/** How far back a request's receipt may be entered (a letter found late is still a request). */
const MAX_BACKDATE_MS = 366 * 86_400_000;
/** Clock skew allowed for a receipt time sent by a host app. */
const FUTURE_SKEW_MS = 5 * 60_000;

export const notFoundRequest = () =>
  notFound('PRIVACY_REQUEST_NOT_FOUND', 'No such privacy request in this organization.');

const ACTION_WORDS: Record<RequestAction, string> = {
  verify: 'verified',
  approve: 'approved',
  complete: 'completed',
  deny: 'denied',
  cancel: 'canceled',
  extend: 'extended',
};

function illegal(action: RequestAction, state: string) {
  const from = TRANSITIONS[action].from.join(', ');
  return conflict(
    'PRIVACY_REQUEST_TRANSITION_INVALID',
    `A request that is ${state.replace('_', ' ')} cannot be ${ACTION_WORDS[action]}; that needs one of: ${from}.`,
    { action, state, allowedFrom: TRANSITIONS[action].from },
  );
}

type TimelineActor = NonNullable<Parameters<typeof appendTimeline>[1]['actor']>;
type AuditActorOverride = NonNullable<Parameters<Deps['audit']['record']>[2]['actor']>;

/** Who acts on a request: a signed-in caller, or the public page's requester (no user). */
interface RequestActor {
  organizationId: string;
  /** Whose request metadata (IP, request id) the audit event carries. */
  caller: Caller;
  timelineActor?: TimelineActor;
  auditActor?: AuditActorOverride;
}

/** The person on the public request page: no account, known only by the address they gave. */
export interface PublicRequester {
  meta: RequestMeta;
  /** The address given, when the step has it in the clear (the submission). */
  email?: string;
}

function publicActor(organizationId: string, requester: PublicRequester): RequestActor {
  return {
    organizationId,
    caller: { kind: 'anonymous', meta: requester.meta },
    timelineActor: { actorType: 'requester', actorId: null, actorName: 'The requester' },
    // The address is personal data: the trail seals it as the actor's e-mail.
    auditActor: { type: 'anonymous', id: null, name: null, email: requester.email ?? null },
  };
}

export interface RequestsServiceDeps extends Pick<Deps, 'db' | 'audit' | 'log'> {
  seal: SubjectSeal;
  settings: PrivacySettingsService;
  outbox: OutboxService;
  now?: () => Date;
  /** The per-system tasks (tasks/): fanned out in the approval's transaction, listed in the detail. */
  tasks?: RequestTaskHooks;
}

export interface RequestTaskHooks {
  /** One task per system of the data map, inside the transaction that approved `request`. */
  fanOut(trx: Transaction<DB>, caller: Caller, request: store.RequestRow, at: string): Promise<void>;
  list(organizationId: string, requestId: string): Promise<PrivacyRequestDetail['tasks']>;
}

/**
 * Data subject requests: intake (console on the subject's behalf, or a host app's API key on its
 * verified user's behalf), duplicate detection, the state machine with its statutory clock, and the
 * timeline. Every transition is checked against the state it starts from and audited in its
 * transaction; an illegal one answers 409 and writes nothing.
 */
export function createRequestsService(deps: RequestsServiceDeps) {
  const { db, audit, seal, settings, outbox, log } = deps;
  const now = deps.now ?? (() => new Date());

  async function present(ex: typeof db | Transaction<DB>, organizationId: string, rows: store.RequestRow[]) {
    const opener = await seal.opener(
      ex,
      organizationId,
      rows.flatMap((r) => [r.emailSealed, r.subjectNameSealed, r.detailsSealed]),
    );
    const at = now();
    return { rows: rows.map((r) => presentRequest(r, opener, at)), opener };
  }

  async function load(ex: typeof db | Transaction<DB>, organizationId: string, id: string) {
    const row = await store.findRequest(ex, organizationId, id);
    if (!row) throw notFoundRequest();
    return row;
  }

  async function timeZoneOf(ex: typeof db | Transaction<DB>, organizationId: string): Promise<string> {
    const head = await identity.findAccessHead(ex, organizationId);
    return head?.timeZone ?? 'UTC';
  }

  function receivedAtOf(body: CreateBody, at: Date): string {
    if (body.receivedAt === undefined) return at.toISOString();
    const ms = Date.parse(body.receivedAt);
    if (ms > at.getTime() + FUTURE_SKEW_MS || ms < at.getTime() - MAX_BACKDATE_MS) {
      throw badRequest(
        'PRIVACY_REQUEST_INVALID',
        'receivedAt must be when the request arrived: not in the future and not more than a year ago.',
        { receivedAt: body.receivedAt },
      );
    }
    return new Date(ms).toISOString();
  }

  /**
   * One transition inside `trx`: load, check the state, apply the update only if the state is
   * still the one checked (concurrent actions: one wins), append the timeline, audit.
   */
  async function step(
    trx: Transaction<DB>,
    who: RequestActor,
    id: string,
    action: RequestAction,
    build: (
      row: store.RequestRow,
      at: string,
    ) => {
      set: Partial<store.RequestRow>;
      timeline: Record<string, unknown>;
      metadata?: Record<string, unknown>;
    },
  ): Promise<store.RequestRow> {
    const { organizationId } = who;
    const row = await load(trx, organizationId, id);
    if (!canTransition(action, row.state)) throw illegal(action, row.state);
    const at = now().toISOString();
    const { set, timeline, metadata } = build(row, at);
    const to = TRANSITIONS[action].to;
    const applied = await store.transition(trx, organizationId, id, TRANSITIONS[action].from, {
      ...set,
      ...(to ? { state: to } : {}),
      ...(to && !isOpenState(to) ? { closedAt: at } : {}),
      updatedAt: at,
    });
    if (!applied) throw illegal(action, (await load(trx, organizationId, id)).state);
    await appendTimeline(trx, {
      organizationId,
      requestId: id,
      kind: ACTION_WORDS[action],
      caller: who.caller,
      ...(who.timelineActor ? { actor: who.timelineActor } : {}),
      data: { from: row.state, to: to ?? row.state, ...timeline },
      at,
    });
    await audit.record(trx, who.caller, {
      action: `privacy_request.${ACTION_WORDS[action]}` as AuditAction,
      organizationId,
      ...(who.auditActor ? { actor: who.auditActor } : {}),
      targets: [{ type: 'privacy_request', id }],
      changes: { state: [row.state, to ?? row.state] },
      metadata: { type: row.type, regime: row.regime, ...metadata },
    });
    const updated = await load(trx, organizationId, id);
    if (to === 'in_progress' && deps.tasks) await deps.tasks.fanOut(trx, who.caller, updated, at);
    return updated;
  }

  /** One transition by a signed-in caller with privacy:manage, in a transaction of its own. */
  async function act(
    caller: Caller,
    id: string,
    action: RequestAction,
    build: (
      row: store.RequestRow,
      c: OrganizationCaller,
      at: string,
    ) => {
      set: Partial<store.RequestRow>;
      timeline: Record<string, unknown>;
      metadata?: Record<string, unknown>;
    },
  ): Promise<{ request: PrivacyRequestOut; row: store.RequestRow }> {
    const c = authorize(caller, 'privacy:manage');
    const who = { organizationId: c.organizationId, caller: c };
    const result = await db
      .transaction()
      .execute((trx) => step(trx, who, id, action, (row, at) => build(row, c, at)));
    const { rows } = await present(db, c.organizationId, [result]);
    return { request: rows[0] as PrivacyRequestOut, row: result };
  }

  /**
   * Inserts a new request inside `trx` (linked to an open duplicate of the same subject and type),
   * with its first timeline entries and its audit event.
   */
  async function openIn(
    trx: Transaction<DB>,
    who: RequestActor & { source: 'console' | 'api' | 'public'; createdBy: string | null },
    body: CreateBody,
    at: Date,
    receivedAt: string,
    state: 'received' | 'verifying',
  ): Promise<store.RequestRow> {
    const { organizationId } = who;
    const [timeZone, resolved] = await Promise.all([
      timeZoneOf(trx, organizationId),
      settings.resolve(trx, organizationId),
    ]);
    const id = newId();
    const subjectRef = seal.subjectRef(body);
    const subjectKey = seal.subjectKey(subjectRef);
    const emailIndex = body.email ? seal.emailIndex(organizationId, body.email) : null;
    const verifiedAt = body.verified ? at.toISOString() : null;
    const clockWaits = resolved.clockWaitsForVerification[body.regime] ? 1 : 0;
    const original = await store.findOpenDuplicate(trx, organizationId, {
      type: body.type,
      subjectKey,
      emailIndex,
    });
    const sealed = await seal.sealFields(trx, organizationId, subjectKey, id, {
      email: body.email,
      subjectName: body.subjectName,
      details: body.details,
    });
    const clockInputs = { regime: body.regime, receivedAt, verifiedAt, clockWaits, timeZone, extensions: 0 };
    const createdAt = at.toISOString();
    const inserted: store.RequestRow = {
      id,
      organizationId,
      type: body.type,
      regime: body.regime,
      state: body.verified ? 'awaiting_approval' : state,
      source: who.source,
      subjectRef: body.subjectRef ?? null,
      subjectKey,
      emailSealed: sealed.email,
      emailIndex,
      subjectNameSealed: sealed.subjectName,
      detailsSealed: sealed.details,
      receivedAt,
      verifiedAt,
      approvedAt: null,
      clockWaits,
      timeZone,
      ...clockColumns(clockInputs),
      extensions: 0,
      extensionReason: null,
      duplicateOf: original?.id ?? null,
      denialReason: null,
      denialGround: null,
      closedAt: null,
      remindedFor: null,
      overdueAlertedAt: null,
      createdBy: who.createdBy,
      createdAt,
      updatedAt: createdAt,
    };
    await store.insertRequest(trx, inserted);
    const timelineWho = { caller: who.caller, ...(who.timelineActor ? { actor: who.timelineActor } : {}) };
    await appendTimeline(trx, {
      organizationId,
      requestId: id,
      kind: 'created',
      ...timelineWho,
      data: {
        type: body.type,
        regime: body.regime,
        receivedAt,
        duplicateOf: original?.id ?? null,
        ...(who.source === 'public' ? { via: 'the public request page' } : {}),
      },
      at: createdAt,
    });
    if (body.verified) {
      await appendTimeline(trx, {
        organizationId,
        requestId: id,
        kind: 'verified',
        ...timelineWho,
        data: {
          from: 'received',
          to: 'awaiting_approval',
          method:
            who.source === 'api' ? 'the host app verified its signed-in user' : 'attested by the creator',
        },
        at: createdAt,
      });
    }
    await audit.record(trx, who.caller, {
      action: 'privacy_request.created',
      organizationId,
      ...(who.auditActor ? { actor: who.auditActor } : {}),
      targets: [{ type: 'privacy_request', id }],
      metadata: {
        type: body.type,
        regime: body.regime,
        verified: body.verified,
        source: who.source,
        duplicateOf: original?.id ?? null,
      },
    });
    return inserted;
  }

  /** Tells the requester of an extension and its reason (GDPR Art. 12(3), 11 CCR §7021(b)); after commit. */
  async function sendExtensionNotice(c: OrganizationCaller, request: PrivacyRequestOut, reason: string) {
    const at = () => now().toISOString();
    const base = { organizationId: c.organizationId, requestId: request.id, caller: null };
    if (!request.email) {
      await appendTimeline(db, {
        ...base,
        kind: 'notice_required',
        data: {
          notice: 'extension',
          message:
            'No e-mail address is on file: send the subject the reason and the new due date another way.',
          noticeBy: request.clock.extensionNoticeBy,
        },
        at: at(),
      });
      return;
    }
    const organization = await identity.findOrganization(db, c.organizationId);
    const name = organization?.name ?? 'The organization';
    const result = await outbox.deliver(c.organizationId, {
      to: request.email,
      subject: `${name}: more time is needed for your privacy request`,
      text: [
        `${name} needs more time to answer your ${request.type} request received on ${request.receivedAt.slice(0, 10)}.`,
        '',
        `Reason: ${reason}`,
        '',
        `The new due date is ${request.clock.dueDate}.`,
        `(${REGIME_RULES[request.regime].source} allows this extension.)`,
      ].join('\n'),
    });
    await appendTimeline(db, {
      ...base,
      kind: 'notice_sent',
      data: { notice: 'extension', delivery: result.status },
      at: at(),
    });
  }

  return {
    async create(caller: Caller, body: CreateBody) {
      const c = authorize(caller, 'privacy:manage');
      const at = now();
      const receivedAt = receivedAtOf(body, at);
      const who = {
        organizationId: c.organizationId,
        caller: c,
        source: c.kind === 'apiKey' ? ('api' as const) : ('console' as const),
        createdBy: c.kind === 'user' ? c.userId : c.apiKeyId,
      };
      const row = await db.transaction().execute((trx) => openIn(trx, who, body, at, receivedAt, 'received'));
      const { rows } = await present(db, c.organizationId, [row]);
      const request = rows[0] as PrivacyRequestOut;
      return {
        ...request,
        duplicate: row.duplicateOf
          ? {
              of: row.duplicateOf,
              message:
                'An open request of the same type from the same subject exists; this one is linked to it.',
            }
          : null,
      };
    },

    /**
     * The public page's hook: opens a request in `verifying` inside the page's transaction (so the
     * code and the request commit together). No permission: the requester has no account; the
     * page's own service decides who may ask.
     */
    async openPublic(
      trx: Transaction<DB>,
      organizationId: string,
      requester: PublicRequester,
      body: Pick<CreateBody, 'type' | 'regime' | 'email' | 'subjectName' | 'details'>,
    ): Promise<store.RequestRow> {
      const at = now();
      return openIn(
        trx,
        { ...publicActor(organizationId, requester), source: 'public', createdBy: null },
        { ...body, verified: false },
        at,
        at.toISOString(),
        'verifying',
      );
    },

    /** The public page's hook: the e-mailed code was right, so identity is verified (inside `trx`). */
    async verifyPublic(
      trx: Transaction<DB>,
      organizationId: string,
      requester: PublicRequester,
      id: string,
    ): Promise<store.RequestRow> {
      return step(trx, publicActor(organizationId, requester), id, 'verify', (row, at) => {
        const verified = { ...row, verifiedAt: at };
        return {
          set: { verifiedAt: at, ...clockColumns(verified) },
          timeline: { method: 'a code e-mailed to the address given' },
        };
      });
    },

    async list(caller: Caller, query: ListQuery): Promise<PrivacyRequestOut[]> {
      const c = authorize(caller, 'privacy:read');
      const rows = await store.listRequests(
        db,
        c.organizationId,
        {
          ...(query.state ? { states: query.state } : {}),
          ...(query.type ? { type: query.type } : {}),
          ...(query.overdue !== undefined ? { overdue: query.overdue } : {}),
          ...(query.dueBefore ? { dueBefore: query.dueBefore } : {}),
          limit: query.limit,
        },
        now().toISOString(),
      );
      return (await present(db, c.organizationId, rows)).rows;
    },

    async get(caller: Caller, id: string): Promise<PrivacyRequestDetail> {
      const c = authorize(caller, 'privacy:read');
      const row = await load(db, c.organizationId, id);
      const [{ rows, opener }, events, tasks] = await Promise.all([
        present(db, c.organizationId, [row]),
        store.listEvents(db, c.organizationId, id),
        deps.tasks ? deps.tasks.list(c.organizationId, id) : Promise.resolve([]),
      ]);
      return {
        ...(rows[0] as PrivacyRequestOut),
        details: opener(row.id, 'details', row.detailsSealed),
        timeline: events.map(presentTimelineEntry),
        tasks,
      };
    },

    /** Identity verified: the clock starts now if it waits for verification. */
    async verify(caller: Caller, id: string, method: string) {
      const { request } = await act(caller, id, 'verify', (row, _c, at) => {
        const verified = { ...row, verifiedAt: at };
        return { set: { verifiedAt: at, ...clockColumns(verified) }, timeline: { method } };
      });
      return request;
    },

    async approve(caller: Caller, id: string) {
      const { request } = await act(caller, id, 'approve', (_row, _c, at) => ({
        set: { approvedAt: at },
        timeline: {},
      }));
      return request;
    },

    async complete(caller: Caller, id: string, note?: string) {
      const { request } = await act(caller, id, 'complete', () => ({
        set: {},
        timeline: note ? { note } : {},
      }));
      return request;
    },

    async cancel(caller: Caller, id: string, note?: string) {
      const { request } = await act(caller, id, 'cancel', () => ({
        set: {},
        timeline: note ? { note } : {},
      }));
      return request;
    },

    async deny(caller: Caller, id: string, body: DenyBody) {
      const { request } = await act(caller, id, 'deny', () => ({
        set: { denialReason: body.reason, denialGround: body.legalGround },
        timeline: { reason: body.reason, legalGround: body.legalGround },
        metadata: { legalGround: body.legalGround },
      }));
      return request;
    },

    /**
     * One more extension, if the regime allows another and the first period has not run out (the
     * subject must be told within it); the reason is e-mailed to the subject after the commit.
     */
    async extend(caller: Caller, id: string, reason: string) {
      const { request } = await act(caller, id, 'extend', (row) => {
        const today = todayIn(now(), row.timeZone);
        const verdict = canExtend(row.regime as 'gdpr' | 'ccpa', row.extensions, today, clockOf(row));
        if (!verdict.ok) {
          const why =
            verdict.reason === 'max_extensions'
              ? `${REGIME_RULES[row.regime as 'gdpr' | 'ccpa'].name} allows no further extension of this request.`
              : `The extension had to be notified by ${row.extensionNoticeBy}; that period is over.`;
          throw conflict('PRIVACY_EXTENSION_REFUSED', why, { reason: verdict.reason });
        }
        const extended = { ...row, extensions: row.extensions + 1 };
        const clock = clockColumns(extended);
        return {
          set: { extensions: extended.extensions, extensionReason: reason, ...clock },
          timeline: {
            reason,
            extensions: extended.extensions,
            dueDate: clock.dueDate,
            noticeRequired: true,
            noticeBy: row.extensionNoticeBy,
          },
          metadata: { extensions: extended.extensions, dueDate: clock.dueDate },
        };
      });
      const c = authorize(caller, 'privacy:manage');
      await sendExtensionNotice(c, request, reason).catch((error: unknown) =>
        log.error({ err: error, requestId: id }, 'privacy: extension notice failed'),
      );
      return request;
    },
  };
}

export type RequestsService = ReturnType<typeof createRequestsService>;
