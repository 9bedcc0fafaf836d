import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { mapDatabaseError } from '../db/errors';
import { AppError } from './errors';

/**
 * Fills in an error's details from the request when the thrower could not (e.g. the step-up methods
 * a user actually has, which only a module knows); undefined keeps the details as thrown.
 */
export type ErrorDetailer = (request: FastifyRequest, error: AppError) => Promise<unknown>;

/** Every failure answers in the standard shape `{"error":{"code","message","details"}}`. */
export function registerErrorHandler(app: FastifyInstance, detailer?: ErrorDetailer): void {
  app.setErrorHandler(async (rawError: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(rawError)) {
      const details = rawError.validation.map((v) => ({
        path: v.instancePath.replace(/^\//, '').replaceAll('/', '.'),
        message: v.message ?? 'is invalid',
      }));
      return reply.status(400).send({
        error: { code: 'VALIDATION_FAILED', message: describe(details), details },
      });
    }
    const error = mapDatabaseError(rawError);
    if (error instanceof AppError) {
      if (error.headers) reply.headers(error.headers);
      const details =
        (detailer ? await detailer(request, error).catch(() => undefined) : undefined) ?? error.details;
      return reply.status(error.status).send({
        error: {
          code: error.code,
          message: error.message,
          ...(details !== undefined ? { details } : {}),
        },
      });
    }
    const status = rawError.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 429 ? 'RATE_LIMITED' : 'BAD_REQUEST';
      return reply.status(status).send({ error: { code, message: rawError.message } });
    }
    request.log.error({ err: rawError }, 'request failed');
    return reply.status(500).send({
      error: {
        code: 'INTERNAL',
        message: `Something went wrong on our side. Quote request id ${request.id} when reporting it.`,
      },
    });
  });
}

/** The 404 answer for a path no route serves. */
export function sendRouteNotFound(request: FastifyRequest, reply: FastifyReply) {
  return reply.status(404).send({
    error: { code: 'NOT_FOUND', message: `No route ${request.method} ${request.url.split('?')[0]}` },
  });
}

function describe(details: Array<{ path: string; message: string }>): string {
  const first = details[0];
  if (!first) return 'The request is invalid.';
  const more = details.length > 1 ? ` (and ${details.length - 1} more)` : '';
  return `${first.path || 'request'}: ${first.message}${more}`;
}
