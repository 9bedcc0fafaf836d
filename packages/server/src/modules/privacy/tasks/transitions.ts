import type { AuditAction } from '@custos/shared';
import type { Transaction } from 'kysely';
import type { Deps } from '../../../deps';
import { afterCommit } from '../../../platform/db/after-commit';
import type { DB } from '../../../platform/db/schema';
import { type Caller, systemMeta } from '../../../platform/http/caller';
import * as requests from '../requests-store';
import { appendTimeline } from '../timeline';
import * as store from './store';

/** Custos itself, for transitions made by the delivery worker or the built-in system. */
export const SYSTEM: Caller = { kind: 'anonymous', meta: systemMeta() };

type TaskAction =
  | 'queued'
  | 'skipped'
  | 'delivered'
  | 'claimed'
  | 'lease_extended'
  | 'completed'
  | 'failed'
  | 'retried';

/**
 * Records one task transition inside `trx`: the audit event and the request's timeline entry.
 * `caller` null is Custos itself.
 */
export async function recordTaskEvent(
  deps: Pick<Deps, 'audit'>,
  trx: Transaction<DB>,
  caller: Caller | null,
  task: Pick<store.TaskRow, 'id' | 'organizationId' | 'requestId' | 'systemId' | 'kind' | 'delivery'>,
  action: TaskAction,
  at: string,
  data: Record<string, unknown> = {},
): Promise<void> {
  if (task.requestId) {
    await appendTimeline(trx, {
      organizationId: task.organizationId,
      requestId: task.requestId,
      kind: `task_${action}`,
      caller,
      data: { taskId: task.id, systemId: task.systemId, kind: task.kind, ...data },
      at,
    });
  }
  await deps.audit.record(trx, caller ?? SYSTEM, {
    action: `privacy_task.${action}` as AuditAction,
    organizationId: task.organizationId,
    targets: [
      { type: 'privacy_task', id: task.id },
      ...(task.requestId ? [{ type: 'privacy_request', id: task.requestId }] : []),
      { type: 'privacy_system', id: task.systemId },
    ],
    metadata: { kind: task.kind, delivery: task.delivery, ...data },
  });
}

export interface SettleHooks {
  /** Told after the transaction that completed a request commits (its access package is made then). */
  onRequestCompleted?: (organizationId: string, requestId: string) => void;
}

/**
 * After a task finished: Custos' own erasure is released once every other task is done or
 * skipped, and the request completes by itself once all of them are (audited, on the timeline).
 */
export async function settleRequest(
  deps: Pick<Deps, 'audit'> & SettleHooks,
  trx: Transaction<DB>,
  organizationId: string,
  requestId: string,
  at: string,
): Promise<void> {
  const tasks = await store.tasksOfRequest(trx, organizationId, requestId);
  const open = tasks.filter((t) => (store.UNFINISHED as string[]).includes(t.state));
  const held = open.find((t) => t.delivery === 'builtin' && t.state === 'queued' && t.nextAttemptAt === null);
  if (held && open.length === 1) {
    await store.releaseHeldTask(trx, organizationId, held.id, at);
    return;
  }
  if (open.length > 0 || tasks.length === 0) return;
  const request = await requests.findRequest(trx, organizationId, requestId);
  if (request?.state !== 'in_progress') return;
  const applied = await requests.transition(trx, organizationId, requestId, ['in_progress'], {
    state: 'completed',
    closedAt: at,
    updatedAt: at,
  });
  if (!applied) return;
  await appendTimeline(trx, {
    organizationId,
    requestId,
    kind: 'completed',
    caller: null,
    data: { from: 'in_progress', to: 'completed', automatic: true, tasks: tasks.length },
    at,
  });
  await deps.audit.record(trx, SYSTEM, {
    action: 'privacy_request.completed',
    organizationId,
    targets: [{ type: 'privacy_request', id: requestId }],
    changes: { state: ['in_progress', 'completed'] },
    metadata: { type: request.type, regime: request.regime, automatic: true, tasks: tasks.length },
  });
  const completed = deps.onRequestCompleted;
  if (completed) await afterCommit(trx, () => completed(organizationId, requestId));
}
