import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, PASSWORD, type TestApp, type TestOrg } from '../../../test/harness';
import { hashToken } from '../../platform/crypto/tokens';

interface ListedSession {
  id: string;
  userId: string;
  organizationId: string | null;
  current: boolean;
  impersonatedBy: string | null;
}

describe.each(backends)('session management (%s)', (backend) => {
  let t: TestApp;
  let org: TestOrg;
  let other: TestOrg;

  beforeAll(async () => {
    t = await createTestApp(backend);
    org = await t.createOrganization('Sessions Co');
    other = await t.createOrganization('Other Sessions Co');
  });
  afterAll(() => t.close());

  const sessionId = async (token: string): Promise<string> =>
    (
      await t.db
        .selectFrom('sessions')
        .select('id')
        .where('tokenHash', '=', hashToken(token))
        .executeTakeFirstOrThrow()
    ).id;
  const status = async (token: string) => (await t.inject({ url: '/api/v1/me', token })).statusCode;
  const listMine = async (token: string): Promise<ListedSession[]> => {
    const res = await t.inject({ url: '/api/v1/me/sessions', token });
    expect(res.statusCode).toBe(200);
    return res.json().sessions;
  };
  const listOrg = (token: string, query = '') => t.inject({ url: `/api/v1/sessions${query}`, token });
  const revokedReason = async (id: string) =>
    (await t.db.selectFrom('sessions').select('revokedReason').where('id', '=', id).executeTakeFirstOrThrow())
      .revokedReason;
  /** Events of a log written since `before` (a count of all audit rows), newest first. */
  const eventsSince = async (logId: string, before: number) =>
    t.auditEvents(logId, Math.max(1, (await t.count('auditEvents')) - before));

  describe('own sessions', () => {
    it('lists only the caller’s sessions and marks the current one', async () => {
      const member = await t.addMember(org, ['member']);
      const second = await t.signIn(member.email);
      const sessions = await listMine(second);
      expect(sessions.map((s) => s.userId)).toEqual([member.id, member.id]);
      expect(sessions.filter((s) => s.current).map((s) => s.id)).toEqual([await sessionId(second)]);
      const fromFirst = await listMine(member.token);
      expect(fromFirst.find((s) => s.current)?.id).toBe(await sessionId(member.token));
      // nobody else's sessions show up
      const ownerSession = await sessionId(org.owner.token);
      expect(sessions.some((s) => s.id === ownerSession)).toBe(false);
    });

    it('ends one of the caller’s sessions; it fails on its very next request; audited', async () => {
      const member = await t.addMember(org, ['member']);
      const phone = await t.signIn(member.email);
      const phoneId = await sessionId(phone);
      const res = await t.inject({
        method: 'DELETE',
        url: `/api/v1/me/sessions/${phoneId}`,
        token: member.token,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ ok: true });
      expect(await status(phone)).toBe(401);
      expect(await status(member.token)).toBe(200);
      expect(await revokedReason(phoneId)).toBe('revoked_by_user');
      expect(await t.lastAuditEvent(org.id)).toMatchObject({
        action: 'session.revoked',
        actor: { type: 'user', id: member.id },
        targets: [
          { type: 'session', id: phoneId },
          { type: 'user', id: member.id },
        ],
      });
      // ended once: a second attempt is not found
      const again = await t.inject({
        method: 'DELETE',
        url: `/api/v1/me/sessions/${phoneId}`,
        token: member.token,
      });
      expect(again.statusCode).toBe(404);
    });

    it('answers 404 for another user’s session, also in another organization, and ends nothing', async () => {
      const member = await t.addMember(org, ['member']);
      const before = await t.count('auditEvents');
      for (const victim of [org.owner.token, other.owner.token]) {
        const id = await sessionId(victim);
        const res = await t.inject({
          method: 'DELETE',
          url: `/api/v1/me/sessions/${id}`,
          token: member.token,
        });
        expect(res.statusCode).toBe(404);
        expect(res.json().error.code).toBe('SESSION_NOT_FOUND');
        expect(await status(victim)).toBe(200);
      }
      const unknown = await t.inject({
        method: 'DELETE',
        url: `/api/v1/me/sessions/${randomUUID()}`,
        token: member.token,
      });
      expect(unknown.statusCode).toBe(404);
      const bad = await t.inject({
        method: 'DELETE',
        url: '/api/v1/me/sessions/not-a-uuid',
        token: member.token,
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.code).toBe('VALIDATION_FAILED');
      expect(await t.count('auditEvents')).toBe(before);
    });

    it('signs out everywhere else: all but the current session end, counted and audited', async () => {
      const member = await t.addMember(org, ['member']);
      const a = await t.signIn(member.email);
      const b = await t.signIn(member.email);
      const res = await t.inject({ method: 'POST', url: '/api/v1/me/sessions/revoke-others', token: b });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ revoked: 2 });
      expect(await status(member.token)).toBe(401);
      expect(await status(a)).toBe(401);
      expect(await status(b)).toBe(200);
      expect((await listMine(b)).map((s) => s.current)).toEqual([true]);
      expect(await t.lastAuditEvent(org.id)).toMatchObject({
        action: 'session.revoked_all',
        actor: { type: 'user', id: member.id },
        targets: [{ type: 'user', id: member.id }],
        metadata: { scope: 'own_other_sessions', revoked: 2 },
      });
      // other users are untouched
      expect(await status(org.owner.token)).toBe(200);
    });

    it('needs a signed-in user: 401 without a token, 403 for an API key', async () => {
      expect((await t.inject({ url: '/api/v1/me/sessions' })).statusCode).toBe(401);
      expect((await t.inject({ method: 'POST', url: '/api/v1/me/sessions/revoke-others' })).statusCode).toBe(
        401,
      );
      expect(
        (await t.inject({ method: 'DELETE', url: `/api/v1/me/sessions/${randomUUID()}` })).statusCode,
      ).toBe(401);
      const key = await t.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        token: org.owner.token,
        payload: { name: 'Not a user', permissions: ['sessions:read', 'sessions:revoke'] },
      });
      const secret: string = key.json().secret;
      const asKey = await t.inject({ url: '/api/v1/me/sessions', token: secret });
      expect(asKey.statusCode).toBe(403);
      const revokeAsKey = await t.inject({
        method: 'POST',
        url: '/api/v1/me/sessions/revoke-others',
        token: secret,
      });
      expect(revokeAsKey.statusCode).toBe(403);
      expect(await status(org.owner.token)).toBe(200);
    });
  });

  describe('admins', () => {
    it('lists the organization’s live sessions, never another organization’s', async () => {
      const member = await t.addMember(org, ['member']);
      const res = await listOrg(org.owner.token);
      expect(res.statusCode).toBe(200);
      const sessions: ListedSession[] = res.json().sessions;
      expect(sessions.every((s) => s.organizationId === org.id)).toBe(true);
      const ids = sessions.map((s) => s.id);
      expect(ids).toContain(await sessionId(member.token));
      expect(ids).not.toContain(await sessionId(other.owner.token));
      expect(sessions.find((s) => s.current)?.id).toBe(await sessionId(org.owner.token));
    });

    it('filters by member, refuses a user of another organization and bad queries', async () => {
      const member = await t.addMember(org, ['member']);
      const res = await listOrg(org.owner.token, `?userId=${member.id}`);
      expect(res.statusCode).toBe(200);
      expect(res.json().sessions.map((s: ListedSession) => s.id)).toEqual([await sessionId(member.token)]);
      const foreign = await listOrg(org.owner.token, `?userId=${other.owner.id}`);
      expect(foreign.statusCode).toBe(404);
      expect(foreign.json().error.code).toBe('MEMBER_NOT_FOUND');
      for (const query of ['?userId=nope', '?limit=0', '?limit=501', '?limit=x']) {
        const bad = await listOrg(org.owner.token, query);
        expect(bad.statusCode, query).toBe(400);
        expect(bad.json().error.code).toBe('VALIDATION_FAILED');
      }
    });

    it('the limit counts live sessions: an idle newer session does not hide an active older one', async () => {
      const member = await t.addMember(org, ['member']);
      const newer = await t.signIn(member.email);
      // the newer session went idle (30 minutes by default); the older one is in use
      await t.db
        .updateTable('sessions')
        .set({ lastSeenAt: new Date(Date.now() - 31 * 60_000).toISOString() })
        .where('id', '=', await sessionId(newer))
        .execute();
      const res = await listOrg(org.owner.token, `?userId=${member.id}&limit=1`);
      expect(res.statusCode).toBe(200);
      expect(res.json().sessions.map((s: ListedSession) => s.id)).toEqual([await sessionId(member.token)]);
    });

    it('needs sessions:read to list and sessions:revoke to end; 401 without a token', async () => {
      const member = await t.addMember(org, ['member']);
      const victim = await sessionId(org.owner.token);
      const denied = [
        await listOrg(member.token),
        await t.inject({ method: 'DELETE', url: `/api/v1/sessions/${victim}`, token: member.token }),
        await t.inject({ method: 'POST', url: '/api/v1/sessions/revoke', token: member.token, payload: {} }),
      ];
      for (const res of denied) {
        expect(res.statusCode).toBe(403);
        expect(res.json().error.code).toBe('FORBIDDEN');
      }
      // an auditor reads members but not sessions
      const auditor = await t.addMember(org, ['auditor']);
      expect((await listOrg(auditor.token)).statusCode).toBe(403);
      expect(await status(org.owner.token)).toBe(200);
      expect((await t.inject({ url: '/api/v1/sessions' })).statusCode).toBe(401);
      expect((await t.inject({ method: 'DELETE', url: `/api/v1/sessions/${victim}` })).statusCode).toBe(401);
      expect(
        (await t.inject({ method: 'POST', url: '/api/v1/sessions/revoke', payload: {} })).statusCode,
      ).toBe(401);
    });

    it('lets an API key with sessions:read list the organization’s sessions', async () => {
      const created = await t.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        token: org.owner.token,
        payload: { name: 'SIEM', permissions: ['sessions:read'] },
      });
      expect(created.statusCode).toBe(201);
      const res = await listOrg(created.json().secret);
      expect(res.statusCode).toBe(200);
      const sessions: ListedSession[] = res.json().sessions;
      expect(sessions.map((s) => s.id)).toContain(await sessionId(org.owner.token));
      expect(sessions.every((s) => s.organizationId === org.id && !s.current)).toBe(true);
    });

    it('ends a member’s session, effective on their very next request; audited', async () => {
      const member = await t.addMember(org, ['member']);
      const id = await sessionId(member.token);
      expect(await status(member.token)).toBe(200);
      const res = await t.inject({ method: 'DELETE', url: `/api/v1/sessions/${id}`, token: org.owner.token });
      expect(res.statusCode).toBe(200);
      expect(await status(member.token)).toBe(401);
      expect(await revokedReason(id)).toBe('revoked_by_admin');
      expect(await t.lastAuditEvent(org.id)).toMatchObject({
        action: 'session.revoked',
        actor: { type: 'user', id: org.owner.id },
        targets: [
          { type: 'session', id },
          { type: 'user', id: member.id },
        ],
        metadata: { by: 'admin' },
      });
      const again = await t.inject({
        method: 'DELETE',
        url: `/api/v1/sessions/${id}`,
        token: org.owner.token,
      });
      expect(again.statusCode).toBe(404);
    });

    it('cannot end another organization’s session (404, nothing written)', async () => {
      const before = await t.count('auditEvents');
      const id = await sessionId(other.owner.token);
      const res = await t.inject({ method: 'DELETE', url: `/api/v1/sessions/${id}`, token: org.owner.token });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('SESSION_NOT_FOUND');
      expect(await status(other.owner.token)).toBe(200);
      const bad = await t.inject({ method: 'DELETE', url: '/api/v1/sessions/123', token: org.owner.token });
      expect(bad.statusCode).toBe(400);
      expect(await t.count('auditEvents')).toBe(before);
    });

    it('force-logs-out one member in this organization only; their session elsewhere survives', async () => {
      const member = await t.addMember(org, ['member']);
      const second = await t.signIn(member.email);
      // the same person is also a member of the other organization
      const elsewhere = await t.addMember(other, ['member'], member.email);
      expect(elsewhere.id).toBe(member.id);
      // the filtered list shows their sessions here, not the one in the other organization
      const listed = await listOrg(org.owner.token, `?userId=${member.id}`);
      expect(
        listed
          .json()
          .sessions.map((s: ListedSession) => s.id)
          .sort(),
      ).toEqual([await sessionId(member.token), await sessionId(second)].sort());
      const res = await t.inject({
        method: 'POST',
        url: '/api/v1/sessions/revoke',
        token: org.owner.token,
        payload: { userId: member.id },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ revoked: 2 });
      expect(await status(member.token)).toBe(401);
      expect(await status(second)).toBe(401);
      expect(await status(elsewhere.token)).toBe(200);
      expect(await status(org.owner.token)).toBe(200);
      expect(await t.lastAuditEvent(org.id)).toMatchObject({
        action: 'session.revoked_all',
        actor: { type: 'user', id: org.owner.id },
        targets: [{ type: 'user', id: member.id }],
        metadata: { scope: 'member', revoked: 2 },
      });
      expect((await t.lastAuditEvent(other.id))?.action).not.toBe('session.revoked_all');
    });

    it('refuses to force-log-out a user of another organization and bad bodies', async () => {
      const before = await t.count('auditEvents');
      const foreign = await t.inject({
        method: 'POST',
        url: '/api/v1/sessions/revoke',
        token: org.owner.token,
        payload: { userId: other.owner.id },
      });
      expect(foreign.statusCode).toBe(404);
      expect(foreign.json().error.code).toBe('MEMBER_NOT_FOUND');
      expect(await status(other.owner.token)).toBe(200);
      for (const payload of [{ userId: 'nope' }, { userId: 42 }, []]) {
        const bad = await t.inject({
          method: 'POST',
          url: '/api/v1/sessions/revoke',
          token: org.owner.token,
          payload,
        });
        expect(bad.statusCode, JSON.stringify(payload)).toBe(400);
      }
      expect(await t.count('auditEvents')).toBe(before);
    });

    it('force-logs-out everyone in the organization but the caller’s session', async () => {
      const local = await t.createOrganization('Lockdown Co');
      const a = await t.addMember(local, ['admin']);
      const b = await t.addMember(local, ['member']);
      const ownerElsewhere = await t.signIn(local.owner.email);
      // b also belongs to the other organization, where nothing must end
      const bElsewhere = await t.addMember(other, ['member'], b.email);
      const res = await t.inject({
        method: 'POST',
        url: '/api/v1/sessions/revoke',
        token: a.token,
        payload: {},
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ revoked: 3 });
      expect(await status(a.token)).toBe(200);
      expect(await status(b.token)).toBe(401);
      expect(await status(local.owner.token)).toBe(401);
      expect(await status(ownerElsewhere)).toBe(401);
      expect(await status(bElsewhere.token)).toBe(200);
      expect(await status(other.owner.token)).toBe(200);
      expect(await t.lastAuditEvent(local.id)).toMatchObject({
        action: 'session.revoked_all',
        actor: { type: 'user', id: a.id },
        targets: [{ type: 'organization', id: local.id }],
        metadata: { scope: 'organization', revoked: 3 },
      });
    });
  });

  describe('credential and membership changes', () => {
    it('a password change without keeping the session ends every session, this one too', async () => {
      const member = await t.addMember(org, ['member']);
      const other1 = await t.signIn(member.email);
      const res = await t.inject({
        method: 'POST',
        url: '/api/v1/me/password',
        token: member.token,
        payload: {
          currentPassword: PASSWORD,
          newPassword: 'a brand new passphrase 2025',
          keepCurrentSession: false,
        },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().token).toBeUndefined();
      expect(await status(member.token)).toBe(401);
      expect(await status(other1)).toBe(401);
      expect(await revokedReason(await sessionId(member.token))).toBe('password_changed');
      expect(await t.lastAuditEvent(org.id)).toMatchObject({
        action: 'user.password_changed',
        metadata: { otherSessionsEnded: 2, keptCurrentSession: false },
      });
    });

    it('removing a member ends their sessions in that organization only', async () => {
      const member = await t.addMember(org, ['member']);
      const elsewhere = await t.addMember(other, ['member'], member.email);
      const res = await t.inject({
        method: 'DELETE',
        url: `/api/v1/members/${member.id}`,
        token: org.owner.token,
      });
      expect(res.statusCode).toBe(200);
      expect(await status(member.token)).toBe(401);
      expect(await revokedReason(await sessionId(member.token))).toBe('member_removed');
      expect(await status(elsewhere.token)).toBe(200);
      expect(await t.lastAuditEvent(org.id)).toMatchObject({
        action: 'member.removed',
        targets: [{ type: 'user', id: member.id }],
      });
    });
  });

  describe('impersonation', () => {
    it('an impersonating super admin sees the user’s sessions but cannot end them', async () => {
      const host = await t.createOrganization('Platform Co', { superAdmin: true });
      const member = await t.addMember(org, ['member']);
      const started = await t.inject({
        method: 'POST',
        url: '/api/v1/impersonation',
        token: host.owner.token,
        payload: { userId: member.id, reason: 'Helping with a support ticket', minutes: 10 },
      });
      expect(started.statusCode).toBe(200);
      const asUser: string = started.json().token;
      const listed = await listMine(asUser);
      const current = listed.find((s) => s.current);
      expect(current?.impersonatedBy).toBe('Owner Person');
      const before = await t.count('auditEvents');
      const endOne = await t.inject({
        method: 'DELETE',
        url: `/api/v1/me/sessions/${await sessionId(member.token)}`,
        token: asUser,
      });
      expect(endOne.statusCode).toBe(403);
      expect(endOne.json().error.code).toBe('IMPERSONATION_FORBIDDEN');
      const endOthers = await t.inject({
        method: 'POST',
        url: '/api/v1/me/sessions/revoke-others',
        token: asUser,
      });
      expect(endOthers.statusCode).toBe(403);
      expect(endOthers.json().error.code).toBe('IMPERSONATION_FORBIDDEN');
      expect(await status(member.token)).toBe(200);
      const events = await eventsSince(org.id, before);
      expect(events.some((e) => e.action.startsWith('session.revoked'))).toBe(false);
    });

    it('the super admin’s own password change ends the sessions they opened as someone else', async () => {
      const host = await t.createOrganization('Platform Two Co', { superAdmin: true });
      const member = await t.addMember(org, ['member']);
      const started = await t.inject({
        method: 'POST',
        url: '/api/v1/impersonation',
        token: host.owner.token,
        payload: { userId: member.id, reason: 'Helping with a support ticket', minutes: 10 },
      });
      const asUser: string = started.json().token;
      const changed = await t.inject({
        method: 'POST',
        url: '/api/v1/me/password',
        token: host.owner.token,
        payload: { currentPassword: PASSWORD, newPassword: 'another brand new passphrase' },
      });
      expect(changed.statusCode).toBe(200);
      expect(await status(asUser)).toBe(401);
      expect(await revokedReason(await sessionId(asUser))).toBe('password_changed');
      // the impersonated member's own session is theirs, not the admin's: it stays
      expect(await status(member.token)).toBe(200);
      expect(await t.lastAuditEvent(host.id)).toMatchObject({
        action: 'user.password_changed',
        metadata: { otherSessionsEnded: 1 },
      });
    });
  });
});
