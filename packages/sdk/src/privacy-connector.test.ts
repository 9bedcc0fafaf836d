import { createHmac } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { createPrivacyConnector, signPrivacyWebhook, verifyPrivacyWebhook } from './privacy-connector';

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const NOW = 1_800_000_000_000;

const task = (id = 'task_1', kind = 'access') => ({
  id,
  kind,
  requestId: 'req_1',
  systemId: 'sys_1',
  regime: 'gdpr',
  subject: { subjectRef: 'u-1', email: 'sam@example.com' },
  payload: { categories: [{ categoryKey: 'contact.email' }] },
  attempts: 1,
  leaseUntil: null,
  createdAt: new Date(NOW).toISOString(),
});

async function delivery(body: string, id = 'msg_1', at = NOW, secret = SECRET) {
  const timestamp = Math.floor(at / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': await signPrivacyWebhook(secret, id, timestamp, body),
  };
}

describe('privacy connector: Standard Webhooks verification', () => {
  it('signs like the server (HMAC-SHA256 over id.timestamp.body with the decoded secret)', async () => {
    const body = '{"a":1}';
    const expected = createHmac('sha256', Buffer.alloc(32, 7)).update(`m.1.${body}`).digest('base64');
    expect(await signPrivacyWebhook(SECRET, 'm', 1, body)).toBe(`v1,${expected}`);
  });

  it('accepts a good delivery and answers its task', async () => {
    const body = JSON.stringify({ type: 'privacy.task.access', data: task() });
    const parsed = await verifyPrivacyWebhook(SECRET, await delivery(body), body, { now: () => NOW });
    expect(parsed.id).toBe('task_1');
  });

  it('refuses a bad signature, a changed body and another secret', async () => {
    const body = JSON.stringify({ data: task() });
    const headers = await delivery(body);
    await expect(
      verifyPrivacyWebhook(SECRET, { ...headers, 'webhook-signature': 'v1,AAAA' }, body, { now: () => NOW }),
    ).rejects.toMatchObject({ reason: 'bad_signature' });
    await expect(
      verifyPrivacyWebhook(SECRET, headers, body.replace('u-1', 'u-2'), { now: () => NOW }),
    ).rejects.toMatchObject({ reason: 'bad_signature' });
    const other = `whsec_${Buffer.alloc(32, 8).toString('base64')}`;
    await expect(
      verifyPrivacyWebhook(SECRET, await delivery(body, 'msg_1', NOW, other), body, { now: () => NOW }),
    ).rejects.toMatchObject({ reason: 'bad_signature' });
  });

  it('refuses an old (or future) timestamp and missing headers', async () => {
    const body = JSON.stringify({ data: task() });
    const old = await delivery(body, 'msg_1', NOW - 6 * 60_000);
    await expect(verifyPrivacyWebhook(SECRET, old, body, { now: () => NOW })).rejects.toMatchObject({
      reason: 'bad_timestamp',
    });
    const future = await delivery(body, 'msg_1', NOW + 6 * 60_000);
    await expect(verifyPrivacyWebhook(SECRET, future, body, { now: () => NOW })).rejects.toMatchObject({
      reason: 'bad_timestamp',
    });
    await expect(verifyPrivacyWebhook(SECRET, {}, body, { now: () => NOW })).rejects.toMatchObject({
      reason: 'missing_headers',
    });
  });

  it('calls the handler once per task id: a replayed or redelivered message is not handled twice', async () => {
    const access = vi.fn(async () => ({ rows: [1] }));
    const complete = vi.fn(async () => undefined);
    const connector = createPrivacyConnector({
      secret: SECRET,
      handlers: { access, erasure: async () => undefined },
      complete,
      now: () => NOW,
    });
    const body = JSON.stringify({ data: task('task_9') });
    const first = await connector.handleWebhook(await delivery(body, 'task_9_1'), body);
    const replay = await connector.handleWebhook(await delivery(body, 'task_9_1'), body);
    const redelivery = await connector.handleWebhook(await delivery(body, 'task_9_2'), body);
    expect([first, replay, redelivery].map((a) => a.status)).toEqual([200, 200, 200]);
    expect(replay.outcome).toBe('duplicate');
    expect(redelivery.outcome).toBe('duplicate');
    expect(access).toHaveBeenCalledTimes(1);
    expect(complete).toHaveBeenCalledWith('task_9', { rows: [1] });
  });

  it('answers 401 to a forged delivery without calling a handler, 500 when the handler throws (then retries)', async () => {
    const erasure = vi.fn().mockRejectedValueOnce(new Error('db down')).mockResolvedValueOnce(undefined);
    const connector = createPrivacyConnector({
      secret: SECRET,
      handlers: { access: async () => ({}), erasure },
      complete: async () => undefined,
      now: () => NOW,
    });
    const body = JSON.stringify({ data: task('task_e', 'erasure') });
    const forged = await connector.handleWebhook(
      { ...(await delivery(body)), 'webhook-signature': 'v1,x' },
      body,
    );
    expect(forged.status).toBe(401);
    expect(erasure).not.toHaveBeenCalled();
    expect((await connector.handleWebhook(await delivery(body), body)).status).toBe(500);
    expect((await connector.handleWebhook(await delivery(body), body)).status).toBe(200);
    expect(erasure).toHaveBeenCalledTimes(2);
  });
});
