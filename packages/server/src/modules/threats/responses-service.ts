import type { CreateResponseBody, ListResponsesQuery, ThreatResponseOut } from '@custos/shared';
import type { z } from 'zod';
import type { Deps } from '../../deps';
import { nowIso } from '../../platform/clock';
import { afterCommit } from '../../platform/db/after-commit';
import { authorize, type Caller, type OrganizationCaller, requireStepUp } from '../../platform/http/caller';
import { badRequest, conflict, forbidden, notFound } from '../../platform/http/errors';
import { identity } from '../identity';
import { actorOf } from './events-service';
import { normalizeIp } from './ip';
import type { AlertSink, ResponseEffects } from './ports';
import { presentResponse, responseState } from './present';
import { type Responder, type ResponseRequest, sealedIp } from './respond';
import * as responsesStore from './responses-store';
import * as store from './store';

type ListQuery = z.output<typeof ListResponsesQuery>;

const invalid = (message: string, field: string) => badRequest('RESPONSE_INVALID', message, { field });
const responseNotFound = () => notFound('RESPONSE_NOT_FOUND', 'There is no response with that id.');

/**
 * Responses by hand and their list: an admin locks a member or blocks an IP, and lifts a lock or
 * block, automatic or not (each with a recent step-up). Nobody locks themself out: no lock of one's own account, no
 * block of the address one is calling from.
 */
export function createThreatResponsesService(
  deps: Deps & { responder: Responder; effects: ResponseEffects; alerts: AlertSink },
) {
  const { db, audit, responder, effects, alerts } = deps;

  /** The lock asked for, checked: a member, not the caller, and an owner only by an owner. */
  async function lockRequest(actor: OrganizationCaller, body: CreateResponseBody): Promise<ResponseRequest> {
    if (!body.userId) throw invalid('Say which member to lock (userId).', 'userId');
    if (body.ip !== undefined)
      throw invalid('A lock names a member, not an IP; block the IP separately.', 'ip');
    if (actor.kind === 'user' && actor.userId === body.userId) {
      throw conflict(
        'RESPONSE_INVALID',
        'You cannot lock your own account: you would be shut out. Ask another admin.',
        {
          field: 'userId',
        },
      );
    }
    const membership = await identity.findMembership(db, actor.organizationId, body.userId);
    if (!membership) throw notFound('MEMBER_NOT_FOUND', 'No such member in this organization.');
    // As with access rules that reach owners: a lesser admin must not be able to shut every owner out.
    if (membership.roles.includes('owner') && !(actor.kind === 'user' && actor.roles.includes('owner'))) {
      throw forbidden('OWNER_REQUIRED', 'Only an owner can lock an owner’s account.');
    }
    return {
      organizationId: actor.organizationId,
      securityEventId: null,
      kind: 'lock_account',
      userId: body.userId,
      ip: null,
      scope: body.scope ?? 'all',
      durationMinutes: body.durationMinutes ?? null,
    };
  }

  function blockRequest(actor: OrganizationCaller, body: CreateResponseBody): ResponseRequest {
    if (body.userId !== undefined)
      throw invalid('A block names an IP, not a member; lock the member separately.', 'userId');
    const ip = normalizeIp(body.ip);
    if (!ip) throw invalid('Give the IPv4 or IPv6 address to block (one address, no range).', 'ip');
    if (ip === normalizeIp(actor.meta.ip)) {
      throw conflict(
        'RESPONSE_INVALID',
        `${ip} is the address you are calling from: blocking it would shut you out.`,
        {
          field: 'ip',
        },
      );
    }
    return {
      organizationId: actor.organizationId,
      securityEventId: null,
      kind: 'block_ip',
      userId: null,
      ip,
      // By hand, a block means every request from there; detection's blocks spare known users.
      scope: body.scope ?? 'all',
      durationMinutes: body.durationMinutes ?? null,
    };
  }

  return {
    async list(caller: Caller, query: ListQuery): Promise<{ responses: ThreatResponseOut[] }> {
      const { organizationId } = authorize(caller, 'security:read');
      const now = nowIso();
      const rows = await responsesStore.listResponses(
        db,
        organizationId,
        { activeOnly: query.state === 'active', kind: query.kind, userId: query.userId },
        now,
        query.limit,
      );
      return { responses: rows.map((r) => presentResponse(r, now)) };
    },

    async create(caller: Caller, body: CreateResponseBody): Promise<ThreatResponseOut> {
      const actor = authorize(caller, 'security:manage');
      requireStepUp(caller);
      const request =
        body.kind === 'lock_account' ? await lockRequest(actor, body) : blockRequest(actor, body);
      const who = actorOf(actor);
      return db.transaction().execute(async (trx) => {
        const out = await responder.place(trx, { caller: actor, ...who }, request, null, nowIso());
        if (!out) throw invalid('Nothing to lock or block.', 'kind');
        return out;
      });
    },

    async lift(caller: Caller, id: string): Promise<ThreatResponseOut> {
      const actor = authorize(caller, 'security:manage');
      // Undoing a lock or block lets someone back in: as sensitive as placing one.
      requireStepUp(caller);
      const org = actor.organizationId;
      const who = actorOf(actor);
      return db.transaction().execute(async (trx) => {
        const now = nowIso();
        const row = await responsesStore.findResponse(trx, org, id);
        if (!row) throw responseNotFound();
        const state = responseState(row, now);
        if (state !== 'active') {
          const why = {
            lifted: 'was lifted already',
            expired: 'has expired',
            done: 'happened once and is over',
          };
          throw conflict('RESPONSE_INVALID', `This response ${why[state]}: there is nothing to lift.`, {
            state,
          });
        }
        // Whoever holds a locked account's session (maybe the attacker the lock is for) must not undo it.
        if (row.kind === 'lock_account' && actor.kind === 'user' && row.userId === actor.userId) {
          throw conflict(
            'RESPONSE_INVALID',
            'You cannot lift a lock on your own account. Ask another admin.',
            {
              field: 'id',
            },
          );
        }
        await responsesStore.markLifted(trx, org, id, { id: who.id, name: who.name, at: now });
        if (row.kind === 'block_ip') await effects.ipBlocksChanged(trx, org);
        await audit.record(trx, actor, {
          action: 'threat_response.lifted',
          targets: [
            { type: 'threat_response', id },
            ...(row.userId ? [{ type: 'user', id: row.userId }] : []),
            ...(row.securityEventId ? [{ type: 'security_event', id: row.securityEventId }] : []),
          ],
          metadata: {
            kind: row.kind,
            ...(row.ip ? { ip: row.ip } : {}),
            ...(row.scope ? { scope: row.scope } : {}),
          },
          ...(row.ip ? sealedIp(row.ip, row.userId) : {}),
        });
        if (row.securityEventId) {
          await store.addActivity(trx, row.securityEventId, {
            kind: 'response_lifted',
            actorId: who.id,
            actorName: who.name,
            data: { responseId: id, kind: row.kind },
            at: now,
          });
        }
        const after = await responsesStore.findResponse(trx, org, id);
        if (!after) throw responseNotFound();
        const out = presentResponse(after, now);
        await afterCommit(trx, () =>
          alerts.notify({ organizationId: org, kind: 'response', change: 'lifted', response: out }),
        );
        return out;
      });
    },
  };
}

export type ThreatResponsesService = ReturnType<typeof createThreatResponsesService>;
