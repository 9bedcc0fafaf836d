import {
  AddPasskeyBody,
  ConfirmTotpBody,
  FactorAdded,
  FactorOut,
  MySecurity,
  OkWithToken,
  PasskeyRegistrationOptions,
  RecoveryCodes,
  RemoveFactorQuery,
  RenameFactorBody,
  StartTotpBody,
  TotpEnrollment,
} from '@custos/shared';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../../config';
import { requireUser } from '../../platform/http/caller';
import { AUTHENTICATED } from '../../platform/http/openapi';
import { handOverToken } from '../../platform/http/session-cookies';
import type { MfaService } from './service';

const tags = ['mfa'];
const security = AUTHENTICATED;
const FactorIdParams = z.object({ id: z.string().uuid() });

export function mfaRoutes(config: Config, mfa: MfaService) {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();

    app.get(
      '/api/v1/me/security',
      {
        schema: {
          tags,
          security,
          summary: 'Your factors, recovery codes and enrolment state',
          response: { 200: MySecurity },
        },
      },
      async (req) => mfa.mySecurity(req.caller),
    );

    app.post(
      '/api/v1/me/factors/totp',
      {
        schema: {
          tags,
          security,
          summary: 'Start adding an authenticator app (needs a recent step-up); confirm with a code',
          body: StartTotpBody,
          response: { 201: TotpEnrollment },
        },
      },
      async (req, reply) => reply.status(201).send(await mfa.startTotp(req.caller, req.body.name)),
    );

    app.post(
      '/api/v1/me/factors/totp/:id/confirm',
      {
        schema: {
          tags,
          security,
          summary: 'Confirm an authenticator app with its current code (ends your other sessions)',
          params: FactorIdParams,
          body: ConfirmTotpBody,
          response: { 200: FactorAdded },
        },
      },
      async (req, reply) => {
        const added = await mfa.confirmTotp(
          req.caller,
          req.params.id,
          req.body.code,
          req.body.keepCurrentSession,
        );
        const { token, ...rest } = added;
        return {
          ...rest,
          ...handOverToken(req, reply, config, token ?? null, requireUser(req.caller).sessionExpiresAt),
        };
      },
    );

    app.post(
      '/api/v1/me/factors/passkeys/options',
      {
        schema: {
          tags,
          security,
          summary: 'Options for registering a passkey (needs a recent step-up)',
          response: { 200: PasskeyRegistrationOptions },
        },
      },
      async (req) => mfa.passkeyRegistrationOptions(req.caller),
    );

    app.post(
      '/api/v1/me/factors/passkeys',
      {
        schema: {
          tags,
          security,
          summary: 'Register a passkey from the browser’s answer (ends your other sessions)',
          body: AddPasskeyBody,
          response: { 201: FactorAdded },
        },
      },
      async (req, reply) => {
        const { token, ...rest } = await mfa.addPasskey(req.caller, req.body);
        const handed = handOverToken(
          req,
          reply,
          config,
          token ?? null,
          requireUser(req.caller).sessionExpiresAt,
        );
        return reply.status(201).send({ ...rest, ...handed });
      },
    );

    app.patch(
      '/api/v1/me/factors/:id',
      {
        schema: {
          tags,
          security,
          summary: 'Rename a factor',
          params: FactorIdParams,
          body: RenameFactorBody,
          response: { 200: FactorOut },
        },
      },
      async (req) => mfa.rename(req.caller, req.params.id, req.body.name),
    );

    app.delete(
      '/api/v1/me/factors/:id',
      {
        schema: {
          tags,
          security,
          summary: 'Remove a factor (needs a recent step-up; ends your other sessions)',
          params: FactorIdParams,
          querystring: RemoveFactorQuery,
          response: { 200: OkWithToken },
        },
      },
      async (req, reply) => {
        const { token } = await mfa.remove(req.caller, req.params.id, req.query.keepCurrentSession);
        return {
          ok: true as const,
          ...handOverToken(req, reply, config, token, requireUser(req.caller).sessionExpiresAt),
        };
      },
    );

    app.post(
      '/api/v1/me/recovery-codes',
      {
        schema: {
          tags,
          security,
          summary: 'New recovery codes (needs a recent step-up; the old ones stop working)',
          response: { 200: RecoveryCodes },
        },
      },
      async (req) => mfa.regenerateRecoveryCodes(req.caller),
    );
  };
}
