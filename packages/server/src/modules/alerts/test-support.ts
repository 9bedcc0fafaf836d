import type { SecurityEventOut, Severity } from '@custos/shared';
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { type Backend, createTestApp, type InjectOptions, type TestApp } from '../../../test/harness';
import { newId, safeEqual } from '../../platform/crypto/tokens';
import { toJson } from '../../platform/db/json';
import { registerAuthHook } from '../../platform/http/auth-hook';
import { registerErrorHandler } from '../../platform/http/error-handler';
import { CSRF_HEADER, csrfTokenFor, SESSION_COOKIE } from '../../platform/http/session-cookies';
import type { Mailer } from '../../platform/mail/mailer';
import { isApiKeyToken } from '../apikeys';
import { type AlertsModule, createAlerts } from './index';

/**
 * For the alerts tests only: app.ts does not register this module yet, so the tests put its
 * routes on a Fastify instance of their own, authenticated by the harness app's services.
 */
export class AlertsTestApp {
  constructor(
    readonly t: TestApp,
    readonly alerts: AlertsModule,
    readonly app: FastifyInstance,
  ) {}

  inject(options: InjectOptions) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    return this.app.inject({
      method: options.method ?? 'GET',
      url: options.url,
      headers,
      ...(options.payload !== undefined ? { payload: options.payload as object } : {}),
    });
  }

  async close(): Promise<void> {
    await this.alerts.stop();
    await this.app.close();
    await this.t.close();
  }
}

export async function createAlertsTestApp(
  backend: Backend,
  options: { config?: Record<string, string>; mailer?: Mailer; start?: boolean } = {},
): Promise<AlertsTestApp> {
  const t = await createTestApp(backend, {
    ...(options.config ? { config: options.config } : {}),
    ...(options.mailer ? { mailer: options.mailer } : {}),
  });
  const alerts = createAlerts(t.deps);
  const app = Fastify({ logger: false });
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(fastifyCookie);
  registerErrorHandler(app);
  registerAuthHook(app, {
    session: (token, meta) => t.services.auth.authenticate(token, meta),
    apiKey: (key, meta) => t.services.apiKeys.authenticate(key, meta),
    csrfTokenFor,
    isApiKey: isApiKeyToken,
    sessionCookie: SESSION_COOKIE,
    csrfHeader: CSRF_HEADER,
    safeEqual,
  });
  await alerts.routes(app);
  await app.ready();
  if (options.start) await alerts.start();
  return new AlertsTestApp(t, alerts, app);
}

/** A security event row (the threats module's table) and its API shape, for alerts to route. */
export async function insertSecurityEvent(
  t: TestApp,
  organizationId: string,
  fields: {
    severity?: Severity;
    type?: SecurityEventOut['type'];
    label?: string;
    count?: number;
    details?: Record<string, unknown>;
  } = {},
): Promise<SecurityEventOut> {
  const at = new Date().toISOString();
  const event: SecurityEventOut = {
    id: newId(),
    type: fields.type ?? 'brute_force_account',
    severity: fields.severity ?? 'high',
    status: 'open',
    subject: { type: 'user', id: newId(), label: fields.label ?? 'alice' },
    sourceIp: '203.0.113.7',
    country: 'DE',
    explanation: '12 failed sign-ins for alice in 15 minutes from 203.0.113.7 (threshold 10).',
    details: fields.details ?? { failures: fields.count ?? 12, threshold: 10, windowMinutes: 15 },
    count: fields.count ?? 12,
    firstSeenAt: at,
    lastSeenAt: at,
    assignee: null,
    createdAt: at,
    updatedAt: at,
  };
  await t.db
    .insertInto('securityEvents')
    .values({
      id: event.id,
      organizationId,
      type: event.type,
      severity: event.severity,
      status: event.status,
      subjectType: event.subject.type,
      subjectId: event.subject.id,
      subjectLabel: event.subject.label,
      sourceIp: event.sourceIp,
      country: event.country,
      dedupKey: `${event.type}:${event.subject.id}`,
      count: event.count,
      explanation: event.explanation,
      details: toJson(event.details),
      firstSeenAt: at,
      lastSeenAt: at,
      assigneeId: null,
      createdAt: at,
      updatedAt: at,
    })
    .execute();
  return event;
}

/** Polls `check` (running the delivery worker between tries) until it holds; no timing asserted. */
export async function eventually<T>(
  alerts: AlertsModule,
  check: () => Promise<T | null | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await alerts.idle();
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await alerts.runDueDeliveries();
  }
}
