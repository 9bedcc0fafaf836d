import type { ThreatResponseOut } from '@custos/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, type TestApp, type TestOrg, type TestUser } from '../../../test/harness';
import { newId } from '../../platform/crypto/tokens';
import type { DeliveryResult, Mailer, MailMessage } from '../../platform/mail/mailer';
import type { Detection } from './detection';

/**
 * Issue 15: a notify_user response says what became of its e-mail. Without SMTP it is queued in
 * the outbox (never "sent"); with a mail server that takes it, sent; with one that refuses it,
 * failed with the reason. The console learns whether e-mail is configured at all.
 */

const SECURITY_NOTICE = /^Security alert for your /;

/**
 * A mail server for security notices only: invitations stay undelivered, so they answer their
 * link (the harness' addMember needs it).
 */
function noticeMailer(answer: DeliveryResult): Mailer & { notices: MailMessage[] } {
  const notices: MailMessage[] = [];
  return {
    configured: true,
    notices,
    async send(message) {
      if (!SECURITY_NOTICE.test(message.subject)) return { status: 'undelivered' };
      notices.push(message);
      return answer;
    },
    close() {},
  };
}

function bruteForce(organizationId: string, userId: string): Detection {
  return {
    type: 'brute_force_account',
    severity: 'high',
    organizationId,
    dedupKey: `brute_force_account:${userId}:${newId()}`,
    subject: { type: 'user', id: userId, label: 'Member Person' },
    sourceIp: '198.51.100.66',
    country: 'NL',
    explanation: '12 failed sign-ins from untrusted origins in 15 minutes (threshold 10).',
    details: { observed: 12, threshold: 10, windowMinutes: 15 },
    evidence: [],
    userId,
  };
}

/** Waits until `done` answers something; the test's timeout bounds it. */
async function eventually<T>(done: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await done();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

interface Setup {
  t: TestApp;
  org: TestOrg;
  member: TestUser;
}

async function setUp(backend: (typeof backends)[number], mailer?: Mailer): Promise<Setup> {
  const t = await createTestApp(backend, mailer ? { mailer } : {});
  const org = await t.createOrganization('Notify Co', { superAdmin: true });
  const member = await t.addMember(org, ['member']);
  return { t, org, member };
}

/** Raises a brute-force event on the member through the app's own module (default rules: lock + notify). */
async function raiseOn({ t, org, member }: Setup): Promise<string> {
  const settings = await t.services.threats.settings.settingsFor(org.id);
  const raised = await t.services.threats.events.recordDetection(bruteForce(org.id, member.id), settings);
  return raised.event.id;
}

const responsesOf = async ({ t, org }: Setup, token = org.owner.token) =>
  t.inject({ url: '/api/v1/security/responses?state=all&kind=notify_user', token });

/** The event's notify_user response once its e-mail's fate is recorded. */
async function settledNotice(setup: Setup, eventId: string): Promise<ThreatResponseOut> {
  return eventually(async () => {
    const res = await setup.t.inject({
      url: `/api/v1/security/events/${eventId}`,
      token: setup.org.owner.token,
    });
    if (res.statusCode !== 200) throw new Error(`${res.statusCode} ${res.body}`);
    const notice = (res.json().responses as ThreatResponseOut[]).find((r) => r.kind === 'notify_user');
    return notice && notice.delivery?.status !== 'pending' ? notice : undefined;
  });
}

describe.each(backends)('issue 15: notify_user responses say what became of the e-mail (%s)', (backend) => {
  describe('without SMTP', () => {
    let s: Setup;
    let other: TestOrg;
    beforeAll(async () => {
      s = await setUp(backend);
      other = await s.t.createOrganization('Elsewhere Co');
    });
    afterAll(() => s.t.close());

    it('tells signed-in callers and API keys that e-mail is off; not anonymous ones', async () => {
      const { t, org } = s;
      const res = await t.inject({ url: '/api/v1/system/capabilities', token: s.member.token });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ email: { configured: false } });
      const key = await t.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        token: org.owner.token,
        payload: { name: 'ops', permissions: ['members:read'] },
      });
      expect(key.statusCode).toBe(201);
      const byKey = await t.inject({ url: '/api/v1/system/capabilities', token: key.json().secret });
      expect(byKey.json()).toEqual({ email: { configured: false } });
      const anonymous = await t.inject({ url: '/api/v1/system/capabilities' });
      expect(anonymous.statusCode).toBe(401);
    });

    it('records the notice as queued in the outbox, never sent', async () => {
      const eventId = await raiseOn(s);
      const notice = await settledNotice(s, eventId);
      expect(notice).toMatchObject({
        kind: 'notify_user',
        state: 'done',
        user: { id: s.member.id },
        delivery: { status: 'queued', detail: null },
      });
      expect(Date.parse(notice.delivery?.at ?? '')).not.toBeNaN();
      // Lasting responses send nothing.
      const detail = (
        await s.t.inject({ url: `/api/v1/security/events/${eventId}`, token: s.org.owner.token })
      ).json();
      const lock = (detail.responses as ThreatResponseOut[]).find((r) => r.kind === 'lock_account');
      expect(lock?.delivery).toBeNull();
      // The list says the same as the event.
      const listed = (await responsesOf(s)).json().responses as ThreatResponseOut[];
      expect(listed.find((r) => r.id === notice.id)?.delivery).toEqual(notice.delivery);
      // The message waits in the outbox for a super admin to pass on.
      const outbox = await s.t.inject({ url: '/api/v1/admin/outbox', token: s.org.owner.token });
      const kept = (outbox.json().messages as Array<{ subject: string; status: string; text: string }>).find(
        (m) => SECURITY_NOTICE.test(m.subject),
      );
      expect(kept).toMatchObject({ status: 'undelivered' });
      expect(kept?.text).toContain('/security/me');
      // The response itself was audited when it was placed.
      const applied = (await s.t.auditEvents(s.org.id)).filter(
        (e) =>
          e.action === 'threat_response.applied' &&
          e.targets.some((target) => target.type === 'threat_response' && target.id === notice.id),
      );
      expect(applied).toHaveLength(1);
      expect(applied[0]?.metadata?.kind).toBe('notify_user');
      // And what became of its e-mail, once, with the change.
      const told = (await s.t.auditEvents(s.org.id)).filter(
        (e) =>
          e.action === 'threat_response.user_notified' &&
          e.targets.some((target) => target.type === 'threat_response' && target.id === notice.id),
      );
      expect(told).toHaveLength(1);
      expect(told[0]).toMatchObject({ outcome: 'failure', metadata: { delivery: 'queued' } });
    });

    it('needs security:read, and another organization cannot see it', async () => {
      const eventId = await raiseOn(s);
      const notice = await settledNotice(s, eventId);
      const denied = await responsesOf(s, s.member.token);
      expect(denied.statusCode).toBe(403);
      expect(denied.json().error.details).toMatchObject({ permission: 'security:read' });
      const theirs = await responsesOf(s, other.owner.token);
      expect(theirs.statusCode).toBe(200);
      expect((theirs.json().responses as ThreatResponseOut[]).map((r) => r.id)).not.toContain(notice.id);
      const event = await s.t.inject({ url: `/api/v1/security/events/${eventId}`, token: other.owner.token });
      expect(event.statusCode).toBe(404);
    });
  });

  describe('with a mail server that takes it', () => {
    let s: Setup;
    const mailer = noticeMailer({ status: 'sent' });
    beforeAll(async () => {
      s = await setUp(backend, mailer);
    });
    afterAll(() => s.t.close());

    it('says e-mail is configured and records the notice as sent', async () => {
      const capabilities = await s.t.inject({ url: '/api/v1/system/capabilities', token: s.org.owner.token });
      expect(capabilities.json()).toEqual({ email: { configured: true } });
      // The forgot-password answer says the same, for any address.
      const reset = await s.t.inject({
        method: 'POST',
        url: '/api/v1/auth/password-reset/request',
        payload: { email: 'nobody.at.all@example.com' },
      });
      expect(reset.json()).toEqual({ ok: true, emailConfigured: true });
      const notice = await settledNotice(s, await raiseOn(s));
      expect(notice.delivery).toMatchObject({ status: 'sent', detail: null });
      const member = await s.t.db
        .selectFrom('users')
        .select('email')
        .where('id', '=', s.member.id)
        .executeTakeFirstOrThrow();
      expect(mailer.notices.map((m) => m.to)).toContain(member.email);
    });
  });

  describe('with a mail server that refuses it', () => {
    let s: Setup;
    beforeAll(async () => {
      s = await setUp(backend, noticeMailer({ status: 'failed', error: '550 5.1.1 mailbox unavailable' }));
    });
    afterAll(() => s.t.close());

    it('records the notice as failed with the reason', async () => {
      const notice = await settledNotice(s, await raiseOn(s));
      expect(notice.delivery).toMatchObject({ status: 'failed', detail: '550 5.1.1 mailbox unavailable' });
      const listed = (await responsesOf(s)).json().responses as ThreatResponseOut[];
      expect(listed.find((r) => r.id === notice.id)?.delivery?.status).toBe('failed');
    });
  });
});
