import type { SecurityStreamMessage, ThreatResponseOut } from '@custos/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, type TestOrg } from '../../../test/harness';
import { createAlerts } from './index';
import { type AlertsTestApp, createAlertsTestApp, insertSecurityEvent } from './test-support';

interface Frame {
  id: string | null;
  event: string | null;
  data: string;
}

/** An open SSE stream over real HTTP, read frame by frame. */
async function openStream(base: string, token: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const res = await fetch(`${base}/api/v1/security/stream`, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const frames: Frame[] = [];
  async function next(): Promise<Frame> {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const lines = block.split('\n');
        const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
        if (data.length === 0) continue; // retry hint, heartbeat
        const field = (name: string) =>
          lines.find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2) ?? null;
        const frame = { id: field('id'), event: field('event'), data: data.join('\n') };
        frames.push(frame);
        return frame;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended');
      buffer += decoder.decode(value, { stream: true });
    }
  }
  return { res, next, frames, close: () => controller.abort() };
}

describe.each(backends)('security stream (%s)', (backend) => {
  let a: AlertsTestApp;
  let org: TestOrg;
  let other: TestOrg;
  let base: string;

  beforeAll(async () => {
    a = await createAlertsTestApp(backend);
    org = await a.t.createOrganization('Streamers');
    other = await a.t.createOrganization('Others');
    base = await a.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => a.close());

  it("pushes this process' changes of the organization at once, not other organizations'", async () => {
    const stream = await openStream(base, org.owner.token);
    expect(stream.res.status).toBe(200);
    expect(stream.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const theirs = await insertSecurityEvent(a.t, other.id, { severity: 'critical' });
    const mine = await insertSecurityEvent(a.t, org.id, { severity: 'high' });
    a.alerts.sink.notify({
      organizationId: other.id,
      kind: 'security_event',
      change: 'raised',
      event: theirs,
    });
    a.alerts.sink.notify({ organizationId: org.id, kind: 'security_event', change: 'raised', event: mine });
    const frame = await stream.next();
    expect(frame.event).toBe('security_event');
    const message = JSON.parse(frame.data) as SecurityStreamMessage;
    expect(message).toMatchObject({
      kind: 'security_event',
      change: 'raised',
      event: { id: mine.id },
      response: null,
    });
    expect(frame.id).toBe(message.at);

    const response: ThreatResponseOut = {
      id: mine.id,
      kind: 'block_ip',
      scope: null,
      user: null,
      ip: '203.0.113.7',
      securityEventId: mine.id,
      createdAt: message.at,
      expiresAt: null,
      liftedAt: null,
      liftedBy: null,
      state: 'active',
    };
    a.alerts.sink.notify({ organizationId: org.id, kind: 'response', change: 'applied', response });
    const second = await stream.next();
    expect(second.event).toBe('response');
    expect(JSON.parse(second.data)).toMatchObject({
      kind: 'response',
      change: 'applied',
      event: null,
      response: { ip: '203.0.113.7' },
    });
    expect(stream.frames.some((f) => f.data.includes(theirs.id))).toBe(false);
    stream.close();
  });

  it('catches a reconnecting reader up from Last-Event-ID, details as written', async () => {
    const since = new Date(Date.now() - 1_000).toISOString();
    // A snake_case key: read as jsonb, PostgreSQL's rows would come back with it renamed.
    const details = { per_account: 3, windowMinutes: 5 };
    const missed = await insertSecurityEvent(a.t, org.id, { severity: 'medium', details });
    const stream = await openStream(base, org.owner.token, { 'last-event-id': since });
    // Earlier cases' events are within the window too; the missed one must be among the catch-up.
    let message = JSON.parse((await stream.next()).data) as SecurityStreamMessage;
    while (message.event?.id !== missed.id) message = JSON.parse((await stream.next()).data);
    expect(message).toMatchObject({ kind: 'security_event', change: 'raised', event: { id: missed.id } });
    expect(message.event?.details).toEqual(details);
    stream.close();
  });

  it('refuses readers without security:read and anonymous ones', async () => {
    const member = await a.t.addMember(org, ['member']);
    const denied = await fetch(`${base}/api/v1/security/stream`, {
      headers: { authorization: `Bearer ${member.token}` },
    });
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    const anonymous = await fetch(`${base}/api/v1/security/stream`);
    expect(anonymous.status).toBe(401);
  });
});

const redisUrl = process.env.CUSTOS_TEST_REDIS_URL;
describe.skipIf(!redisUrl)('security stream across processes through Redis', () => {
  let a: AlertsTestApp;
  let org: TestOrg;
  let base: string;

  beforeAll(async () => {
    // The app starts its alerts module, and with it the Redis bus, as a server does.
    a = await createAlertsTestApp('sqlite', { config: { CUSTOS_REDIS_URL: redisUrl ?? '' } });
    org = await a.t.createOrganization('Clustered');
    base = await a.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => a.close());

  it("delivers another process' changes, and this process' own exactly once", async () => {
    // Another server process: its own module (its own process id) on the same Redis.
    const elsewhere = createAlerts(a.t.deps);
    await elsewhere.start();
    try {
      const stream = await openStream(base, org.owner.token);
      const local = await insertSecurityEvent(a.t, org.id, { severity: 'high' });
      const remote = await insertSecurityEvent(a.t, org.id, { severity: 'critical' });
      a.alerts.sink.notify({
        organizationId: org.id,
        kind: 'security_event',
        change: 'updated',
        event: local,
      });
      expect(JSON.parse((await stream.next()).data).event.id).toBe(local.id);
      elsewhere.sink.notify({
        organizationId: org.id,
        kind: 'security_event',
        change: 'updated',
        event: remote,
      });
      // Had this process' own message come back over Redis, it would arrive before the remote one.
      expect(JSON.parse((await stream.next()).data).event.id).toBe(remote.id);
      stream.close();
    } finally {
      await elsewhere.stop();
    }
  });
});
