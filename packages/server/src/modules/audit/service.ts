import type { AuditAction, AuditOutcome } from '@custos/shared';
import type { Transaction } from 'kysely';
import { nowIso } from '../../platform/clock';
import { newId } from '../../platform/crypto/tokens';
import type { DB } from '../../platform/db/schema';
import type { Caller } from '../../platform/http/caller';
import { type AuditActor, type AuditChanges, type AuditEvent, type AuditTarget, leafHashOf } from './event';
import * as store from './store';

export interface AuditRecordInput {
  action: AuditAction;
  outcome?: AuditOutcome;
  targets?: AuditTarget[];
  changes?: AuditChanges;
  metadata?: Record<string, unknown>;
  /** Defaults to the caller's current organization; null records into the platform log. */
  organizationId?: string | null;
  /** Overrides fields of the actor derived from the caller (e.g. the e-mail tried in a failed sign-in). */
  actor?: Partial<AuditActor>;
}

/** Marker for the log of events outside any organization. */
export const PLATFORM_LOG = 'platform';

/**
 * Writes one audit event inside the caller's transaction: if the event cannot be written, the
 * change it describes rolls back with it.
 */
export async function record(
  trx: Transaction<DB>,
  caller: Caller,
  input: AuditRecordInput,
): Promise<AuditEvent> {
  const organizationId =
    input.organizationId !== undefined
      ? input.organizationId
      : caller.kind === 'anonymous'
        ? null
        : caller.organizationId;
  const logId = organizationId ?? PLATFORM_LOG;
  const seq = await store.nextSeq(trx, logId);
  const at = nowIso();
  const body: Omit<AuditEvent, 'leafHash'> = {
    id: newId(),
    organizationId,
    seq,
    occurredAt: at,
    receivedAt: at,
    actor: { ...actorOf(caller), ...input.actor },
    impersonator: null,
    action: input.action,
    outcome: input.outcome ?? 'success',
    targets: input.targets ?? [],
    source: caller.meta.source,
    requestId: caller.meta.requestId,
    changes: input.changes ?? null,
    metadata: input.metadata ?? null,
  };
  const event: AuditEvent = { ...body, leafHash: leafHashOf(body) };
  await store.insertEvent(trx, logId, event);
  return event;
}

function actorOf(caller: Caller): AuditActor {
  const { ip, userAgent } = caller.meta;
  switch (caller.kind) {
    case 'user':
      return { type: 'user', id: caller.userId, name: caller.name, ip, userAgent };
    case 'apiKey':
      return { type: 'api_key', id: caller.apiKeyId, name: caller.name, ip, userAgent };
    default:
      return {
        type: caller.meta.source === 'system' ? 'system' : 'anonymous',
        id: null,
        name: null,
        ip,
        userAgent,
      };
  }
}
