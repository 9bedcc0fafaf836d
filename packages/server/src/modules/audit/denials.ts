import type { FastifyInstance } from 'fastify';
import { AppError } from '../../platform/http/errors';
import type { AuditRecorder } from './recorder';

/**
 * Every refusal of an authenticated caller (a 403 of any kind) becomes an `access.denied` event in
 * a group commit of its own: the request's own work rolled back, the attempt must not. Detection feeds on it.
 * A step-up prompt (STEP_UP_REQUIRED) is recorded as `user.step_up_challenged` instead.
 */
export function registerDenialAudit(app: FastifyInstance, recorder: AuditRecorder): void {
  app.addHook('onError', async (request, _reply, error) => {
    if (!(error instanceof AppError) || error.status !== 403) return;
    // The rule enforcer records those itself, naming the rule, throttled, in the refusing organization.
    if (error.code === 'ACCESS_RULE_DENIED') return;
    const caller = request.caller;
    if (!caller || caller.kind === 'anonymous') return;
    const details = (error.details ?? {}) as { permission?: unknown; reason?: unknown };
    const route = { method: request.method, route: request.routeOptions.url ?? request.url.split('?')[0] };
    // "Confirm it's you" is a prompt the caller answers, not a refusal of access: its own action,
    // so the trail and the detectors that count denials do not read routine prompts as attacks.
    const event =
      error.code === 'STEP_UP_REQUIRED'
        ? {
            action: 'user.step_up_challenged' as const,
            outcome: 'success' as const,
            targets: caller.kind === 'user' ? [{ type: 'user', id: caller.userId }] : [],
            metadata: {
              ...route,
              ...(typeof details.reason === 'string' ? { reason: details.reason } : {}),
            },
          }
        : {
            action: 'access.denied' as const,
            outcome: 'denied' as const,
            metadata: {
              code: error.code,
              ...route,
              ...(typeof details.permission === 'string' ? { permission: details.permission } : {}),
            },
          };
    try {
      await recorder.recordGrouped(caller, [event]);
    } catch (recordError) {
      request.log.error({ err: recordError }, `could not record ${event.action}`);
    }
  });
}
