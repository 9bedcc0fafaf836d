import { CustosApiError, CustosClient } from '@custos/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, PASSWORD, type TestApp, type TestOrg } from './harness';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver';

/** A security team working detection through the typed SDK, over a real socket. */
describe.each(backends)('SDK: threats and alerts (%s)', (backend) => {
  let t: TestApp;
  let org: TestOrg;
  let baseUrl: string;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    t = await createTestApp(backend, {
      config: { CUSTOS_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', CUSTOS_SIGN_IN_LIMIT_PER_IP: '1000' },
    });
    org = await t.createOrganization('SDK Threats');
    baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await t.close();
  });

  it('tunes detection, triages the event it raises, and lifts its response', async () => {
    const admin = new CustosClient({ baseUrl, token: org.owner.token });
    const settings = await admin.threats.settings();
    expect(settings.catalog.map((d) => d.type)).toContain('credential_stuffing');
    const tuned = await admin.threats.updateSettings({
      detectors: {
        credential_stuffing: { enabled: true, severity: 'critical', thresholds: { accounts: 3 } },
      },
    });
    expect(tuned.detectors.credential_stuffing).toMatchObject({
      severity: 'critical',
      thresholds: { accounts: 3, windowMinutes: 10 },
    });
    await expect(
      admin.threats.updateSettings({
        detectors: { credential_stuffing: { enabled: true, severity: 'high', thresholds: { nonsense: 1 } } },
      }),
    ).rejects.toMatchObject({ status: 400, code: 'THREAT_SETTINGS_INVALID' });

    const { secret } = await admin.alerts.channels.create({
      kind: 'webhook',
      name: 'SIEM',
      url: receiver.url,
      routing: { minSeverity: 'high', types: ['credential_stuffing'], digestLow: false },
    });
    expect(secret).toMatch(/^whsec_/);
    receiver.setSecret(secret ?? '');

    // One IP tries three members' accounts.
    const members = await Promise.all([1, 2, 3].map(() => t.addMember(org, ['member'])));
    for (const m of members) {
      await t.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        payload: { email: m.email, password: `${PASSWORD} nope` },
        remoteAddress: '203.0.113.150',
      });
    }
    await t.services.threats.pipeline.idle();
    const { events } = await admin.threats.events.list({ type: 'credential_stuffing', status: ['open'] });
    expect(events).toHaveLength(1);
    const [event] = events;
    if (!event) throw new Error('no event');
    expect(event).toMatchObject({ severity: 'critical', subject: { type: 'ip', id: '203.0.113.150' } });

    const detail = await admin.threats.events.get(event.id);
    expect(detail.evidence).toHaveLength(3);
    expect(detail.timeline[0]?.kind).toBe('raised');
    const block = detail.responses.find((r) => r.kind === 'block_ip');
    expect(block).toMatchObject({ ip: '203.0.113.150', scope: 'untrusted', state: 'active' });

    const triaged = await admin.threats.events.update(event.id, {
      status: 'acknowledged',
      assigneeId: org.owner.id,
      note: 'Looking into it',
    });
    expect(triaged).toMatchObject({ status: 'acknowledged', assignee: { id: org.owner.id } });
    expect((await admin.threats.events.get(event.id)).timeline.map((a) => a.kind)).toEqual(
      expect.arrayContaining(['status_changed', 'assigned', 'note']),
    );

    const [delivered] = await receiver.waitFor(1);
    expect(delivered?.verified).toBe(true);
    const log = await admin.alerts.deliveries.list({ securityEventId: event.id });
    expect(log.deliveries[0]).toMatchObject({ status: 'delivered', lastResponseCode: 200 });
    const replayed = await admin.alerts.deliveries.replay(log.deliveries[0]?.id ?? '');
    expect(replayed.messageId).toBe(log.deliveries[0]?.messageId);

    const active = await admin.threats.responses.list();
    expect(active.responses.map((r) => r.id)).toContain(block?.id);
    const lifted = await admin.threats.responses.lift(block?.id ?? '');
    expect(lifted.state).toBe('lifted');

    const overview = await admin.threats.overview();
    // Acknowledged is still open: it is being worked, not settled.
    expect(overview.openEvents.critical).toBe(1);
    expect(overview.recentEvents.map((e) => e.id)).toContain(event.id);
  });

  it('refuses a member without security:read, in the standard error shape', async () => {
    const member = await t.addMember(org, ['member']);
    const client = new CustosClient({ baseUrl, token: member.token });
    const refused = await client.threats.events.list().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CustosApiError);
    expect(refused).toMatchObject({ status: 403 });
    await expect(client.alerts.channels.list()).rejects.toMatchObject({ status: 403 });
  });
});
