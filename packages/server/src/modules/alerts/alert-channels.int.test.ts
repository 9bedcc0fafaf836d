import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, type TestOrg } from '../../../test/harness';
import { startWebhookReceiver } from '../../../test/webhook-receiver';
import { parseJson } from '../../platform/db/json';
import { type AlertsTestApp, createAlertsTestApp, eventually, insertSecurityEvent } from './test-support';

const CHANNELS = '/api/v1/alerts/channels';
const routing = { minSeverity: 'high', types: null, digestLow: false } as const;

describe.each(backends)('alert channels (%s)', (backend) => {
  let a: AlertsTestApp;
  let org: TestOrg;
  let other: TestOrg;

  beforeAll(async () => {
    a = await createAlertsTestApp(backend);
    org = await a.t.createOrganization('Alerts Co');
    other = await a.t.createOrganization('Elsewhere');
  });
  afterAll(() => a.close());

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, token: string, payload?: unknown) =>
    a.inject({ method, url, token, ...(payload !== undefined ? { payload } : {}) });

  const webhook = (name = 'SIEM', url = 'https://93.184.215.14/hooks') => ({
    kind: 'webhook',
    name,
    url,
    routing,
  });

  it('creates a webhook channel, shows its secret once, seals it, audits without it', async () => {
    const res = await call('POST', CHANNELS, org.owner.token, webhook());
    expect(res.statusCode).toBe(201);
    const created = res.json();
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created.secretHint).toBe(created.secret.slice(6, 14));
    expect(created).toMatchObject({
      kind: 'webhook',
      name: 'SIEM',
      enabled: true,
      routing,
      lastDelivery: null,
    });

    const row = await a.t.db
      .selectFrom('alertChannels')
      .selectAll()
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(row.secretSealed).toMatch(/^custos:enc:v1:/);
    expect(JSON.stringify(row)).not.toContain(created.secret.slice(6));

    const listed = (await call('GET', CHANNELS, org.owner.token)).json().channels;
    expect(listed.map((c: { id: string }) => c.id)).toContain(created.id);
    expect(JSON.stringify(listed)).not.toContain(created.secret);

    const event = await a.t.lastAuditEvent(org.id);
    expect(event?.action).toBe('alert_channel.created');
    expect(event?.targets).toEqual([{ type: 'alert_channel', id: created.id, name: 'SIEM' }]);
    expect(JSON.stringify(event)).not.toContain(created.secret.slice(6));
  });

  it('creates an e-mail channel (recipients normalised, not in the audit trail)', async () => {
    const res = await call('POST', CHANNELS, org.owner.token, {
      kind: 'email',
      name: 'On-call',
      recipients: ['SecOps@Example.com', 'secops@example.com', 'cto@example.com'],
      routing: { minSeverity: 'medium', types: ['brute_force_account'], digestLow: true },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      secret: null,
      secretHint: null,
      url: null,
      recipients: ['secops@example.com', 'cto@example.com'],
    });
    const event = await a.t.lastAuditEvent(org.id);
    expect(event?.action).toBe('alert_channel.created');
    expect(JSON.stringify(event)).not.toContain('secops@example.com');
  });

  it('updates, rotates the secret and deletes, each audited', async () => {
    const created = (await call('POST', CHANNELS, org.owner.token, webhook('Rotate me'))).json();
    const updated = await call('PATCH', `${CHANNELS}/${created.id}`, org.owner.token, {
      name: 'Renamed',
      enabled: false,
      routing: { ...routing, minSeverity: 'critical' },
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({
      name: 'Renamed',
      enabled: false,
      routing: { minSeverity: 'critical' },
    });
    const updatedEvent = await a.t.lastAuditEvent(org.id);
    expect(updatedEvent?.action).toBe('alert_channel.updated');
    expect(updatedEvent?.changes).toMatchObject({ name: ['Rotate me', 'Renamed'], enabled: [true, false] });

    const rotated = await call('POST', `${CHANNELS}/${created.id}/rotate-secret`, org.owner.token);
    expect(rotated.statusCode).toBe(200);
    expect(rotated.json().secret).toMatch(/^whsec_/);
    expect(rotated.json().secret).not.toBe(created.secret);
    expect(rotated.json().secretHint).toBe(rotated.json().secret.slice(6, 14));
    const rotatedEvent = await a.t.lastAuditEvent(org.id);
    expect(rotatedEvent?.action).toBe('alert_channel.secret_rotated');
    expect(JSON.stringify(rotatedEvent)).not.toContain(rotated.json().secret.slice(6));

    const removed = await call('DELETE', `${CHANNELS}/${created.id}`, org.owner.token);
    expect(removed.json()).toEqual({ ok: true });
    expect((await a.t.lastAuditEvent(org.id))?.action).toBe('alert_channel.deleted');
    expect(
      (await call('PATCH', `${CHANNELS}/${created.id}`, org.owner.token, { name: 'x' })).statusCode,
    ).toBe(404);
  });

  it('refuses bad input with 400', async () => {
    const bad = [
      { ...webhook(), kind: 'sms' },
      { ...webhook(), routing: { minSeverity: 'urgent', types: null, digestLow: false } },
      { ...webhook(), routing: { ...routing, types: ['made_up'] } },
      { ...webhook(), url: 'ftp://93.184.215.14/x' },
      { ...webhook(), url: 'javascript:alert(1)' },
      { ...webhook(), name: '' },
      { ...webhook(), extra: true },
      { kind: 'email', name: 'x', recipients: ['not an address'], routing },
      { kind: 'email', name: 'x', recipients: [], routing },
    ];
    for (const body of bad) {
      const res = await call('POST', CHANNELS, org.owner.token, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    }
    const email = (await call('GET', CHANNELS, org.owner.token))
      .json()
      .channels.find((c: { kind: string }) => c.kind === 'email');
    const wrong = await call('PATCH', `${CHANNELS}/${email.id}`, org.owner.token, {
      url: 'https://93.184.215.14/',
    });
    expect(wrong.statusCode).toBe(400);
    const rotate = await call('POST', `${CHANNELS}/${email.id}/rotate-secret`, org.owner.token);
    expect(rotate.statusCode).toBe(400);
    expect((await call('PATCH', `${CHANNELS}/not-a-uuid`, org.owner.token, { name: 'x' })).statusCode).toBe(
      400,
    );
  });

  it('refuses webhook URLs on internal networks (SSRF), by address and by name', async () => {
    const internal = [
      'http://127.0.0.1:8080/hook',
      'http://localhost/hook',
      'http://2130706433/',
      'http://0x7f.1/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.5/',
      'http://192.168.1.10/',
      'http://[fd00::1]/',
      'http://0.0.0.0/',
      'https://user:pass@93.184.215.14/',
      'https://no-such-host.invalid/',
    ];
    for (const url of internal) {
      const res = await call('POST', CHANNELS, org.owner.token, webhook('Internal', url));
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'url' }] });
    }
    const created = (await call('POST', CHANNELS, org.owner.token, webhook('Public'))).json();
    const moved = await call('PATCH', `${CHANNELS}/${created.id}`, org.owner.token, {
      url: 'http://127.0.0.1/',
    });
    expect(moved.statusCode).toBe(400);
  });

  it('refuses an internal target again at send time (a name that now resolves inside)', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const port = new URL(receiver.url).port;
      const created = (await call('POST', CHANNELS, org.owner.token, webhook('Rebound'))).json();
      for (const url of [`http://localhost:${port}/hook`, receiver.url]) {
        // As if DNS had changed since the URL was checked (or the row was edited behind the API).
        await a.t.db.updateTable('alertChannels').set({ url }).where('id', '=', created.id).execute();
        const res = await call('POST', `${CHANNELS}/${created.id}/test`, org.owner.token);
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({ status: 'failed', lastResponseCode: null });
        expect(res.json().lastError).toMatch(/^refused: /);
      }
      expect(receiver.received).toHaveLength(0);
    } finally {
      await receiver.close();
    }
  });

  it('records an e-mail delivery without SMTP as not sent (never delivered), saying why, no retries', async () => {
    const created = (
      await call('POST', CHANNELS, org.owner.token, {
        kind: 'email',
        name: 'No SMTP',
        recipients: ['a@example.com'],
        routing,
      })
    ).json();
    const res = await call('POST', `${CHANNELS}/${created.id}/test`, org.owner.token);
    expect(res.json()).toMatchObject({
      status: 'failed',
      kind: 'test',
      lastError: 'not sent: e-mail is not configured (CUSTOS_SMTP_URL is not set)',
      attempts: 1,
      nextAttemptAt: null,
    });
    expect((await a.t.lastAuditEvent(org.id))?.action).toBe('alert_channel.tested');
  });

  it('issue 15: an alert to an e-mail channel without SMTP is never delivered; the timeline says not sent', async () => {
    const created = (
      await call('POST', CHANNELS, org.owner.token, {
        kind: 'email',
        name: 'Mail while off',
        recipients: ['soc@example.com'],
        routing,
      })
    ).json();
    const event = await insertSecurityEvent(a.t, org.id, { severity: 'critical' });
    a.alerts.sink.notify({ organizationId: org.id, kind: 'security_event', change: 'raised', event });
    const [delivery] = await eventually(a.alerts, async () => {
      const list = (
        await call('GET', `/api/v1/alerts/deliveries?channelId=${created.id}`, org.owner.token)
      ).json().deliveries as Array<{
        status: string;
        lastError: string | null;
        nextAttemptAt: string | null;
      }>;
      return list[0] && list[0].status !== 'pending' ? list : null;
    });
    expect(delivery).toMatchObject({
      status: 'failed',
      lastError: 'not sent: e-mail is not configured (CUSTOS_SMTP_URL is not set)',
      nextAttemptAt: null,
    });
    const timeline = await a.t.db
      .selectFrom('securityEventActivity')
      .select(['kind', 'data'])
      .where('securityEventId', '=', event.id)
      .execute();
    const sent = timeline
      .filter((row) => row.kind === 'alert_sent')
      .map((row) => parseJson<{ channelId: string; status: string }>(row.data))
      .filter((data) => data.channelId === created.id);
    expect(sent).toEqual([expect.objectContaining({ status: 'not sent' })]);
  });

  it("answers 404 for another organization's channels and deliveries", async () => {
    const mine = (await call('POST', CHANNELS, org.owner.token, webhook('Mine'))).json();
    const tested = (await call('POST', `${CHANNELS}/${mine.id}/test`, org.owner.token)).json();
    expect((await call('GET', CHANNELS, other.owner.token)).json().channels).toEqual([]);
    for (const res of [
      await call('PATCH', `${CHANNELS}/${mine.id}`, other.owner.token, { name: 'Stolen' }),
      await call('DELETE', `${CHANNELS}/${mine.id}`, other.owner.token),
      await call('POST', `${CHANNELS}/${mine.id}/rotate-secret`, other.owner.token),
      await call('POST', `${CHANNELS}/${mine.id}/test`, other.owner.token),
    ]) {
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('ALERT_CHANNEL_NOT_FOUND');
    }
    for (const res of [
      await call('GET', `/api/v1/alerts/deliveries/${tested.id}`, other.owner.token),
      await call('POST', `/api/v1/alerts/deliveries/${tested.id}/replay`, other.owner.token),
    ]) {
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('ALERT_DELIVERY_NOT_FOUND');
    }
    const theirs = (await call('GET', '/api/v1/alerts/deliveries', other.owner.token)).json();
    expect(theirs.deliveries).toEqual([]);
    const filtered = await call('GET', `/api/v1/alerts/deliveries?channelId=${mine.id}`, other.owner.token);
    expect(filtered.json().deliveries).toEqual([]);
  });

  it("routes an organization's events to its own channels only", async () => {
    const before = await a.t.count('alertDeliveries');
    const event = await insertSecurityEvent(a.t, other.id, { severity: 'critical' });
    a.alerts.sink.notify({ organizationId: other.id, kind: 'security_event', change: 'raised', event });
    await a.alerts.idle();
    expect(await a.t.count('alertDeliveries')).toBe(before);
  });

  it('shows webhook URLs masked to readers without security:manage (chat hooks carry tokens in the path)', async () => {
    const url = 'https://93.184.215.14/services/T0001/B0002/aSecretTokenXYZ1?key=alsoSecret';
    const created = (await call('POST', CHANNELS, org.owner.token, webhook('Chat', url))).json();
    const key = await a.t.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      token: org.owner.token,
      payload: { name: 'Dashboard', permissions: ['security:read'] },
    });
    expect(key.statusCode).toBe(201);
    const asReader = (await call('GET', CHANNELS, key.json().secret)).json().channels;
    const seen = asReader.find((c: { id: string }) => c.id === created.id);
    expect(seen.url).toBe('https://93.184.215.14/…/…XYZ1?…');
    expect(JSON.stringify(asReader)).not.toContain('aSecretToken');
    expect(JSON.stringify(asReader)).not.toContain('alsoSecret');
    const asManager = (await call('GET', CHANNELS, org.owner.token)).json().channels;
    expect(asManager.find((c: { id: string }) => c.id === created.id).url).toBe(url);
    await call('DELETE', `${CHANNELS}/${created.id}`, org.owner.token);
  });

  it('refuses callers without the permission (403) and changes without a recent step-up', async () => {
    const member = await a.t.addMember(org, ['member']);
    const auditor = await a.t.addMember(org, ['auditor']);
    const analyst = await a.t.addMember(org, ['security_analyst']);
    const channel = (await call('GET', CHANNELS, org.owner.token)).json().channels[0];
    for (const token of [member.token, auditor.token]) {
      for (const res of [
        await call('GET', CHANNELS, token),
        await call('POST', CHANNELS, token, webhook()),
        await call('PATCH', `${CHANNELS}/${channel.id}`, token, { name: 'x' }),
        await call('DELETE', `${CHANNELS}/${channel.id}`, token),
        await call('POST', `${CHANNELS}/${channel.id}/test`, token),
        await call('GET', '/api/v1/alerts/deliveries', token),
        await call('GET', '/api/v1/security/stream', token),
      ]) {
        expect(res.statusCode).toBe(403);
        expect(res.json().error.code).toBe('FORBIDDEN');
      }
    }
    expect((await call('GET', CHANNELS, analyst.token)).statusCode).toBe(200);
    expect((await a.inject({ url: CHANNELS })).statusCode).toBe(401);

    await a.t.expireStepUp(analyst.token);
    for (const res of [
      await call('POST', CHANNELS, analyst.token, webhook()),
      await call('PATCH', `${CHANNELS}/${channel.id}`, analyst.token, { name: 'x' }),
      await call('POST', `${CHANNELS}/${channel.id}/rotate-secret`, analyst.token),
      await call('DELETE', `${CHANNELS}/${channel.id}`, analyst.token),
    ]) {
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('STEP_UP_REQUIRED');
    }
  });
});
