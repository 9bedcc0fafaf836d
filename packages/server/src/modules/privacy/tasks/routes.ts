import {
  ClaimedPrivacyTasks,
  ClaimPrivacyTasksBody,
  CompletePrivacyTaskBody,
  FailPrivacyTaskBody,
  HeartbeatPrivacyTaskBody,
  Id,
  PrivacyTaskHostOut,
  PrivacyTaskOut,
} from '@custos/shared';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AUTHENTICATED } from '../../../platform/http/openapi';
import { COMPLETE_BODY_LIMIT } from './results';
import type { TasksService } from './service';

const tags = ['privacy'];
const security = AUTHENTICATED;
const BASE = '/api/v1/privacy';
const TaskParams = z.object({ taskId: Id });
const RequestTaskParams = z.object({ id: Id, taskId: Id });
const COMPLETE_URL = `${BASE}/tasks/:taskId/complete`;

/** Routes of the per-system tasks: a manager's retry, and the host's task queue (privacy:process). */
export function taskRoutes(tasks: TasksService) {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();

    // A result refused before the handler runs (too large, not JSON) still fails its task, so the
    // request shows why instead of waiting on an upload that will never arrive.
    app.addHook('onError', async (req, _reply, error) => {
      if (req.routeOptions.url !== COMPLETE_URL) return;
      const status = (error as { statusCode?: number }).statusCode;
      if (status !== 413 && status !== 400) return;
      const taskId = (req.params as { taskId?: unknown } | undefined)?.taskId;
      if (typeof taskId !== 'string' || !Id.safeParse(taskId).success) return;
      const reason =
        status === 413
          ? `the upload is larger than ${COMPLETE_BODY_LIMIT} bytes`
          : 'the body is not valid JSON of the expected shape';
      await tasks.reject(req.caller, taskId, reason).catch(() => undefined);
    });

    app.post(
      `${BASE}/requests/:id/tasks/:taskId/retry`,
      {
        schema: {
          tags,
          security,
          summary: 'Retry one failed task of a request in progress; the request resumes from there',
          params: RequestTaskParams,
          response: { 200: PrivacyTaskOut },
        },
      },
      async (req) => tasks.retry(req.caller, req.params.id, req.params.taskId),
    );
    app.post(
      `${BASE}/tasks/claim`,
      {
        schema: {
          tags,
          security,
          summary:
            'Claim queued tasks of a polling system, each leased to the caller (API key with privacy:process)',
          body: ClaimPrivacyTasksBody,
          response: { 200: ClaimedPrivacyTasks },
        },
      },
      async (req) => ({ tasks: await tasks.claim(req.caller, req.body) }),
    );
    app.post(
      `${BASE}/tasks/:taskId/heartbeat`,
      {
        schema: {
          tags,
          security,
          summary: 'Extend the lease of a claimed task',
          params: TaskParams,
          body: HeartbeatPrivacyTaskBody.optional(),
          response: { 200: PrivacyTaskHostOut },
        },
      },
      async (req) => tasks.heartbeat(req.caller, req.params.taskId, req.body?.leaseSeconds ?? 300),
    );
    app.post(
      COMPLETE_URL,
      {
        bodyLimit: COMPLETE_BODY_LIMIT,
        schema: {
          tags,
          security,
          summary:
            'Complete a task; access and portability tasks may upload the subject’s data as `result` (JSON object or array, at most 5 MiB)',
          params: TaskParams,
          body: CompletePrivacyTaskBody.optional(),
          response: { 200: PrivacyTaskHostOut },
        },
      },
      async (req) => tasks.complete(req.caller, req.params.taskId, req.body ?? {}),
    );
    app.post(
      `${BASE}/tasks/:taskId/fail`,
      {
        schema: {
          tags,
          security,
          summary: 'Report that a task could not be done, with the reason (a manager can retry it)',
          params: TaskParams,
          body: FailPrivacyTaskBody,
          response: { 200: PrivacyTaskHostOut },
        },
      },
      async (req) => tasks.fail(req.caller, req.params.taskId, req.body.reason),
    );
  };
}
