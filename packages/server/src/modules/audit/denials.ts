import type { FastifyInstance } from 'fastify';
import { AppError } from '../../platform/http/errors';
import type { AuditRecorder } from './recorder';

/**
 * Every refusal of an authenticated caller (a 403 of any kind) becomes an `access.denied` event in
 * a group commit of its own: the request's own work rolled back, the attempt must not. Detection feeds on it.
 */
export function registerDenialAudit(app: FastifyInstance, recorder: AuditRecorder): void {
  app.addHook('onError', async (request, _reply, error) => {
    if (!(error instanceof AppError) || error.status !== 403) return;
    // The rule enforcer records those itself, naming the rule, throttled, in the refusing organization.
    if (error.code === 'ACCESS_RULE_DENIED') return;
    const caller = request.caller;
    if (!caller || caller.kind === 'anonymous') return;
    const details = (error.details ?? {}) as { permission?: unknown };
    try {
      await recorder.recordGrouped(caller, [
        {
          action: 'access.denied',
          outcome: 'denied',
          metadata: {
            code: error.code,
            method: request.method,
            route: request.routeOptions.url ?? request.url.split('?')[0],
            ...(typeof details.permission === 'string' ? { permission: details.permission } : {}),
          },
        },
      ]);
    } catch (recordError) {
      request.log.error({ err: recordError }, 'could not record access.denied');
    }
  });
}
