import type { Deps } from '../../../deps';
import { open } from '../../../platform/crypto/keyring';
import { webhookHeaders } from '../../alerts/signing';
import { postWebhook } from '../../alerts/webhook-sender';
import { jittered } from '../../alerts/worker';
import type { SubjectSeal } from '../subject-seal';
import * as systems from '../systems-store';
import { hostTasks } from './host-task';
import * as store from './store';
import { recordTaskEvent, SYSTEM, settleRequest } from './transitions';

const WEBHOOK_TIMEOUT_MS = 10_000;
/** Longer than any attempt can take, so a live attempt is never taken twice; after a crash it comes due again. */
const LEASE_MS = 5 * 60_000;
const BATCH = 50;
const PARALLEL = 8;

/** Custos' own system runs its tasks in-process (builtin/). Answers the outcome. */
export type BuiltinRunner = (
  task: store.TaskRow,
) => Promise<{ ok: true; resultRef?: string | null } | { ok: false; error: string }>;

export interface TaskWorkerDeps extends Pick<Deps, 'db' | 'audit' | 'log' | 'config' | 'keyring'> {
  seal: SubjectSeal;
  builtin: BuiltinRunner;
}

/**
 * Sends due tasks: webhook systems get a signed POST (Standard Webhooks, the alerts module's
 * signer and SSRF-guarded sender) retried on the alerts' schedule (CUSTOS_ALERT_RETRY_SECONDS),
 * failed with the last error once it runs out; Custos' own tasks run in-process. A 2xx marks the
 * task delivered: the host completes it through the API (or its callback to the complete route).
 */
export function createTaskWorker(deps: TaskWorkerDeps) {
  const { db, config, log, keyring } = deps;
  const secretKey = keyring.derivedKey('privacy connector secrets');

  async function sendWebhook(task: store.TaskRow): Promise<{ ok: boolean; error: string | null }> {
    const system = await systems.findSystem(db, task.organizationId, task.systemId);
    if (!system?.webhookUrl || !system.webhookSecretSealed) {
      return { ok: false, error: 'The system has no webhook URL or secret any more.' };
    }
    if (system.enabled !== 1)
      return { ok: false, error: 'The system was disabled before the task was sent.' };
    const secret = open(secretKey, system.webhookSecretSealed, `privacy_system|${system.id}|webhook_secret`);
    if (!secret) return { ok: false, error: 'The webhook secret cannot be opened.' };
    const [body] = await hostTasks(db, deps.seal, task.organizationId, [task]);
    const payload = JSON.stringify({
      type: `privacy.task.${task.kind}`,
      timestamp: new Date().toISOString(),
      data: body,
    });
    // The message id is the task's and its attempt's: a receiver dedupes redeliveries by task id.
    const outcome = await postWebhook({
      url: system.webhookUrl,
      headers: webhookHeaders(secret, `${task.id}_${task.attempts}`, payload),
      body: payload,
      allowPrivateNetworks: config.webhookAllowPrivateNetworks,
      timeoutMs: WEBHOOK_TIMEOUT_MS,
    });
    return { ok: outcome.ok, error: outcome.error };
  }

  async function attempt(task: store.TaskRow): Promise<void> {
    let outcome: { ok: boolean; error: string | null; resultRef?: string | null; builtin?: boolean };
    try {
      if (task.delivery === 'builtin') {
        const ran = await deps.builtin(task);
        outcome = ran.ok
          ? { ok: true, error: null, resultRef: ran.resultRef ?? null, builtin: true }
          : { ok: false, error: ran.error, builtin: true };
      } else {
        outcome = await sendWebhook(task);
      }
    } catch (error) {
      log.warn({ err: error, taskId: task.id }, 'privacy task attempt failed');
      outcome = { ok: false, error: 'internal error while sending' };
    }
    const at = new Date().toISOString();
    await db.transaction().execute(async (trx) => {
      if (outcome.ok) {
        const state = outcome.builtin ? 'done' : 'delivered';
        const moved = await store.moveTask(trx, task.organizationId, task.id, ['queued'], {
          state,
          nextAttemptAt: null,
          lastError: null,
          updatedAt: at,
          ...(outcome.builtin ? { finishedAt: at, resultRef: outcome.resultRef ?? null } : {}),
        });
        // Not moved: the host completed or failed it while the POST was in flight.
        if (!moved) return;
        await recordTaskEvent(deps, trx, null, task, outcome.builtin ? 'completed' : 'delivered', at, {
          attempt: task.attempts,
        });
        if (outcome.builtin && task.requestId)
          await settleRequest(deps, trx, task.organizationId, task.requestId, at);
        return;
      }
      const delay = config.alertRetryDelaysMs[task.attempts - 1];
      if (delay !== undefined) {
        await store.moveTask(trx, task.organizationId, task.id, ['queued'], {
          nextAttemptAt: new Date(Date.now() + jittered(delay)).toISOString(),
          lastError: outcome.error,
          updatedAt: at,
        });
        return;
      }
      const moved = await store.moveTask(trx, task.organizationId, task.id, ['queued'], {
        state: 'failed',
        nextAttemptAt: null,
        lastError: outcome.error,
        updatedAt: at,
        finishedAt: at,
      });
      if (moved) {
        await recordTaskEvent(deps, trx, null, task, 'failed', at, {
          reason: outcome.error,
          attempts: task.attempts,
        });
      }
    });
  }

  async function claimAndRun(due: store.TaskRow): Promise<boolean> {
    const leaseUntil = new Date(Date.now() + LEASE_MS).toISOString();
    if (!(await store.claimAttempt(db, due, leaseUntil))) return false;
    await attempt({ ...due, attempts: due.attempts + 1, nextAttemptAt: leaseUntil });
    return true;
  }

  return {
    /** Sends every due task once; answers how many attempts were made. */
    async runDue(): Promise<number> {
      const due = await store.dueTasks(db, new Date().toISOString(), BATCH);
      let made = 0;
      for (let i = 0; i < due.length; i += PARALLEL) {
        const results = await Promise.all(due.slice(i, i + PARALLEL).map(claimAndRun));
        made += results.filter(Boolean).length;
      }
      return made;
    },
  };
}

export { SYSTEM };
export type TaskWorker = ReturnType<typeof createTaskWorker>;
