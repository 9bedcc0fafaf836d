import type { SecurityEventList, SecurityStreamMessage } from '@custos/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, PASSWORD, type TestApp, type TestOrg, type TestUser } from './harness';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver';

/**
 * The attack end to end, through the real HTTP API: an attacker hammers a member's account from
 * one IP. Detection must lock the attacker out (even once they guess the password), raise one
 * security event with evidence, push it to the console's live stream and a signed webhook — while
 * the member still signs in from the device and network they always use.
 */

const HOME_IP = '198.51.100.10';
const ATTACKER_IP = '203.0.113.66';
const ATTEMPTS = 14;

/** An SSE stream over real HTTP, collecting messages as they arrive. */
async function openStream(base: string, token: string) {
  const controller = new AbortController();
  const res = await fetch(`${base}/api/v1/security/stream`, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    signal: controller.signal,
  });
  const messages: SecurityStreamMessage[] = [];
  const reader = res.body?.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const pump = (async () => {
    if (!reader) return;
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = frame
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trim())
          .join('\n');
        if (data) messages.push(JSON.parse(data) as SecurityStreamMessage);
        end = buffer.indexOf('\n\n');
      }
    }
  })();
  return {
    status: res.status,
    messages,
    async close() {
      controller.abort();
      await pump;
    },
  };
}

async function eventually<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.each(backends)('an attack is detected, answered and alerted (%s)', (backend) => {
  let t: TestApp;
  let org: TestOrg;
  let alice: TestUser;
  let receiver: WebhookReceiver;
  let base: string;
  let aliceDevice: string;

  const signIn = (password: string, remoteAddress: string, cookies?: Record<string, string>) =>
    t.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: alice.email, password },
      remoteAddress,
      ...(cookies ? { cookies } : {}),
    });

  beforeAll(async () => {
    t = await createTestApp(backend, {
      config: {
        CUSTOS_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
        CUSTOS_ALERT_RETRY_SECONDS: '0.05,0.1',
        // The fixed-window limiter would stop the attack before detection sees it.
        CUSTOS_SIGN_IN_LIMIT_PER_ACCOUNT: '1000',
        CUSTOS_SIGN_IN_LIMIT_PER_IP: '1000',
      },
    });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    receiver = await startWebhookReceiver();
    org = await t.createOrganization('Attacked Org');
    alice = await t.addMember(org, ['member']);
    // Alice signs in from home in her browser: that browser and network become hers.
    const home = await signIn(PASSWORD, HOME_IP);
    expect(home.statusCode).toBe(200);
    const cookie = home.cookies.find((c) => c.name === 'custos_device');
    expect(cookie?.httpOnly).toBe(true);
    aliceDevice = cookie?.value ?? '';
  });
  afterAll(async () => {
    await receiver.close();
    await t.close();
  });

  it('locks the attacker out, keeps Alice in, raises one event and alerts the console and a webhook', async () => {
    const channel = await t.inject({
      method: 'POST',
      url: '/api/v1/alerts/channels',
      token: org.owner.token,
      payload: {
        kind: 'webhook',
        name: 'SOC',
        url: receiver.url,
        routing: { minSeverity: 'medium', types: null, digestLow: false },
      },
    });
    expect(channel.statusCode).toBe(201);
    receiver.setSecret(channel.json().secret);
    const stream = await openStream(base, org.owner.token);
    expect(stream.status).toBe(200);

    const answers: number[] = [];
    for (let i = 0; i < ATTEMPTS; i++)
      answers.push((await signIn(`guess number ${i}`, ATTACKER_IP)).statusCode);
    // Wrong passwords first, then the progressive delay refuses before any password is checked.
    expect(answers.slice(0, 3)).toEqual([401, 401, 401]);
    expect(answers).toContain(429);
    await t.services.threats.pipeline.idle();

    // The attacker now guesses right: still refused, and indistinguishable from the delay.
    const guessed = await signIn(PASSWORD, ATTACKER_IP);
    expect(guessed.statusCode).toBe(429);
    expect(guessed.json().error.code).toBe('SIGN_IN_DELAYED');
    expect(guessed.headers['retry-after']).toBeDefined();

    // Alice, from her browser, gets straight in. Her home address alone is no proof (everyone
    // behind the same NAT has it): without the cookie the lock aimed at strangers applies there too.
    expect((await signIn(PASSWORD, HOME_IP, { custos_device: aliceDevice })).statusCode).toBe(200);
    expect((await signIn(PASSWORD, HOME_IP)).statusCode).toBe(429);
    // Her browser is trusted even when she travels.
    expect((await signIn(PASSWORD, '192.0.2.77', { custos_device: aliceDevice })).statusCode).toBe(200);

    // One attack, one event, with the failed sign-ins as evidence.
    const list = await t.inject({
      url: '/api/v1/security/events?type=brute_force_account',
      token: org.owner.token,
    });
    expect(list.statusCode).toBe(200);
    const events = (list.json() as SecurityEventList).events;
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event).toMatchObject({
      severity: 'high',
      status: 'open',
      subject: { type: 'user', id: alice.id },
    });
    expect(event?.sourceIp).toBe(ATTACKER_IP);
    expect(event?.explanation).toMatch(/failed sign-in/i);
    const detail = await t.inject({ url: `/api/v1/security/events/${event?.id}`, token: org.owner.token });
    const body = detail.json();
    expect(body.evidence.length).toBeGreaterThanOrEqual(10);
    expect(body.evidence.every((e: { action: string }) => e.action === 'user.sign_in_failed')).toBe(true);
    expect(body.responses.map((r: { kind: string }) => r.kind)).toContain('lock_account');
    const lock = body.responses.find((r: { kind: string }) => r.kind === 'lock_account');
    expect(lock).toMatchObject({ scope: 'untrusted', state: 'active' });

    // The console stream and the webhook both got it; the webhook verifies per Standard Webhooks.
    await eventually(
      async () => stream.messages.find((m) => m.kind === 'security_event' && m.event?.id === event?.id),
      'the event on the console stream',
    );
    const [delivery] = await receiver.waitFor(1);
    expect(delivery?.verified).toBe(true);
    expect(JSON.parse(delivery?.body ?? '{}')).toMatchObject({
      type: 'security_event.raised',
      data: { events: [{ id: event?.id, type: 'brute_force_account' }] },
    });
    await stream.close();
    // The event's timeline says where the alert went.
    const sent = await eventually(async () => {
      const again = await t.inject({ url: `/api/v1/security/events/${event?.id}`, token: org.owner.token });
      return again.json().timeline.find((a: { kind: string }) => a.kind === 'alert_sent');
    }, 'the alert on the timeline');
    expect(sent.data).toMatchObject({ channelName: 'SOC', status: 'delivered', responseCode: 200 });

    // An admin lifts the lock: the attacker's next try reaches the password check again.
    const lifted = await t.inject({
      method: 'POST',
      url: `/api/v1/security/responses/${lock.id}/lift`,
      token: org.owner.token,
    });
    expect(lifted.statusCode).toBe(200);
    expect(lifted.json().state).toBe('lifted');
  });

  it('an admin blocks an IP everywhere: requests from it stop at once, and start again when lifted', async () => {
    const bob = await t.addMember(org, ['member']);
    const office = '198.51.100.200';
    const session = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: bob.email, password: PASSWORD, tokenType: 'bearer' },
      remoteAddress: office,
    });
    const token = session.json().token as string;
    const me = () => t.inject({ url: '/api/v1/me', token, remoteAddress: office });
    expect((await me()).statusCode).toBe(200);

    const block = await t.inject({
      method: 'POST',
      url: '/api/v1/security/responses',
      token: org.owner.token,
      payload: { kind: 'block_ip', ip: office, durationMinutes: 60 },
    });
    expect(block.statusCode).toBe(201);
    expect(block.json()).toMatchObject({ kind: 'block_ip', scope: 'all', state: 'active' });
    const refused = await me();
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('IP_BLOCKED');
    // Bob's network is known to Bob, but an "everywhere" block of his organization still applies.
    const again = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: bob.email, password: PASSWORD },
      remoteAddress: office,
    });
    expect(again.json().error.code).toBe('IP_BLOCKED');
    // Elsewhere Bob is fine.
    expect((await t.inject({ url: '/api/v1/me', token, remoteAddress: '192.0.2.1' })).statusCode).toBe(200);

    const lifted = await t.inject({
      method: 'POST',
      url: `/api/v1/security/responses/${block.json().id}/lift`,
      token: org.owner.token,
    });
    expect(lifted.statusCode).toBe(200);
    expect((await me()).statusCode).toBe(200);
  });

  it('an admin trying to grant themself roles must verify again before anything else', async () => {
    const admin = await t.addMember(org, ['admin']);
    const grab = await t.inject({
      method: 'PATCH',
      url: `/api/v1/members/${admin.id}`,
      token: admin.token,
      payload: { roles: ['owner'] },
    });
    expect(grab.json().error.code).toBe('CANNOT_CHANGE_OWN_ROLES');
    await t.services.threats.pipeline.idle();
    const events = await t.inject({
      url: '/api/v1/security/events?type=privilege_escalation',
      token: org.owner.token,
    });
    const [event] = events.json().events;
    expect(event).toMatchObject({ subject: { type: 'user', id: admin.id } });
    expect(event.explanation).toBeTruthy();

    const next = await t.inject({ url: '/api/v1/members', token: admin.token });
    expect(next.statusCode).toBe(403);
    expect(next.json().error.code).toBe('STEP_UP_REQUIRED');
    // Who they are and how to verify still answer; verifying lifts the demand.
    expect((await t.inject({ url: '/api/v1/me', token: admin.token })).statusCode).toBe(200);
    const verified = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/step-up',
      token: admin.token,
      payload: { method: 'password', password: PASSWORD },
    });
    expect(verified.statusCode).toBe(200);
    const token = verified.json().token ?? admin.token;
    expect((await t.inject({ url: '/api/v1/members', token })).statusCode).toBe(200);
  });

  it('another organization sees nothing of it', async () => {
    const other = await t.createOrganization('Bystander Org');
    const list = await t.inject({ url: '/api/v1/security/events', token: other.owner.token });
    expect(list.statusCode).toBe(200);
    expect(list.json().events).toEqual([]);
    // Nor can its admins' blocks shut the bystanders out of a network they share.
    const shared = '198.51.100.222';
    const block = await t.inject({
      method: 'POST',
      url: '/api/v1/security/responses',
      token: org.owner.token,
      payload: { kind: 'block_ip', ip: shared, scope: 'untrusted', durationMinutes: 60 },
    });
    expect(block.statusCode).toBe(201);
    const bystander = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: other.owner.email, password: PASSWORD },
      remoteAddress: shared,
    });
    expect(bystander.statusCode).toBe(200);
    const member = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: alice.email, password: PASSWORD },
      remoteAddress: shared,
    });
    expect(member.json().error.code).toBe('IP_BLOCKED');
  });
});
