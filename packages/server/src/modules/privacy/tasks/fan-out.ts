import type { RequestType } from '@custos/shared';
import { newId } from '../../../platform/crypto/tokens';
import type { Executor } from '../../../platform/db/executor';
import { parseJson, toJson } from '../../../platform/db/json';
import type { RequestRow } from '../requests-store';
import * as systems from '../systems-store';
import type { TaskRow, TaskState } from './store';

/** Request types whose changes must be passed on to each recipient (GDPR Art. 19). */
const NOTIFY_RECIPIENTS: readonly string[] = ['erasure', 'rectification'];
/** Request types that carry what the subject asked (their sealed details, added when sent). */
const CARRY_DETAILS: readonly string[] = ['rectification', 'restriction', 'objection'];

export type Delivery = 'webhook' | 'polling' | 'builtin';

/** How a system's tasks reach it now, or why they cannot (a reason for people). */
export function deliveryOf(system: systems.SystemRow): { delivery: Delivery } | { refused: string } {
  if (system.kind === 'custos') return { delivery: 'builtin' };
  if (system.webhookUrl) return { delivery: 'webhook' };
  if (system.polling === 1) return { delivery: 'polling' };
  return {
    refused: 'The system has no connector: give it a webhook URL or turn polling on, then retry the task.',
  };
}

/** The task rows one approved request fans out to: one per system holding categories, plus notices. */
export async function planTasks(db: Executor, request: RequestRow, at: string): Promise<TaskRow[]> {
  const [rows, categories] = await Promise.all([
    systems.listSystems(db, request.organizationId),
    systems.categoriesOf(db, request.organizationId),
  ]);
  const tasks: TaskRow[] = [];
  const hostTasks = rows.some((s) => s.kind !== 'custos' && categories.some((c) => c.systemId === s.id));
  for (const system of rows) {
    const held = categories.filter((c) => c.systemId === system.id);
    if (held.length === 0) continue; // holds no personal data: nothing to ask of it
    const payload = payloadOf(request.type as RequestType, held);
    const base = taskBase(request, system, at);
    tasks.push({ ...base, id: newId(), kind: request.type, payload: toJson(payload) });
    if (!NOTIFY_RECIPIENTS.includes(request.type)) continue;
    for (const recipient of parseJson<string[]>(system.recipients)) {
      tasks.push({
        ...base,
        id: newId(),
        kind: 'recipient_notice',
        payload: toJson({ recipient, about: request.type, categories: payload.categories }),
      });
    }
  }
  // Custos' own erasure destroys the subject's key, which also seals the address the host systems
  // need: it waits (no due time) until every other task is done or skipped.
  for (const task of tasks) {
    if (task.delivery === 'builtin' && task.kind === 'erasure' && hostTasks) task.nextAttemptAt = null;
  }
  return tasks;
}

function payloadOf(
  type: RequestType,
  held: systems.SystemCategoryRow[],
): { categories: { categoryKey: string; erasureStrategy?: string }[]; includesDetails?: boolean } {
  const categories = held.map((c) =>
    type === 'erasure'
      ? { categoryKey: c.categoryKey, erasureStrategy: c.erasureStrategy }
      : { categoryKey: c.categoryKey },
  );
  return CARRY_DETAILS.includes(type) ? { categories, includesDetails: true } : { categories };
}

function taskBase(request: RequestRow, system: systems.SystemRow, at: string) {
  const how = deliveryOf(system);
  const disabled = system.enabled !== 1;
  const state: TaskState = disabled ? 'skipped' : 'refused' in how ? 'failed' : 'queued';
  const lastError = disabled
    ? 'The system is disabled in the data map: nothing was sent to it.'
    : 'refused' in how
      ? how.refused
      : null;
  const delivery: Delivery = 'delivery' in how ? how.delivery : 'polling';
  return {
    organizationId: request.organizationId,
    requestId: request.id,
    retentionRunId: null,
    systemId: system.id,
    state,
    delivery,
    attempts: 0,
    // Webhook and built-in tasks are sent by the worker when due; polled ones wait for a claim.
    nextAttemptAt: state === 'queued' && delivery !== 'polling' ? at : null,
    leaseUntil: null,
    claimedBy: null,
    lastError,
    resultRef: null,
    createdAt: at,
    updatedAt: at,
    finishedAt: state === 'skipped' ? at : null,
  };
}
