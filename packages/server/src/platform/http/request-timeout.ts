import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { runAsRequest } from '../db/statement-timeout';

/**
 * Every query a request runs is held to the short request statement timeout (issue 15), so no
 * filter combination an `audit:read` caller sends can hold a database connection for long; a
 * cancelled statement answers 503 QUERY_TIMEOUT (platform/db/errors.ts). Exports opt back out
 * with `runAsJob`. Register before any hook that queries.
 */
export function registerRequestStatementTimeout(app: FastifyInstance): void {
  const enter = (_request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) =>
    runAsRequest(done);
  app.addHook('onRequest', enter);
  // A request body is parsed in the socket's async context, not the hook's: enter again before
  // the preHandler hooks and the handler run.
  app.addHook('preHandler', enter);
}
