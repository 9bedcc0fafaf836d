import { addCalendarDays } from '@custos/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, type TestApp, type TestOrg } from '../../../test/harness';

/** Noon UTC of a date: the sweep's fake clock (the organization is on UTC). */
const noon = (date: string) => new Date(`${date}T12:00:00.000Z`);

describe.each(backends)('privacy clocks: reminders and the overdue alert (%s)', (backend) => {
  let t: TestApp;
  let org: TestOrg;

  beforeAll(async () => {
    t = await createTestApp(backend, { config: { CUSTOS_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' } });
    org = await t.createOrganization('Clock Org');
  });
  afterAll(() => t.close());

  const timeline = async (id: string) =>
    (await t.inject({ url: `/api/v1/privacy/requests/${id}`, token: org.owner.token })).json().timeline as {
      kind: string;
      data: Record<string, unknown>;
    }[];

  it('records each reminder once and raises one overdue alert that reaches the alert channels', async () => {
    const channel = await t.inject({
      method: 'POST',
      url: '/api/v1/alerts/channels',
      token: org.owner.token,
      payload: {
        kind: 'webhook',
        name: 'Compliance hook',
        url: 'http://127.0.0.1:9/hook',
        routing: { minSeverity: 'low', types: null, digestLow: false },
      },
    });
    expect(channel.statusCode).toBe(201);
    const created = await t.inject({
      method: 'POST',
      url: '/api/v1/privacy/requests',
      token: org.owner.token,
      payload: { type: 'erasure', regime: 'gdpr', subjectRef: 'sweep-subject' },
    });
    const request = created.json();
    const { dueDate } = request.clock;
    const sweep = t.services.privacy.sweep;

    // Before the first reminder date: nothing for this request.
    await sweep(noon(addCalendarDays(dueDate, -8)));
    expect((await timeline(request.id)).filter((e) => e.kind === 'reminder')).toHaveLength(0);

    await sweep(noon(addCalendarDays(dueDate, -7)));
    await sweep(noon(addCalendarDays(dueDate, -6)));
    let reminders = (await timeline(request.id)).filter((e) => e.kind === 'reminder');
    expect(reminders.map((e) => e.data.reminderDate)).toEqual([addCalendarDays(dueDate, -7)]);

    await sweep(noon(addCalendarDays(dueDate, -2)));
    await sweep(noon(addCalendarDays(dueDate, -1)));
    reminders = (await timeline(request.id)).filter((e) => e.kind === 'reminder');
    expect(reminders.map((e) => e.data.reminderDate)).toEqual([
      addCalendarDays(dueDate, -7),
      addCalendarDays(dueDate, -2),
    ]);

    // Still within the due date's last hour: not overdue.
    await sweep(new Date(Date.parse(request.clock.dueAt) - 60_000));
    expect((await timeline(request.id)).filter((e) => e.kind === 'overdue')).toHaveLength(0);

    const after = new Date(Date.parse(request.clock.dueAt) + 3_600_000);
    await sweep(after);
    const again = await sweep(new Date(after.getTime() + 86_400_000));
    expect(again).toEqual({ reminders: 0, overdue: 0 });
    expect((await timeline(request.id)).filter((e) => e.kind === 'overdue')).toHaveLength(1);

    const events = await t.db
      .selectFrom('securityEvents')
      .selectAll()
      .where('organizationId', '=', org.id)
      .where('type', '=', 'privacy_request_overdue')
      .where('subjectId', '=', request.id)
      .execute();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ severity: 'high', subjectType: 'privacy_request', count: 1 });
    const deliveries = await t.db
      .selectFrom('alertDeliveries')
      .select('id')
      .where('securityEventId', '=', events[0]?.id ?? '')
      .execute();
    expect(deliveries.length).toBe(1);

    // The sweep ran on a fake clock: by the real one the request is not overdue yet.
    const listed = await t.inject({ url: '/api/v1/privacy/requests?overdue=true', token: org.owner.token });
    expect(listed.json().requests.map((r: { id: string }) => r.id)).not.toContain(request.id);
  });

  it('leaves closed requests and waiting clocks alone', async () => {
    await t.inject({
      method: 'PUT',
      url: '/api/v1/privacy/settings',
      token: org.owner.token,
      payload: { clockWaitsForVerification: { ccpa: true } },
    });
    const waiting = (
      await t.inject({
        method: 'POST',
        url: '/api/v1/privacy/requests',
        token: org.owner.token,
        payload: { type: 'access', regime: 'ccpa', subjectRef: 'unverified' },
      })
    ).json();
    const canceled = (
      await t.inject({
        method: 'POST',
        url: '/api/v1/privacy/requests',
        token: org.owner.token,
        payload: { type: 'access', regime: 'gdpr', subjectRef: 'withdrawn' },
      })
    ).json();
    await t.inject({
      method: 'POST',
      url: `/api/v1/privacy/requests/${canceled.id}/cancel`,
      token: org.owner.token,
      payload: {},
    });
    await t.services.privacy.sweep(new Date(Date.parse(waiting.clock.dueAt) + 86_400_000 * 100));
    for (const id of [waiting.id, canceled.id]) {
      const kinds = (await timeline(id)).map((e) => e.kind);
      expect(kinds).not.toContain('overdue');
      expect(kinds).not.toContain('reminder');
    }
  });

  it('shows super admins the requests across organizations, and nobody else', async () => {
    const operator = await t.createOrganization('Operator Org', { superAdmin: true });
    const refused = await t.inject({ url: '/api/v1/admin/privacy/requests', token: org.owner.token });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('SUPER_ADMIN_REQUIRED');
    expect((await t.inject({ url: '/api/v1/admin/privacy/requests' })).statusCode).toBe(401);
    const key = await t.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      token: org.owner.token,
      payload: { name: 'k', permissions: ['privacy:read'] },
    });
    expect(
      (await t.inject({ url: '/api/v1/admin/privacy/requests', token: key.json().secret })).statusCode,
    ).toBe(403);

    const done = (
      await t.inject({
        method: 'POST',
        url: '/api/v1/privacy/requests',
        token: org.owner.token,
        payload: { type: 'access', regime: 'gdpr', subjectRef: 'fast', verified: true },
      })
    ).json();
    await t.inject({
      method: 'POST',
      url: `/api/v1/privacy/requests/${done.id}/approve`,
      token: org.owner.token,
      payload: {},
    });
    await t.inject({
      method: 'POST',
      url: `/api/v1/privacy/requests/${done.id}/complete`,
      token: org.owner.token,
      payload: {},
    });

    const res = await t.inject({ url: '/api/v1/admin/privacy/requests', token: operator.owner.token });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    const mine = body.organizations.find((o: { organizationId: string }) => o.organizationId === org.id);
    expect(mine).toMatchObject({ name: 'Clock Org' });
    expect(mine.byState.completed).toBe(1);
    expect(mine.byState.canceled).toBe(1);
    expect(typeof mine.medianCompletionHours).toBe('number');
    expect(body.totals.byState.completed).toBeGreaterThanOrEqual(1);
  });
});
