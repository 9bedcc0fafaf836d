import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, PASSWORD, type TestApp, type TestOrg } from '../../../test/harness';
import { hashToken } from '../../platform/crypto/tokens';

const MINUTE = 60_000;
const DAY = 1440 * MINUTE;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

describe.each(backends)('session policy in force (%s)', (backend) => {
  let t: TestApp;
  let other: TestOrg;

  beforeAll(async () => {
    t = await createTestApp(backend);
    other = await t.createOrganization('Untouched Co');
  });
  afterAll(() => t.close());

  const setPolicy = async (org: TestOrg, payload: Record<string, unknown>) => {
    const res = await t.inject({
      method: 'PATCH',
      url: '/api/v1/security/policy',
      token: org.owner.token,
      payload,
    });
    expect(res.statusCode, res.body).toBe(200);
  };
  const status = async (token: string, url = '/api/v1/me') => (await t.inject({ url, token })).statusCode;
  const signInAnswer = (email: string, organization?: string) =>
    t.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email, password: PASSWORD, tokenType: 'bearer', ...(organization ? { organization } : {}) },
    });
  const sessionOf = (token: string) =>
    t.db
      .selectFrom('sessions')
      .selectAll()
      .where('tokenHash', '=', hashToken(token))
      .executeTakeFirstOrThrow();
  const setLastSeen = async (token: string, at: string) =>
    t.db.updateTable('sessions').set({ lastSeenAt: at }).where('tokenHash', '=', hashToken(token)).execute();
  const eventsSince = async (logId: string, before: number) =>
    t.auditEvents(logId, Math.max(1, (await t.count('auditEvents')) - before));

  describe('idle timeout', () => {
    it("ends a session idle longer than the organization's timeout, on its next request", async () => {
      const org = await t.createOrganization('Idle Co');
      await setPolicy(org, { idleTimeoutMinutes: 5 });
      const member = await t.addMember(org, ['member']);
      expect(await status(member.token)).toBe(200);
      await setLastSeen(member.token, ago(6 * MINUTE));
      expect(await status(member.token)).toBe(401);
      // and it is no longer listed as live
      const listed = await t.inject({ url: `/api/v1/sessions?userId=${member.id}`, token: org.owner.token });
      expect(listed.json().sessions).toEqual([]);
    });

    it('counts idleness from the last request: activity keeps the session alive', async () => {
      const org = await t.createOrganization('Busy Co');
      await setPolicy(org, { idleTimeoutMinutes: 5 });
      const member = await t.addMember(org, ['member']);
      await setLastSeen(member.token, ago(4 * MINUTE));
      expect(await status(member.token)).toBe(200);
      const touched = Date.parse((await sessionOf(member.token)).lastSeenAt);
      expect(Date.now() - touched).toBeLessThan(MINUTE);
    });

    it('raising the timeout does not bring back sessions that already went idle', async () => {
      const org = await t.createOrganization('Relaxed Co');
      await setPolicy(org, { idleTimeoutMinutes: 5 });
      const idle = await t.addMember(org, ['member']);
      const active = await t.addMember(org, ['member']);
      await setLastSeen(idle.token, ago(10 * MINUTE));
      await setLastSeen(active.token, ago(2 * MINUTE));
      const before = await t.count('auditEvents');
      await setPolicy(org, { idleTimeoutMinutes: 60 });
      expect(await status(idle.token)).toBe(401);
      expect((await sessionOf(idle.token)).revokedReason).toBe('idle_timeout');
      expect(await status(active.token)).toBe(200);
      // ten minutes idle is fine under the new timeout for a session that was alive when it changed
      await setLastSeen(active.token, ago(10 * MINUTE));
      expect(await status(active.token)).toBe(200);
      const [event] = await eventsSince(org.id, before);
      expect(event).toMatchObject({
        action: 'security.policy_updated',
        changes: { idleTimeoutMinutes: [5, 60] },
        metadata: { idleSessionsEnded: 1 },
      });
    });

    it("another organization's timeout does not apply (30 minutes by default)", async () => {
      const member = await t.addMember(other, ['member']);
      await setLastSeen(member.token, ago(6 * MINUTE));
      expect(await status(member.token)).toBe(200);
      await setLastSeen(member.token, ago(31 * MINUTE));
      expect(await status(member.token)).toBe(401);
    });
  });

  describe('absolute lifetime', () => {
    it("a new session lasts the organization's absolute lifetime", async () => {
      const org = await t.createOrganization('Short Co');
      await setPolicy(org, { absoluteLifetimeHours: 1 });
      const member = await t.addMember(org, ['member']);
      const res = await signInAnswer(member.email);
      expect(res.statusCode).toBe(200);
      const expiresAt = Date.parse(res.json().expiresAt);
      expect(Math.abs(expiresAt - (Date.now() + 60 * MINUTE))).toBeLessThan(MINUTE);
      expect((await sessionOf(res.json().token)).expiresAt).toBe(res.json().expiresAt);
      // /me agrees
      const me = await t.inject({ url: '/api/v1/me', token: res.json().token });
      expect(me.json().session.expiresAt).toBe(res.json().expiresAt);
    });

    it('the other organization keeps the configured lifetime; an expired session is refused', async () => {
      const res = await signInAnswer(other.owner.email);
      const hours = (Date.parse(res.json().expiresAt) - Date.now()) / (60 * MINUTE);
      expect(hours).toBeGreaterThan(1.5);
      await t.db
        .updateTable('sessions')
        .set({ expiresAt: ago(1000) })
        .where('tokenHash', '=', hashToken(res.json().token))
        .execute();
      expect(await status(res.json().token)).toBe(401);
    });
  });

  describe('concurrent session limit', () => {
    it('end_oldest: a sign-in beyond the limit ends the oldest session, audited', async () => {
      const org = await t.createOrganization('Limit Co');
      await setPolicy(org, { maxConcurrentSessions: 2, sessionLimitAction: 'end_oldest' });
      const member = await t.addMember(org, ['member']); // session 1
      const oldestId = (await sessionOf(member.token)).id;
      const second = await t.signIn(member.email);
      expect(await status(member.token)).toBe(200);
      const before = await t.count('auditEvents');
      const third = await t.signIn(member.email);
      expect(await status(member.token)).toBe(401);
      expect(await status(second)).toBe(200);
      expect(await status(third)).toBe(200);
      expect((await sessionOf(member.token)).revokedReason).toBe('session_limit');
      const events = await eventsSince(org.id, before);
      expect(events.find((e) => e.action === 'session.revoked')).toMatchObject({
        actor: { type: 'user', id: member.id },
        targets: [
          { type: 'session', id: oldestId },
          { type: 'user', id: member.id },
        ],
        metadata: { reason: 'session_limit', limit: 2 },
      });
      expect(events.filter((e) => e.action === 'session.revoked')).toHaveLength(1);
    });

    it('end_oldest: idle sessions and sessions in other organizations do not count', async () => {
      const org = await t.createOrganization('Limit Two Co');
      await setPolicy(org, { maxConcurrentSessions: 2, sessionLimitAction: 'end_oldest' });
      const member = await t.addMember(org, ['member']);
      const second = await t.signIn(member.email);
      // the same person signs in to another organization twice
      const elsewhere = await t.addMember(other, ['member'], member.email);
      await t.signIn(member.email, PASSWORD, other.id);
      expect(await status(member.token)).toBe(200);
      expect(await status(second)).toBe(200);
      expect(await status(elsewhere.token)).toBe(200);
      // the first session went idle: the next sign-in fills its place without ending the second
      await setLastSeen(member.token, ago(31 * MINUTE));
      const third = await t.signIn(member.email, PASSWORD, org.id);
      expect(await status(second)).toBe(200);
      expect(await status(third)).toBe(200);
    });

    it('deny_new: a sign-in beyond the limit is refused with 409, no session made, audited', async () => {
      const org = await t.createOrganization('Deny Co');
      await setPolicy(org, { maxConcurrentSessions: 2, sessionLimitAction: 'deny_new' });
      const member = await t.addMember(org, ['member']);
      const second = await t.signIn(member.email);
      const sessionsBefore = await t.count('sessions');
      const res = await signInAnswer(member.email);
      expect(res.statusCode).toBe(409);
      expect(res.json().error).toMatchObject({ code: 'SESSION_LIMIT_REACHED', details: { limit: 2 } });
      expect(await t.count('sessions')).toBe(sessionsBefore);
      expect(await status(member.token)).toBe(200);
      expect(await status(second)).toBe(200);
      expect(await t.lastAuditEvent(org.id)).toMatchObject({
        action: 'session.limit_reached',
        outcome: 'denied',
        actor: { type: 'user', id: member.id },
        metadata: { limit: 2, action: 'deny_new' },
      });
      // signing out somewhere frees a place
      expect(
        (await t.inject({ method: 'POST', url: '/api/v1/auth/sign-out', token: second })).statusCode,
      ).toBe(200);
      expect((await signInAnswer(member.email)).statusCode).toBe(200);
    });

    it('deny_new applies to a sign-in with a second factor too', async () => {
      const org = await t.createOrganization('Deny MFA Co');
      await setPolicy(org, { maxConcurrentSessions: 1, sessionLimitAction: 'deny_new' });
      const member = await t.addMember(org, ['member']);
      const { secret, token } = await t.enrollTotp(member.token);
      expect(await status(token)).toBe(200);
      // the password step answers a challenge whatever the limit; the session is refused after it
      const first = await signInAnswer(member.email);
      expect(first.json().mfaRequired).toBe(true);
      const sessionsBefore = await t.count('sessions');
      await expect(t.signInWithTotp(member.email, secret)).rejects.toThrow(/409/);
      expect(await t.count('sessions')).toBe(sessionsBefore);
    });

    it('switching a session into an organization counts against its limit', async () => {
      const org = await t.createOrganization('Switch Limit Co');
      await setPolicy(org, { maxConcurrentSessions: 1, sessionLimitAction: 'deny_new' });
      const member = await t.addMember(org, ['member']); // the one session allowed in org
      const elsewhere = await t.addMember(other, ['member'], member.email);
      const sessionsInOrg = async () =>
        (
          await t.db
            .selectFrom('sessions')
            .select('id')
            .where('userId', '=', member.id)
            .where('organizationId', '=', org.id)
            .where('revokedAt', 'is', null)
            .execute()
        ).length;
      expect(await sessionsInOrg()).toBe(1);
      // a direct sign-in is refused ...
      expect((await signInAnswer(member.email, org.id)).statusCode).toBe(409);
      // ... and moving the other organization's session in must be too
      const switched = await t.inject({
        method: 'POST',
        url: '/api/v1/auth/switch-organization',
        token: elsewhere.token,
        payload: { organizationId: org.id },
      });
      expect(switched.statusCode).toBe(409);
      expect(switched.json().error.code).toBe('SESSION_LIMIT_REACHED');
      expect(await sessionsInOrg()).toBe(1);
    });

    it("the limit of one organization leaves another's members alone", async () => {
      const a = await t.signIn(other.owner.email);
      const b = await t.signIn(other.owner.email);
      const c = await t.signIn(other.owner.email);
      for (const token of [other.owner.token, a, b, c]) expect(await status(token)).toBe(200);
    });
  });

  describe('MFA requirement', () => {
    const backdateRequirement = async (org: TestOrg, userId: string, days: number) => {
      // Both the column and the session check's copy of it (session_rules) move back.
      const policy = await t.db
        .selectFrom('securityPolicies')
        .select('sessionRules')
        .where('organizationId', '=', org.id)
        .executeTakeFirstOrThrow();
      const since = ago(days * DAY);
      await t.db
        .updateTable('securityPolicies')
        .set({
          mfaRequiredSince: since,
          sessionRules: JSON.stringify({ ...JSON.parse(policy.sessionRules), mfaRequiredSince: since }),
        })
        .where('organizationId', '=', org.id)
        .execute();
      await t.db
        .updateTable('memberships')
        .set({ createdAt: ago(days * DAY) })
        .where('organizationId', '=', org.id)
        .where('userId', '=', userId)
        .execute();
    };

    it('during the grace period: required, not blocking; after it only enrolment works', async () => {
      const org = await t.createOrganization('MFA Co');
      await setPolicy(org, { mfaRequirement: 'all', mfaGraceDays: 7 });
      const member = await t.addMember(org, ['auditor']);
      const me = (await t.inject({ url: '/api/v1/me', token: member.token })).json();
      expect(me.mfaEnrollment).toMatchObject({ required: true, blocking: false });
      expect(Date.parse(me.mfaEnrollment.deadline) - Date.now()).toBeGreaterThan(6 * DAY);
      expect(await status(member.token, '/api/v1/members')).toBe(200);

      await backdateRequirement(org, member.id, 8);
      const blockedMe = await t.inject({ url: '/api/v1/me', token: member.token });
      expect(blockedMe.statusCode).toBe(200);
      expect(blockedMe.json().mfaEnrollment).toMatchObject({ required: true, blocking: true });
      const members = await t.inject({ url: '/api/v1/members', token: member.token });
      expect(members.statusCode).toBe(403);
      expect(members.json().error.code).toBe('MFA_ENROLLMENT_REQUIRED');
      expect(await status(member.token, '/api/v1/audit/events')).toBe(403);
      expect(await status(member.token, '/api/v1/me/security')).toBe(200);
      expect(await status(member.token, '/api/v1/me/sessions')).toBe(200);
      // a fresh sign-in says so up front
      const signedIn = await signInAnswer(member.email);
      expect(signedIn.json().mfaEnrollment).toMatchObject({ required: true, blocking: true });

      const { token } = await t.enrollTotp(member.token);
      expect(await status(token, '/api/v1/members')).toBe(200);
      expect((await t.inject({ url: '/api/v1/me', token })).json().mfaEnrollment).toEqual({
        required: false,
        deadline: null,
        blocking: false,
      });
      // the owner joined just now: still inside their own grace period
      expect(await status(org.owner.token, '/api/v1/members')).toBe(200);
    });

    it('a member blocked in one organization works in another that does not require MFA', async () => {
      const org = await t.createOrganization('MFA Two Co');
      await setPolicy(org, { mfaRequirement: 'all', mfaGraceDays: 1 });
      const member = await t.addMember(org, ['auditor']);
      const elsewhere = await t.addMember(other, ['auditor'], member.email);
      await backdateRequirement(org, member.id, 2);
      expect(await status(member.token, '/api/v1/members')).toBe(403);
      expect(await status(elsewhere.token, '/api/v1/members')).toBe(200);
      expect(
        (await t.inject({ url: '/api/v1/me', token: elsewhere.token })).json().mfaEnrollment.required,
      ).toBe(false);
    });

    it("'roles' applies only to members holding one of those roles", async () => {
      const org = await t.createOrganization('MFA Roles Co');
      await setPolicy(org, { mfaRequirement: 'roles', mfaRoles: ['admin'], mfaGraceDays: 3 });
      const admin = await t.addMember(org, ['admin']);
      const auditor = await t.addMember(org, ['auditor']);
      const mfaOf = async (token: string) =>
        (await t.inject({ url: '/api/v1/me', token })).json().mfaEnrollment;
      expect(await mfaOf(admin.token)).toMatchObject({ required: true, blocking: false });
      expect(await mfaOf(auditor.token)).toMatchObject({ required: false, blocking: false });
      await backdateRequirement(org, admin.id, 4);
      await backdateRequirement(org, auditor.id, 4);
      expect(await status(admin.token, '/api/v1/members')).toBe(403);
      expect(await status(auditor.token, '/api/v1/members')).toBe(200);
    });

    it('records the requirement change with its scope', async () => {
      const org = await t.createOrganization('MFA Audit Co');
      await setPolicy(org, { mfaRequirement: 'roles', mfaRoles: ['owner', 'admin'] });
      expect(await t.lastAuditEvent(org.id)).toMatchObject({
        action: 'security.policy_updated',
        changes: { mfaRequirement: ['off', 'roles'], mfaRoles: [[], ['owner', 'admin']] },
      });
    });
  });
});
