import type { SecurityEventOut, Severity } from '@custos/shared';
import { type Backend, createTestApp, type InjectOptions, type TestApp } from '../../../test/harness';
import { newId } from '../../platform/crypto/tokens';
import { toJson } from '../../platform/db/json';
import type { Mailer } from '../../platform/mail/mailer';
import type { AlertsModule } from './index';

/**
 * The harness app, as the alerts tests use it: every request goes through the real app (auth hook,
 * enrolment and step-up gates, access rules), and `alerts` is the module that app runs — its
 * delivery and digest jobs included, as on a server.
 */
export class AlertsTestApp {
  constructor(readonly t: TestApp) {}

  get alerts(): AlertsModule {
    return this.t.services.alerts;
  }

  get app() {
    return this.t.app;
  }

  inject(options: InjectOptions) {
    return this.t.inject(options);
  }

  close(): Promise<void> {
    return this.t.close();
  }
}

export async function createAlertsTestApp(
  backend: Backend,
  options: { config?: Record<string, string>; mailer?: Mailer } = {},
): Promise<AlertsTestApp> {
  const t = await createTestApp(backend, {
    ...(options.config ? { config: options.config } : {}),
    ...(options.mailer ? { mailer: options.mailer } : {}),
  });
  return new AlertsTestApp(t);
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
