import { newId } from '../../platform/crypto/tokens';
import type { Executor } from '../../platform/db/executor';
import { toJson } from '../../platform/db/json';
import type { Caller } from '../../platform/http/caller';
import { insertEvent } from './requests-store';

/** Who a timeline entry names: the signed-in user, the host app's API key, or Custos itself. */
export function actorOf(caller: Caller | null): {
  actorType: string;
  actorId: string | null;
  actorName: string | null;
} {
  if (caller === null || caller.kind === 'anonymous')
    return { actorType: 'system', actorId: null, actorName: 'Custos' };
  if (caller.kind === 'apiKey')
    return { actorType: 'api_key', actorId: caller.apiKeyId, actorName: caller.name };
  return { actorType: 'user', actorId: caller.userId, actorName: caller.name };
}

/** Appends one entry to a request's timeline (inside the caller's transaction when it has one). */
export async function appendTimeline(
  db: Executor,
  entry: {
    organizationId: string;
    requestId: string;
    kind: string;
    caller: Caller | null;
    /** Names someone who is no caller of ours (the public page's requester); overrides `caller`. */
    actor?: ReturnType<typeof actorOf>;
    data?: Record<string, unknown>;
    at: string;
  },
): Promise<void> {
  await insertEvent(db, {
    id: newId(),
    requestId: entry.requestId,
    organizationId: entry.organizationId,
    kind: entry.kind,
    ...(entry.actor ?? actorOf(entry.caller)),
    data: toJson(entry.data ?? {}),
    at: entry.at,
  });
}
