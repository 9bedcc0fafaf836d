import type { SecurityEventOut } from '@custos/shared';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backends, type TestOrg } from '../../../test/harness';
import { startWebhookReceiver, verifyWebhook, type WebhookReceiver } from '../../../test/webhook-receiver';
import { isoAfter, nowIso } from '../../platform/clock';
import { newId } from '../../platform/crypto/tokens';
import { type AlertSink, createThreatsModule, type Detection } from '../threats';
import { defaultThreatSettings } from '../threats/detect';
import { claimAttempt, insertDelivery } from './deliveries-store';
import { newMessageId, payloadBody } from './payloads';
import { signWebhook } from './signing';
import { type AlertsTestApp, createAlertsTestApp, eventually, insertSecurityEvent } from './test-support';

const CHANNELS = '/api/v1/alerts/channels';
const DELIVERIES = '/api/v1/alerts/deliveries';

describe.each(backends)('alert deliveries over webhooks (%s)', (backend) => {
  let a: AlertsTestApp;
  let org: TestOrg;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    a = await createAlertsTestApp(backend, {
      config: { CUSTOS_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', CUSTOS_ALERT_RETRY_SECONDS: '0.05,0.1' },
    });
    org = await a.t.createOrganization('Hooks Inc');
  });
  afterAll(() => a.close());
  beforeEach(async () => {
    receiver = await startWebhookReceiver();
  });
  afterEach(async () => {
    // Channels of earlier cases must not receive later cases' events.
    await a.t.db.deleteFrom('alertChannels').where('organizationId', '=', org.id).execute();
    await receiver.close();
  });

  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
    a.inject({ method, url, token: org.owner.token, ...(payload !== undefined ? { payload } : {}) });

  async function channel(
    routing: { minSeverity: string; types: string[] | null; digestLow: boolean } = {
      minSeverity: 'low',
      types: null,
      digestLow: false,
    },
    url = receiver.url,
  ) {
    const res = await call('POST', CHANNELS, {
      kind: 'webhook',
      name: `Hook ${Math.random()}`,
      url,
      routing,
    });
    expect(res.statusCode).toBe(201);
    const created = res.json();
    receiver.setSecret(created.secret);
    return created as { id: string; secret: string };
  }

  const raise = (event: SecurityEventOut, change: 'raised' | 'repeated' = 'raised') =>
    a.alerts.sink.notify({ organizationId: org.id, kind: 'security_event', change, event });

  const deliveriesOf = async (channelId: string) =>
    (await call('GET', `${DELIVERIES}?channelId=${channelId}`)).json().deliveries as Array<
      Record<string, unknown>
    >;

  it('sends a signed test message that a Standard Webhooks receiver verifies', async () => {
    const created = await channel();
    const res = await call('POST', `${CHANNELS}/${created.id}/test`);
    expect(res.statusCode).toBe(200);
    const delivery = res.json();
    expect(delivery).toMatchObject({ kind: 'test', status: 'delivered', attempts: 1, lastResponseCode: 200 });
    const [got] = receiver.received;
    expect(got?.verified).toBe(true);
    expect(got?.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'Custos-Webhooks/1',
      'webhook-id': delivery.messageId,
    });
    expect(delivery.messageId).toMatch(/^msg_[A-Za-z0-9_-]+$/);
    expect(JSON.parse(got?.body ?? '')).toMatchObject({
      type: 'alert.test',
      data: { organizationId: org.id, events: [] },
    });

    // What an attacker would try against the receiver: none of it verifies.
    const headers = got?.headers ?? {};
    const body = got?.body ?? '';
    expect(() => verifyWebhook(created.secret, headers, body.replace('alert.test', 'alert.pwned'))).toThrow();
    expect(() => verifyWebhook(`whsec_${Buffer.alloc(32, 7).toString('base64')}`, headers, body)).toThrow();
    const oldTs = Math.floor(Date.now() / 1000) - 600;
    const replayed = {
      ...headers,
      'webhook-timestamp': String(oldTs),
      'webhook-signature': signWebhook(created.secret, delivery.messageId, oldTs, body),
    };
    expect(() => verifyWebhook(created.secret, replayed, body)).toThrow(/too old/);

    expect((await a.t.lastAuditEvent(org.id))?.action).toBe('alert_channel.tested');
    const listed = (await call('GET', CHANNELS))
      .json()
      .channels.find((c: { id: string }) => c.id === created.id);
    expect(listed.lastDelivery).toEqual({ status: 'delivered', at: delivery.deliveredAt, responseCode: 200 });
    const detail = (await call('GET', `${DELIVERIES}/${delivery.id}`)).json();
    expect(detail.payload).toBe(body);
    expect(detail.history).toEqual([expect.objectContaining({ attempt: 1, responseCode: 200, error: null })]);
    expect(JSON.stringify(detail)).not.toContain(created.secret.slice(6));
  });

  it('routes a raised event and retries with backoff: 500, then 200, same webhook-id', async () => {
    const created = await channel({ minSeverity: 'high', types: null, digestLow: false });
    receiver.respondWith([500]);
    const event = await insertSecurityEvent(a.t, org.id, { severity: 'high' });
    raise(event);
    const [delivered] = await eventually(a.alerts, async () => {
      const list = await deliveriesOf(created.id);
      return list[0]?.status === 'delivered' ? list : null;
    });
    expect(delivered).toMatchObject({
      kind: 'alert',
      securityEventId: event.id,
      attempts: 2,
      lastResponseCode: 200,
    });
    expect(receiver.received.map((r) => r.answered)).toEqual([500, 200]);
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    const ids = receiver.received.map((r) => r.headers['webhook-id']);
    expect(ids).toEqual([delivered?.messageId, delivered?.messageId]);
    const payload = JSON.parse(receiver.received[1]?.body ?? '');
    expect(payload).toMatchObject({
      type: 'security_event.raised',
      data: {
        organizationId: org.id,
        events: [{ id: event.id, severity: 'high' }],
        consoleUrl: `http://custos.test/security/events/${event.id}`,
      },
    });
    const detail = (await call('GET', `${DELIVERIES}/${delivered?.id}`)).json();
    expect(detail.history.map((h: { responseCode: number }) => h.responseCode)).toEqual([500, 200]);
  });

  it('fails after the schedule, then a replay sends the same webhook-id again', async () => {
    const created = await channel();
    receiver.respondWith([], 500);
    raise(await insertSecurityEvent(a.t, org.id, { severity: 'medium' }));
    const [failed] = await eventually(a.alerts, async () => {
      const list = await deliveriesOf(created.id);
      return list[0]?.status === 'failed' ? list : null;
    });
    // The first attempt and one retry per configured delay.
    expect(failed).toMatchObject({
      attempts: 3,
      lastResponseCode: 500,
      lastError: 'HTTP 500',
      nextAttemptAt: null,
    });
    expect(receiver.received).toHaveLength(3);

    receiver.respondWith([], 204);
    const replay = await call('POST', `${DELIVERIES}/${failed?.id}/replay`);
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toMatchObject({ status: 'delivered', attempts: 4, lastResponseCode: 204 });
    expect(receiver.received).toHaveLength(4);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id']))).toEqual(
      new Set([failed?.messageId]),
    );
    expect(receiver.received[3]?.verified).toBe(true);
    const audited = await a.t.lastAuditEvent(org.id);
    expect(audited?.action).toBe('alert_delivery.replayed');
    expect(audited?.targets).toContainEqual({ type: 'alert_delivery', id: failed?.id });
  });

  it('refuses a replay while an attempt is in progress (409); replays once it is over or its lease ran out', async () => {
    const created = await channel();
    const id = newId();
    const at = nowIso();
    await insertDelivery(a.t.db, {
      id,
      organizationId: org.id,
      channelId: created.id,
      securityEventId: null,
      kind: 'alert',
      messageId: newMessageId(),
      payload: payloadBody('alert.test', org.id, [], 'http://custos.test/security/alerts'),
      at,
    });
    // A worker has claimed it and is sending right now.
    expect(await claimAttempt(a.t.db, id, { attempts: 0, nextAttemptAt: at }, isoAfter(300_000))).toBe(true);
    const busy = await call('POST', `${DELIVERIES}/${id}/replay`);
    expect(busy.statusCode).toBe(409);
    expect(busy.json().error).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('in progress'),
    });
    expect(receiver.received).toHaveLength(0);
    expect((await a.t.lastAuditEvent(org.id))?.action).not.toBe('alert_delivery.replayed');
    expect((await call('GET', `${DELIVERIES}/${id}`)).json()).toMatchObject({
      status: 'pending',
      attempts: 1,
    });

    // The worker died mid-attempt: once its lease runs out the delivery is free to replay.
    await a.t.db
      .updateTable('alertDeliveries')
      .set({ nextAttemptAt: new Date(Date.now() - 1_000).toISOString() })
      .where('id', '=', id)
      .execute();
    const replayed = await call('POST', `${DELIVERIES}/${id}/replay`);
    expect(replayed.statusCode).toBe(200);
    expect(replayed.json()).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(receiver.received).toHaveLength(1);
    // Over and recorded: a replay sends again.
    expect((await call('POST', `${DELIVERIES}/${id}/replay`)).statusCode).toBe(200);
    expect(receiver.received).toHaveLength(2);
  });

  it('queues a raised event’s deliveries in the transaction that raises it', async () => {
    const created = await channel({ minSeverity: 'high', types: null, digestLow: false });
    const sink = a.alerts.sink;
    const module = (alerts: AlertSink) =>
      createThreatsModule({
        ...a.t.deps,
        effects: {
          endSessions: async () => 0,
          demandStepUp: async () => 0,
          ipBlocksChanged: async () => {},
          notifyUser: async () => ({ status: 'sent' as const }),
        },
        alerts,
        engine: { process: async () => [], close: async () => {} },
      });
    const settings = { ...defaultThreatSettings(), responses: [] };
    const detectionOf = (dedupKey: string): Detection => ({
      type: 'brute_force_ip',
      severity: 'high',
      organizationId: org.id,
      dedupKey,
      subject: { type: 'ip', id: '198.51.100.9', label: '198.51.100.9' },
      sourceIp: '198.51.100.9',
      country: null,
      explanation: 'many failed sign-ins from one address',
      details: {},
      evidence: [],
      userId: null,
    });
    // The process stops right after the commit: nothing after it (notify) ever runs.
    const crashing = module({
      notify() {},
      queueRaised: (trx, organizationId, event) =>
        sink.queueRaised?.(trx, organizationId, event) ?? Promise.resolve(),
    });
    const lost = await crashing.events.recordDetection(detectionOf(`crash:${newId()}`), settings);
    expect(lost.created).toBe(true);
    const queued = await deliveriesOf(created.id);
    expect(queued).toEqual([expect.objectContaining({ securityEventId: lost.event.id, status: 'pending' })]);
    await eventually(a.alerts, async () => (await deliveriesOf(created.id))[0]?.status === 'delivered');

    // With the whole sink: one delivery per event (queued in the transaction, not routed again).
    const whole = module(sink);
    const raised = await whole.events.recordDetection(detectionOf(`whole:${newId()}`), settings);
    await eventually(a.alerts, async () => {
      const list = await deliveriesOf(created.id);
      return list.find((d) => d.securityEventId === raised.event.id)?.status === 'delivered';
    });
    await a.alerts.idle();
    const ofEvent = (await deliveriesOf(created.id)).filter((d) => d.securityEventId === raised.event.id);
    expect(ofEvent).toHaveLength(1);
    expect(receiver.received).toHaveLength(2);
  });

  it('treats a redirect as a failure and does not follow it', async () => {
    const created = await channel();
    receiver.respondWith([302]);
    const res = (await call('POST', `${CHANNELS}/${created.id}/test`)).json();
    expect(res).toMatchObject({ status: 'failed', lastResponseCode: 302 });
    expect(res.lastError).toMatch(/redirects are not followed/);
    expect(receiver.received).toHaveLength(1);
  });

  it('stops retrying when the receiver answers 410 Gone', async () => {
    const created = await channel();
    receiver.respondWith([410]);
    raise(await insertSecurityEvent(a.t, org.id, { severity: 'high' }));
    const [gone] = await eventually(a.alerts, async () => {
      const list = await deliveriesOf(created.id);
      return list[0]?.status === 'failed' ? list : null;
    });
    expect(gone).toMatchObject({ attempts: 1, lastResponseCode: 410 });
    expect(receiver.received).toHaveLength(1);
  });

  it('routes by severity and type; repeats only when the severity rose', async () => {
    const highOnly = await channel({ minSeverity: 'high', types: null, digestLow: false });
    const ipOnly = await channel({ minSeverity: 'low', types: ['brute_force_ip'], digestLow: false });
    const disabled = await channel();
    await call('PATCH', `${CHANNELS}/${disabled.id}`, { enabled: false });

    const medium = await insertSecurityEvent(a.t, org.id, {
      severity: 'medium',
      type: 'brute_force_account',
    });
    raise(medium);
    await a.alerts.idle();
    expect(await deliveriesOf(highOnly.id)).toHaveLength(0);
    expect(await deliveriesOf(ipOnly.id)).toHaveLength(0);

    const ipEvent = await insertSecurityEvent(a.t, org.id, { severity: 'critical', type: 'brute_force_ip' });
    raise(ipEvent);
    await a.alerts.idle();
    expect(await deliveriesOf(highOnly.id)).toHaveLength(1);
    expect(await deliveriesOf(ipOnly.id)).toHaveLength(1);
    expect(await deliveriesOf(disabled.id)).toHaveLength(0);

    // The same event again at the same severity: nothing new.
    raise({ ...ipEvent, count: 40 }, 'repeated');
    await a.alerts.idle();
    expect(await deliveriesOf(ipOnly.id)).toHaveLength(1);

    // The medium event grows to high: the high-only channel hears of it now, once.
    raise({ ...medium, severity: 'high', count: 60 }, 'repeated');
    raise({ ...medium, severity: 'high', count: 61 }, 'repeated');
    await a.alerts.idle();
    const rose = await deliveriesOf(highOnly.id);
    expect(rose).toHaveLength(2);
    const detail = (await call('GET', `${DELIVERIES}/${rose[0]?.id}`)).json();
    expect(JSON.parse(detail.payload)).toMatchObject({
      type: 'security_event.repeated',
      data: { events: [{ severity: 'high' }] },
    });

    // Updates and responses go to the console stream only.
    raise({ ...medium, severity: 'critical' }, 'updated' as 'raised');
    await a.alerts.idle();
    expect(await deliveriesOf(highOnly.id)).toHaveLength(2);
  });

  it('re-checks sent deliveries when this process has forgotten an event', async () => {
    const created = await channel({ minSeverity: 'medium', types: null, digestLow: false });
    const event = await insertSecurityEvent(a.t, org.id, { severity: 'medium' });
    raise(event);
    await a.alerts.idle();
    // Another process (a fresh module) sees the repeat at the same severity: nothing is sent twice.
    const { createAlerts } = await import('./index');
    const elsewhere = createAlerts(a.t.deps);
    elsewhere.sink.notify({ organizationId: org.id, kind: 'security_event', change: 'repeated', event });
    await elsewhere.idle();
    expect(await deliveriesOf(created.id)).toHaveLength(1);
    elsewhere.sink.notify({
      organizationId: org.id,
      kind: 'security_event',
      change: 'repeated',
      event: { ...event, severity: 'critical' },
    });
    await elsewhere.idle();
    expect(await deliveriesOf(created.id)).toHaveLength(2);
    await elsewhere.stop();
  });

  it('puts low events of digest channels in one digest per channel', async () => {
    const digest = await channel({ minSeverity: 'medium', types: null, digestLow: true });
    const plain = await channel({ minSeverity: 'medium', types: null, digestLow: false });
    const first = await insertSecurityEvent(a.t, org.id, { severity: 'low', type: 'new_device' });
    const second = await insertSecurityEvent(a.t, org.id, { severity: 'low', type: 'off_hours' });
    raise(first);
    raise(second);
    await a.alerts.idle();
    expect(await deliveriesOf(digest.id)).toHaveLength(0);
    expect(await deliveriesOf(plain.id)).toHaveLength(0);
    expect(await a.t.count('alertDigestItems')).toBe(2);

    expect(await a.alerts.flushDigests()).toBe(1);
    const [sent] = await eventually(a.alerts, async () => {
      const list = await deliveriesOf(digest.id);
      return list[0]?.status === 'delivered' ? list : null;
    });
    expect(sent).toMatchObject({ kind: 'digest', securityEventId: null });
    expect(await a.t.count('alertDigestItems')).toBe(0);
    const body = JSON.parse(receiver.received.at(-1)?.body ?? '');
    expect(body.type).toBe('security_event.digest');
    expect(body.data.events.map((e: { id: string }) => e.id).sort()).toEqual([first.id, second.id].sort());
    // Each channel signs with its own secret (the receiver was told the last one created).
    const last = receiver.received.at(-1);
    expect(() => verifyWebhook(digest.secret, last?.headers ?? {}, last?.body ?? '')).not.toThrow();
    expect(last?.verified).toBe(false);
    expect(await a.alerts.flushDigests()).toBe(0);
  });

  it('lists deliveries newest first with a keyset cursor and filters; refuses bad queries', async () => {
    const created = await channel();
    for (let i = 0; i < 3; i++) await call('POST', `${CHANNELS}/${created.id}/test`);
    const page1 = (await call('GET', `${DELIVERIES}?channelId=${created.id}&limit=2`)).json();
    expect(page1.deliveries).toHaveLength(2);
    expect(page1.nextCursor).toEqual(expect.stringMatching(/\S/));
    const page2 = (
      await call('GET', `${DELIVERIES}?channelId=${created.id}&limit=2&cursor=${page1.nextCursor}`)
    ).json();
    expect(page2.deliveries).toHaveLength(1);
    expect(page2.nextCursor).toBeNull();
    const ids = [...page1.deliveries, ...page2.deliveries].map((d: { id: string }) => d.id);
    expect(new Set(ids).size).toBe(3);
    const times = [...page1.deliveries, ...page2.deliveries].map((d: { createdAt: string }) => d.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    const delivered = (await call('GET', `${DELIVERIES}?status=delivered&channelId=${created.id}`)).json();
    expect(delivered.deliveries).toHaveLength(3);
    for (const query of [
      'status=bogus',
      'limit=0',
      'limit=500',
      'cursor=%%%',
      'cursor=bm9wZQ',
      'channelId=nope',
    ]) {
      const res = await call('GET', `${DELIVERIES}?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    }
    expect((await call('GET', `${DELIVERIES}/00000000-0000-7000-8000-000000000000`)).statusCode).toBe(404);
  });
});
