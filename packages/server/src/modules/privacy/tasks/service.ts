import type {
  ClaimPrivacyTasksBody,
  CompletePrivacyTaskBody,
  PrivacyHostTask,
  PrivacyTaskHostOut,
  PrivacyTaskOut,
} from '@custos/shared';
import type { Transaction } from 'kysely';
import type { z } from 'zod';
import type { Deps } from '../../../deps';
import { afterCommit } from '../../../platform/db/after-commit';
import type { DB } from '../../../platform/db/schema';
import { authorize, type Caller, type OrganizationCaller } from '../../../platform/http/caller';
import { AppError, conflict, notFound } from '../../../platform/http/errors';
import type { DataMapService } from '../datamap-service';
import { notFoundSystem } from '../datamap-service';
import { notFoundRequest } from '../requests-service';
import * as requests from '../requests-store';
import type { SubjectSeal } from '../subject-seal';
import * as systems from '../systems-store';
import { deliveryOf, planTasks } from './fan-out';
import { hostTasks, presentTask } from './host-task';
import { resultProblem, storeResult } from './results';
import * as store from './store';
import { recordTaskEvent, settleRequest } from './transitions';

type ClaimBody = z.output<typeof ClaimPrivacyTasksBody>;
type CompleteBody = z.input<typeof CompletePrivacyTaskBody>;

export const notFoundTask = () =>
  notFound('PRIVACY_TASK_NOT_FOUND', 'No such privacy task in this organization.');

/** States a host may still complete or fail a task from (a webhook's host may answer before its 2xx is recorded). */
const HOST_OPEN: store.TaskState[] = ['queued', 'delivered', 'claimed'];

export interface TasksServiceDeps extends Pick<Deps, 'db' | 'audit' | 'log'> {
  seal: SubjectSeal;
  dataMap: Pick<DataMapService, 'ensureBuiltInIn'>;
  /** Asks the delivery worker for a pass after a commit that queued work. */
  kick: () => void;
  now?: () => Date;
}

/**
 * The per-system tasks of requests: fan-out on approval, the host's task queue (claim, heartbeat,
 * complete, fail) and a manager's retry. Every transition is conditional on the state it starts
 * from, audited in its transaction and put on the request's timeline.
 */
export function createTasksService(deps: TasksServiceDeps) {
  const { db, seal } = deps;
  const now = () => (deps.now ?? (() => new Date()))().toISOString();

  async function loadTask(ex: typeof db | Transaction<DB>, organizationId: string, id: string) {
    const task = await store.findTask(ex, organizationId, id);
    if (!task) throw notFoundTask();
    return task;
  }

  const stateInvalid = (task: store.TaskRow, wanted: string) =>
    conflict('PRIVACY_TASK_STATE_INVALID', `The task is ${task.state}; ${wanted}.`, { state: task.state });

  /** Marks a task failed (host said so, or its upload was refused) and records it. */
  async function failIn(
    trx: Transaction<DB>,
    caller: Caller,
    task: store.TaskRow,
    reason: string,
    at: string,
  ) {
    const moved = await store.moveTask(trx, task.organizationId, task.id, HOST_OPEN, {
      state: 'failed',
      lastError: reason,
      leaseUntil: null,
      nextAttemptAt: null,
      updatedAt: at,
      finishedAt: at,
    });
    if (!moved) return false;
    await recordTaskEvent(deps, trx, caller, task, 'failed', at, { reason });
    return true;
  }

  function hostOut(task: store.TaskRow): PrivacyTaskHostOut {
    return {
      id: task.id,
      state: task.state as PrivacyTaskHostOut['state'],
      leaseUntil: task.leaseUntil,
      attempts: task.attempts,
    };
  }

  return {
    /** Inside the approval's transaction: one task per system (see fan-out.ts). */
    async fanOut(trx: Transaction<DB>, caller: Caller, request: requests.RequestRow, at: string) {
      await deps.dataMap.ensureBuiltInIn(trx, request.organizationId);
      const tasks = await planTasks(trx, request, at);
      await store.insertTasks(trx, tasks);
      const who = caller.kind === 'anonymous' ? null : caller;
      for (const task of tasks) {
        const action = task.state === 'skipped' ? 'skipped' : task.state === 'failed' ? 'failed' : 'queued';
        await recordTaskEvent(
          deps,
          trx,
          who,
          task,
          action,
          at,
          task.lastError ? { reason: task.lastError } : {},
        );
      }
      if (tasks.some((t) => t.nextAttemptAt !== null)) {
        await afterCommit(trx, deps.kick);
      }
      // Every system skipped: nothing is left to wait for.
      if (tasks.length > 0) await settleRequest(deps, trx, request.organizationId, request.id, at);
    },

    async list(organizationId: string, requestId: string): Promise<PrivacyTaskOut[]> {
      const tasks = await store.tasksOfRequest(db, organizationId, requestId);
      const results = await store.resultsOf(
        db,
        organizationId,
        tasks.map((t) => t.id),
      );
      const byTask = new Map(results.map((r) => [r.taskId, r]));
      return tasks.map((t) => presentTask(t, byTask.get(t.id)));
    },

    /** A failed task goes again alone; the request resumes from where it stopped. */
    async retry(caller: Caller, requestId: string, taskId: string): Promise<PrivacyTaskOut> {
      const c = authorize(caller, 'privacy:manage');
      await db.transaction().execute(async (trx) => {
        const request = await requests.findRequest(trx, c.organizationId, requestId);
        if (!request) throw notFoundRequest();
        const task = await loadTask(trx, c.organizationId, taskId);
        if (task.requestId !== requestId) throw notFoundTask();
        if (request.state !== 'in_progress') {
          throw conflict(
            'PRIVACY_TASK_STATE_INVALID',
            `The request is ${request.state.replace('_', ' ')}; only the tasks of a request in progress can be retried.`,
          );
        }
        if (task.state !== 'failed') throw stateInvalid(task, 'only a failed task can be retried');
        const system = await systems.findSystem(trx, c.organizationId, task.systemId);
        if (!system) throw notFoundSystem();
        // The connector may have been fixed since: the task goes the way the system is reached now.
        const how = deliveryOf(system);
        if ('refused' in how) throw conflict('PRIVACY_TASK_STATE_INVALID', how.refused);
        if (system.enabled !== 1) {
          throw conflict(
            'PRIVACY_TASK_STATE_INVALID',
            'The system is disabled: enable it in the data map first.',
          );
        }
        const at = now();
        const moved = await store.moveTask(trx, c.organizationId, taskId, ['failed'], {
          state: 'queued',
          delivery: how.delivery,
          nextAttemptAt: how.delivery === 'polling' ? null : at,
          leaseUntil: null,
          claimedBy: null,
          finishedAt: null,
          updatedAt: at,
        });
        if (!moved)
          throw stateInvalid(
            await loadTask(trx, c.organizationId, taskId),
            'only a failed task can be retried',
          );
        await recordTaskEvent(deps, trx, c, { ...task, delivery: how.delivery }, 'retried', at, {
          previousError: task.lastError,
          attempts: task.attempts,
        });
        if (how.delivery !== 'polling') {
          await afterCommit(trx, deps.kick);
        }
      });
      const [task] = (await this.list(c.organizationId, requestId)).filter((t) => t.id === taskId);
      if (!task) throw notFoundTask();
      return task;
    },

    /**
     * Leases up to `limit` tasks of a polling system to the caller. Each is taken by a conditional
     * update on the state and lease it was seen with, so two pollers never hold the same task.
     */
    async claim(caller: Caller, body: ClaimBody): Promise<PrivacyHostTask[]> {
      const c = authorize(caller, 'privacy:process');
      const system = await systems.findSystem(db, c.organizationId, body.systemId);
      if (!system) throw notFoundSystem();
      if (system.polling !== 1) {
        throw conflict(
          'PRIVACY_SYSTEM_NOT_POLLING',
          'This system does not poll for tasks: turn polling on in its connector settings.',
        );
      }
      const at = now();
      const leaseUntil = new Date(Date.parse(at) + body.leaseSeconds * 1000).toISOString();
      const candidates = await store.claimable(db, c.organizationId, system.id, at, body.limit);
      const won: store.TaskRow[] = [];
      for (const task of candidates) {
        const taken = await db.transaction().execute(async (trx) => {
          const moved = await store.moveTask(
            trx,
            c.organizationId,
            task.id,
            [task.state as store.TaskState],
            {
              state: 'claimed',
              leaseUntil,
              claimedBy: claimantOf(c),
              attempts: task.attempts + 1,
              updatedAt: at,
            },
            { leaseUntil: task.leaseUntil },
          );
          if (!moved) return false;
          await recordTaskEvent(deps, trx, c, task, 'claimed', at, { leaseUntil });
          return true;
        });
        if (taken) won.push({ ...task, state: 'claimed', leaseUntil, attempts: task.attempts + 1 });
      }
      return hostTasks(db, seal, c.organizationId, won);
    },

    async heartbeat(caller: Caller, taskId: string, leaseSeconds: number): Promise<PrivacyTaskHostOut> {
      const c = authorize(caller, 'privacy:process');
      return db.transaction().execute(async (trx) => {
        const task = await loadTask(trx, c.organizationId, taskId);
        const at = now();
        if (task.state !== 'claimed' || task.claimedBy !== claimantOf(c)) {
          throw stateInvalid(task, 'only the poller holding a claimed task can extend its lease');
        }
        const leaseUntil = new Date(Date.parse(at) + leaseSeconds * 1000).toISOString();
        const moved = await store.moveTask(
          trx,
          c.organizationId,
          taskId,
          ['claimed'],
          { leaseUntil, updatedAt: at },
          { leaseUntil: task.leaseUntil },
        );
        if (!moved) throw stateInvalid(await loadTask(trx, c.organizationId, taskId), 'the lease was lost');
        await recordTaskEvent(deps, trx, c, task, 'lease_extended', at, { leaseUntil });
        return hostOut({ ...task, leaseUntil });
      });
    },

    /**
     * Done. An access or portability task's result (a JSON object or array, bounded) is stored
     * sealed under the subject's key; a refused result fails the task with the reason and answers
     * 400 or 413, changing nothing else.
     */
    async complete(caller: Caller, taskId: string, body: CompleteBody): Promise<PrivacyTaskHostOut> {
      const c = authorize(caller, 'privacy:process');
      const task = await loadTask(db, c.organizationId, taskId);
      const problem = body.result === undefined ? null : resultProblem(body.result);
      if (problem) {
        await this.reject(c, taskId, problem.reason);
        throw new AppError(
          problem.status,
          problem.status === 413 ? 'PRIVACY_TASK_RESULT_TOO_LARGE' : 'PRIVACY_TASK_RESULT_INVALID',
          `${problem.reason} The task is marked failed; retry it from the request once fixed.`,
        );
      }
      if (!HOST_OPEN.includes(task.state as store.TaskState)) {
        throw stateInvalid(task, 'it can no longer be completed');
      }
      return db.transaction().execute(async (trx) => {
        const at = now();
        const request = task.requestId
          ? await requests.findRequest(trx, c.organizationId, task.requestId)
          : undefined;
        const resultRef =
          body.result !== undefined && request
            ? await storeResult(trx, seal, request, task.id, body.result, at)
            : null;
        const moved = await store.moveTask(trx, c.organizationId, taskId, HOST_OPEN, {
          state: 'done',
          resultRef,
          leaseUntil: null,
          nextAttemptAt: null,
          lastError: null,
          updatedAt: at,
          finishedAt: at,
        });
        if (!moved)
          throw stateInvalid(await loadTask(trx, c.organizationId, taskId), 'it can no longer be completed');
        await recordTaskEvent(deps, trx, c, task, 'completed', at, {
          ...(resultRef ? { result: true } : {}),
          ...(body.note ? { note: body.note } : {}),
        });
        if (task.requestId) await settleRequest(deps, trx, c.organizationId, task.requestId, at);
        return hostOut({ ...task, state: 'done', leaseUntil: null });
      });
    },

    async fail(caller: Caller, taskId: string, reason: string): Promise<PrivacyTaskHostOut> {
      const c = authorize(caller, 'privacy:process');
      return db.transaction().execute(async (trx) => {
        const task = await loadTask(trx, c.organizationId, taskId);
        if (!(await failIn(trx, c, task, reason, now())))
          throw stateInvalid(task, 'it can no longer be failed');
        return hostOut({ ...task, state: 'failed', leaseUntil: null });
      });
    },

    /** A refused upload (malformed, oversized): the task fails with the reason; silent when it cannot. */
    async reject(caller: Caller, taskId: string, reason: string): Promise<void> {
      const c = authorize(caller, 'privacy:process');
      await db.transaction().execute(async (trx) => {
        const task = await store.findTask(trx, c.organizationId, taskId);
        if (task) await failIn(trx, c, task, `Result refused: ${reason}`, now());
      });
    },
  };
}

/** Who holds a claim: the API key (or user) that took it. */
function claimantOf(c: OrganizationCaller): string {
  return c.kind === 'apiKey' ? `api_key:${c.apiKeyId}` : `user:${c.userId}`;
}

export type TasksService = ReturnType<typeof createTasksService>;
