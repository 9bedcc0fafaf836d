/**
 * Issue "Checkpoints leave Custos: every new checkpoint can be sent to alert channels and webhooks
 * as an `audit.checkpoint` message". A channel that opted in gets each signed checkpoint of its
 * organization's audit log (at most one per its interval, the newest when the time comes), signed
 * like every webhook, so someone outside Custos keeps the log's signed state.
 */
import type { AuditCheckpointPayload } from '@custos/shared';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backends, createTestApp, type TestApp, type TestOrg } from '../../../test/harness';
import { startWebhookReceiver, type WebhookReceiver } from '../../../test/webhook-receiver';
import { isoAfter } from '../../platform/clock';
import { openCheckpoint, parseVerifierKey } from '../../platform/crypto/signed-note';
import type { Mailer, MailMessage } from '../../platform/mail/mailer';

const CHANNELS = '/api/v1/alerts/channels';
const DELIVERIES = '/api/v1/alerts/deliveries';
const MINUTE = 60_000;

const routing = (checkpoints?: { enabled: boolean; minIntervalMinutes: number }) => ({
  minSeverity: 'critical',
  types: null,
  digestLow: false,
  ...(checkpoints ? { checkpoints } : {}),
});

describe.each(backends)('audit checkpoints to alert channels (%s)', (backend) => {
  let t: TestApp;
  let org: TestOrg;
  let other: TestOrg;
  const keys = new Map<string, string>();
  const mails: MailMessage[] = [];
  let receiver: WebhookReceiver;
  let otherReceiver: WebhookReceiver;

  // Takes alert mail only: invitations stay undelivered, so they answer their link (addMember).
  const mailer: Mailer = {
    configured: true,
    send: async (message) => {
      if (!message.subject.startsWith('[Custos]')) return { status: 'undelivered' };
      mails.push(message);
      return { status: 'sent' };
    },
    close: () => {},
  };

  beforeAll(async () => {
    t = await createTestApp(backend, {
      mailer,
      config: {
        CUSTOS_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
        CUSTOS_ALERT_RETRY_SECONDS: '0.05,0.1',
        // Checkpoints are signed when a test says so, not by the background job.
        CUSTOS_AUDIT_CHECKPOINT_SECONDS: '3600',
      },
    });
    org = await t.createOrganization('Kept Outside');
    other = await t.createOrganization('Someone Else');
    for (const o of [org, other]) {
      const created = await t.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        token: o.owner.token,
        payload: { name: 'ingest', permissions: ['audit:write'] },
      });
      expect(created.statusCode).toBe(201);
      keys.set(o.id, created.json().secret);
    }
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    receiver = await startWebhookReceiver();
    otherReceiver = await startWebhookReceiver();
    mails.length = 0;
  });
  afterEach(async () => {
    // Earlier cases' channels must not receive later cases' checkpoints.
    await t.db.deleteFrom('alertChannels').execute();
    await receiver.close();
    await otherReceiver.close();
  });

  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, token = org.owner.token) =>
    t.inject({ method, url, token, ...(payload !== undefined ? { payload } : {}) });

  async function webhook(
    checkpoints: { enabled: boolean; minIntervalMinutes: number } | undefined,
    to = receiver,
    owner = org,
  ) {
    const res = await call(
      'POST',
      CHANNELS,
      { kind: 'webhook', name: `Keeper ${Math.random()}`, url: to.url, routing: routing(checkpoints) },
      owner.owner.token,
    );
    expect(res.statusCode, res.body).toBe(201);
    to.setSecret(res.json().secret);
    return res.json() as { id: string; secret: string };
  }

  /** Grows the organization's log by a few events, then signs every grown log. */
  async function newCheckpoint(o: TestOrg = org): Promise<number> {
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/audit/events/batch',
      token: keys.get(o.id),
      payload: {
        events: [1, 2, 3].map((i) => ({ action: 'vault.opened', actor: { type: 'user', id: `u${i}` } })),
      },
    });
    expect(res.statusCode).toBe(201);
    return signNow(o);
  }

  /** Signs every grown log, lets the alerts module route and send; answers the org's tree size. */
  async function signNow(o: TestOrg = org): Promise<number> {
    await t.services.audit.checkpoints.signGrownLogs();
    await settle();
    const head = await t.db
      .selectFrom('auditLogHeads')
      .select('checkpointedSize')
      .where('logId', '=', o.id)
      .executeTakeFirstOrThrow();
    return Number(head.checkpointedSize);
  }

  async function settle() {
    await t.services.alerts.idle();
    await t.services.alerts.runDueDeliveries();
    await t.services.alerts.idle();
  }

  const payloads = (r: WebhookReceiver) =>
    r.received.map((m) => JSON.parse(m.body) as AuditCheckpointPayload);
  const deliveriesOf = async (channelId: string, token = org.owner.token) =>
    (await call('GET', `${DELIVERIES}?channelId=${channelId}`, undefined, token)).json().deliveries as Array<{
      id: string;
      kind: string;
      status: string;
      messageId: string;
      nextAttemptAt: string | null;
      securityEventId: string | null;
      checkpoint: { origin: string; treeSize: number } | null;
    }>;

  it('sends each checkpoint to an opted-in webhook, signed, with a note that verifies with the signer key', async () => {
    const keeper = await webhook({ enabled: true, minIntervalMinutes: 0 });
    const bystander = await webhook(undefined, otherReceiver);
    const size = await newCheckpoint();

    expect(receiver.received).toHaveLength(1);
    const [got] = receiver.received;
    expect(got?.verified).toBe(true);
    const [payload] = payloads(receiver);
    expect(payload).toMatchObject({
      type: 'audit.checkpoint',
      data: {
        organizationId: org.id,
        checkpoint: { treeSize: size, origin: `custos.test/custos/audit/${org.id}` },
        verifierKeys: [t.services.audit.signer.verifierKey],
        verifyWith:
          'custos audit verify --url http://custos.test --checkpoint <file with data.checkpoint.note>',
        consoleUrl: 'http://custos.test/audit',
      },
    });
    const data = payload?.data;
    if (!data) throw new Error('no payload');
    const opened = openCheckpoint(data.checkpoint.note, data.verifierKeys.map(parseVerifierKey));
    expect(opened.checkpoint.size).toBe(size);
    expect(opened.checkpoint.origin).toBe(data.checkpoint.origin);
    expect(opened.checkpoint.rootHash.toString('hex')).toBe(data.checkpoint.rootHash);
    // The very checkpoint Custos serves for that size.
    const served = await t.services.audit.checkpoints.atSize(org.id, size);
    expect(served?.note).toBe(data.checkpoint.note);

    // Not opted in (routing from before checkpoints existed): nothing.
    expect(otherReceiver.received).toHaveLength(0);
    expect(await deliveriesOf(bystander.id)).toEqual([]);

    const [delivery] = await deliveriesOf(keeper.id);
    expect(delivery).toMatchObject({
      kind: 'audit.checkpoint',
      status: 'delivered',
      securityEventId: null,
      checkpoint: { origin: data.checkpoint.origin, treeSize: size },
      messageId: got?.headers['webhook-id'],
    });
    const filtered = (await call('GET', `${DELIVERIES}?kind=audit.checkpoint`)).json().deliveries;
    expect(filtered.map((d: { id: string }) => d.id)).toEqual([delivery?.id]);
    expect((await call('GET', `${DELIVERIES}/${delivery?.id}`)).json().payload).toBe(got?.body);

    // Replayed: the same message, the same webhook-id, signed again.
    const replay = await call('POST', `${DELIVERIES}/${delivery?.id}/replay`);
    expect(replay.json()).toMatchObject({ status: 'delivered', kind: 'audit.checkpoint', attempts: 2 });
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]?.verified).toBe(true);
    expect(receiver.received[1]?.body).toBe(got?.body);
    expect(receiver.received[1]?.headers['webhook-id']).toBe(got?.headers['webhook-id']);

    // Interval 0: every checkpoint.
    const next = await newCheckpoint();
    expect(payloads(receiver).map((p) => p.data.checkpoint.treeSize)).toEqual([size, size, next]);
  });

  it('sends at most one per interval: the newest when the time comes, the last of a burst too', async () => {
    const keeper = await webhook({ enabled: true, minIntervalMinutes: 60 });
    const first = await newCheckpoint();
    expect(payloads(receiver).map((p) => p.data.checkpoint.treeSize)).toEqual([first]);

    await newCheckpoint();
    const third = await newCheckpoint();
    expect(receiver.received).toHaveLength(1);
    const [waiting, sent] = await deliveriesOf(keeper.id);
    expect(sent?.status).toBe('delivered');
    expect(waiting).toMatchObject({ status: 'pending', checkpoint: { treeSize: third } });
    const [attempt] = await t.db
      .selectFrom('alertDeliveryAttempts')
      .select('at')
      .where('deliveryId', '=', sent?.id ?? '')
      .execute();
    expect(waiting?.nextAttemptAt).toBe(isoAfter(60 * MINUTE, new Date(attempt?.at ?? '')));

    // The hour passes without a further checkpoint: the waiting one (the newest) goes out.
    await t.db
      .updateTable('alertDeliveries')
      .set({ nextAttemptAt: isoAfter(-1000) })
      .where('id', '=', waiting?.id ?? '')
      .execute();
    await settle();
    expect(payloads(receiver).map((p) => p.data.checkpoint.treeSize)).toEqual([first, third]);
    expect(receiver.received.every((r) => r.verified)).toBe(true);

    // The next one waits a full interval from then.
    const fourth = await newCheckpoint();
    expect(receiver.received).toHaveLength(2);
    const [again] = await deliveriesOf(keeper.id);
    expect(again).toMatchObject({ status: 'pending', checkpoint: { treeSize: fourth } });
    expect(Date.parse(again?.nextAttemptAt ?? '')).toBeGreaterThan(Date.now() + 59 * MINUTE);

    // A shorter interval applies to the waiting one at the next checkpoint.
    const patched = await call('PATCH', `${CHANNELS}/${keeper.id}`, {
      routing: routing({ enabled: true, minIntervalMinutes: 0 }),
    });
    expect(patched.statusCode).toBe(200);
    const fifth = await newCheckpoint();
    expect(payloads(receiver).map((p) => p.data.checkpoint.treeSize)).toEqual([first, third, fifth]);
  });

  it('does not send a waiting checkpoint once the channel opted out', async () => {
    const keeper = await webhook({ enabled: true, minIntervalMinutes: 30 });
    await newCheckpoint();
    await newCheckpoint();
    const [waiting] = await deliveriesOf(keeper.id);
    expect(waiting?.status).toBe('pending');
    await call('PATCH', `${CHANNELS}/${keeper.id}`, {
      routing: routing({ enabled: false, minIntervalMinutes: 30 }),
    });
    await t.db
      .updateTable('alertDeliveries')
      .set({ nextAttemptAt: isoAfter(-1000) })
      .where('id', '=', waiting?.id ?? '')
      .execute();
    await settle();
    expect(receiver.received).toHaveLength(1);
    const detail = (await call('GET', `${DELIVERIES}/${waiting?.id}`)).json();
    expect(detail).toMatchObject({
      status: 'failed',
      lastError: 'not sent: the channel no longer takes audit checkpoints',
    });
    await newCheckpoint();
    expect(await deliveriesOf(keeper.id)).toHaveLength(2);
  });

  it("never sends another organization's checkpoints to this organization's channels", async () => {
    const mine = await webhook({ enabled: true, minIntervalMinutes: 0 });
    const theirs = await webhook({ enabled: true, minIntervalMinutes: 0 }, otherReceiver, other);
    await signNow(); // the channels' own creation grew both logs
    const before = receiver.received.length;

    const theirSize = await newCheckpoint(other);
    expect(receiver.received).toHaveLength(before);
    const mineGot = payloads(receiver);
    const theirsGot = payloads(otherReceiver);
    expect(mineGot.every((p) => p.data.organizationId === org.id)).toBe(true);
    expect(mineGot.every((p) => p.data.checkpoint.origin.endsWith(`/${org.id}`))).toBe(true);
    expect(theirsGot.every((p) => p.data.organizationId === other.id)).toBe(true);
    expect(theirsGot.at(-1)?.data.checkpoint.treeSize).toBe(theirSize);
    expect(otherReceiver.received.every((r) => r.verified)).toBe(true);

    // Neither organization sees the other's channel or its deliveries.
    const theirDelivery = (await deliveriesOf(theirs.id, other.owner.token))[0];
    expect(await deliveriesOf(theirs.id)).toEqual([]);
    expect((await call('GET', `${DELIVERIES}/${theirDelivery?.id}`)).statusCode).toBe(404);
    expect((await deliveriesOf(mine.id)).every((d) => d.checkpoint?.origin.endsWith(`/${org.id}`))).toBe(
      true,
    );
  });

  it('mails an e-mail channel the note inline, with what to do with it', async () => {
    const created = await call('POST', CHANNELS, {
      kind: 'email',
      name: 'Notary',
      recipients: ['notary@example.com'],
      routing: routing({ enabled: true, minIntervalMinutes: 15 }),
    });
    expect(created.statusCode, created.body).toBe(201);
    const size = await newCheckpoint();
    const [mail] = mails.filter((m) => m.subject.includes('Audit checkpoint'));
    expect(mail?.to).toBe('notary@example.com');
    expect(mail?.subject).toBe(
      `[Custos] Audit checkpoint: ${size} events in custos.test/custos/audit/${org.id}`,
    );
    const text = mail?.text ?? '';
    expect(text).toContain('custos audit verify --url http://custos.test --checkpoint checkpoint.txt');
    const note = /-----BEGIN CUSTOS SIGNED CHECKPOINT-----\n([\s\S]*?)-----END/.exec(text)?.[1] ?? '';
    const opened = openCheckpoint(note, [parseVerifierKey(t.services.audit.signer.verifierKey)]);
    expect(opened.checkpoint.size).toBe(size);
  });

  it('keeps channels from before checkpoints off, and a change without them keeps what was set', async () => {
    const old = await webhook(undefined);
    const listed = (await call('GET', CHANNELS)).json().channels[0];
    expect(listed.routing.checkpoints).toEqual({ enabled: false, minIntervalMinutes: 60 });

    const on = await call('PATCH', `${CHANNELS}/${old.id}`, {
      routing: routing({ enabled: true, minIntervalMinutes: 5 }),
    });
    expect(on.json().routing.checkpoints).toEqual({ enabled: true, minIntervalMinutes: 5 });
    const event = await t.lastAuditEvent(org.id);
    expect(event?.action).toBe('alert_channel.updated');
    expect(event?.changes?.routing).toEqual([
      expect.objectContaining({ checkpoints: { enabled: false, minIntervalMinutes: 60 } }),
      expect.objectContaining({ checkpoints: { enabled: true, minIntervalMinutes: 5 } }),
    ]);

    // An older client changing the severity does not switch checkpoints off.
    const kept = await call('PATCH', `${CHANNELS}/${old.id}`, {
      routing: { minSeverity: 'high', types: null, digestLow: false },
    });
    expect(kept.json().routing).toMatchObject({
      minSeverity: 'high',
      checkpoints: { enabled: true, minIntervalMinutes: 5 },
    });

    const created = await webhook({ enabled: true, minIntervalMinutes: 10 });
    const createdEvent = await t.lastAuditEvent(org.id);
    expect(createdEvent?.action).toBe('alert_channel.created');
    expect(createdEvent?.metadata).toMatchObject({
      channel: { routing: { checkpoints: { enabled: true, minIntervalMinutes: 10 } } },
    });
    expect(created.id).toBeTruthy();
  });

  it('refuses bad checkpoint routing with 400', async () => {
    const bad = [
      { enabled: 'yes', minIntervalMinutes: 5 },
      { enabled: true },
      { enabled: true, minIntervalMinutes: -1 },
      { enabled: true, minIntervalMinutes: 1.5 },
      { enabled: true, minIntervalMinutes: 10_081 },
      { enabled: true, minIntervalMinutes: '5' },
      true,
    ];
    const existing = await webhook(undefined);
    for (const checkpoints of bad) {
      const res = await call('POST', CHANNELS, {
        kind: 'webhook',
        name: 'Bad',
        url: receiver.url,
        routing: { ...routing(), checkpoints },
      });
      expect(res.statusCode, JSON.stringify(checkpoints)).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
      const patched = await call('PATCH', `${CHANNELS}/${existing.id}`, {
        routing: { ...routing(), checkpoints },
      });
      expect(patched.statusCode, JSON.stringify(checkpoints)).toBe(400);
    }
    // An e-mail channel: not more often than every 15 minutes.
    const mail = await call('POST', CHANNELS, {
      kind: 'email',
      name: 'Flooded',
      recipients: ['a@example.com'],
      routing: routing({ enabled: true, minIntervalMinutes: 1 }),
    });
    expect(mail.statusCode).toBe(400);
    expect(mail.json().error.details).toEqual([
      { path: 'routing.checkpoints.minIntervalMinutes', message: 'at least 15 for an e-mail channel' },
    ]);
    expect((await call('GET', CHANNELS)).json().channels).toHaveLength(1);
    expect((await t.lastAuditEvent(org.id))?.action).toBe('alert_channel.created');
  });

  it('refuses a caller without security:manage (403)', async () => {
    const keeper = await webhook(undefined);
    const member = await t.addMember(org, ['member']);
    const res = await call(
      'PATCH',
      `${CHANNELS}/${keeper.id}`,
      { routing: routing({ enabled: true, minIntervalMinutes: 0 }) },
      member.token,
    );
    expect(res.statusCode).toBe(403);
    const created = await call(
      'POST',
      CHANNELS,
      {
        kind: 'webhook',
        name: 'Sneaky',
        url: receiver.url,
        routing: routing({ enabled: true, minIntervalMinutes: 0 }),
      },
      member.token,
    );
    expect(created.statusCode).toBe(403);
    expect((await call('GET', CHANNELS)).json().channels[0].routing.checkpoints.enabled).toBe(false);
  });
});
