import { createLogger } from '@custos/server/log';
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { registerErrorHandler } from '../packages/server/src/platform/http/error-handler';
import { registerSecurityHeaders } from '../packages/server/src/platform/http/security-headers';

const n = Number(process.env.STEP);
const a = Fastify({
  loggerInstance: n >= 1 ? (createLogger('silent') as never) : undefined,
  genReqId: n >= 1 ? () => crypto.randomUUID() : undefined,
});
if (n >= 2) {
  a.setValidatorCompiler(validatorCompiler);
  a.setSerializerCompiler(serializerCompiler);
}
if (n >= 3)
  a.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
if (n >= 4) registerSecurityHeaders(a, {});
if (n >= 5) await a.register(fastifyCookie);
if (n >= 6) registerErrorHandler(a);
if (n >= 7)
  await a.register(fastifySwagger, {
    openapi: { openapi: '3.1.0', info: { title: 'x', version: '1' } },
    transform: jsonSchemaTransform,
  });
if (n >= 8) await a.register(fastifySwaggerUi, { routePrefix: '/api/docs', staticCSP: true });
if (n >= 9)
  a.addHook('onRequest', async (req) => {
    (req as unknown as { c: unknown }).c = { kind: 'anonymous' };
  });
a.get('/x', async () => ({ ok: true }));
const url = await a.listen({ port: 0, host: '127.0.0.1' });
console.log(url);
