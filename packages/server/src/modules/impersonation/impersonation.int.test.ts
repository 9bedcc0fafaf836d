import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backends,
  createTestApp,
  PASSWORD,
  type TestApp,
  type TestOrg,
  type TestUser,
} from '../../../test/harness';
import { hashToken } from '../../platform/crypto/tokens';
import { CSRF_COOKIE, csrfTokenFor, SESSION_COOKIE } from '../../platform/http/session-cookies';

const REASON = 'Customer ticket #4711: cannot see the audit log';

function cookieValue(setCookie: string | string[] | undefined, name: string): string | undefined {
  const list = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  const line = list.find((c) => c.startsWith(`${name}=`));
  return line?.split(';')[0]?.slice(name.length + 1);
}

describe.each(backends)('impersonation (%s)', (backend) => {
  let t: TestApp;
  let platform: TestOrg;
  let tenant: TestOrg;
  let elsewhere: TestOrg;
  let member: TestUser;

  beforeAll(async () => {
    t = await createTestApp(backend);
    platform = await t.createOrganization('Platform', { superAdmin: true });
    await t.db
      .updateTable('users')
      .set({ name: 'Platform Admin' })
      .where('id', '=', platform.owner.id)
      .execute();
    tenant = await t.createOrganization('Tenant');
    elsewhere = await t.createOrganization('Elsewhere');
    member = await t.addMember(tenant, ['member']);
  });
  afterAll(() => t.close());

  const start = (payload: Record<string, unknown>, token?: string) =>
    t.inject({
      method: 'POST',
      url: '/api/v1/impersonation',
      payload,
      ...(token ? { token } : {}),
    });
  const stop = (token: string) => t.inject({ method: 'POST', url: '/api/v1/impersonation/stop', token });
  const me = (token: string) => t.inject({ url: '/api/v1/me', token });
  const impersonationSessions = async () =>
    (await t.db.selectFrom('sessions').select('id').where('impersonatorId', 'is not', null).execute()).length;

  /** A fresh admin session (fresh verification) and an impersonation of `target` started from it. */
  async function impersonate(target: TestUser = member, extra: Record<string, unknown> = {}) {
    const admin = await t.signIn(platform.owner.email);
    const res = await start({ userId: target.id, reason: REASON, ...extra }, admin);
    expect(res.statusCode, res.body).toBe(200);
    return { admin, token: res.json().token as string, res };
  }

  it('validates the request', async () => {
    const before = await impersonationSessions();
    for (const payload of [
      {},
      { userId: member.id },
      { userId: member.id, reason: 'too short' },
      { userId: member.id, reason: '    short     ' },
      { userId: member.id, reason: REASON, minutes: 121 },
      { userId: member.id, reason: REASON, minutes: 0 },
      { userId: member.id, reason: REASON, minutes: 1.5 },
      { userId: 'not-a-uuid', reason: REASON },
      { userId: member.id, reason: 'x'.repeat(501) },
    ]) {
      const res = await start(payload, platform.owner.token);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    }
    expect(await impersonationSessions()).toBe(before);
  });

  it('refuses non-super-admins, API keys, yourself, other super admins, unknown or disabled users, foreign organizations and a stale verification', async () => {
    const before = await impersonationSessions();
    const expectError = async (
      res: Awaited<ReturnType<typeof start>>,
      status: number,
      code?: string,
    ): Promise<void> => {
      expect(res.statusCode, res.body).toBe(status);
      if (code) expect(res.json().error.code).toBe(code);
    };
    await expectError(await start({ userId: member.id, reason: REASON }), 401);
    await expectError(
      await start({ userId: member.id, reason: REASON }, tenant.owner.token),
      403,
      'SUPER_ADMIN_REQUIRED',
    );
    const key = await t.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      token: platform.owner.token,
      payload: { name: 'platform key', permissions: ['audit:read'] },
    });
    await expectError(await start({ userId: member.id, reason: REASON }, key.json().secret), 403);

    const admin = await t.signIn(platform.owner.email);
    await expectError(await start({ userId: platform.owner.id, reason: REASON }, admin), 400);
    const peer = await t.createOrganization('Peer platform', { superAdmin: true });
    await expectError(
      await start({ userId: peer.owner.id, reason: REASON }, admin),
      403,
      'IMPERSONATION_FORBIDDEN',
    );
    await expectError(await start({ userId: randomUUID(), reason: REASON }, admin), 404, 'USER_NOT_FOUND');

    const gone = await t.addMember(tenant, ['member']);
    const disabled = await t.inject({
      method: 'POST',
      url: `/api/v1/admin/users/${gone.id}/disable`,
      token: admin,
      payload: { reason: 'left the company' },
    });
    expect(disabled.statusCode).toBe(200);
    await expectError(await start({ userId: gone.id, reason: REASON }, admin), 404, 'USER_NOT_FOUND');

    for (const organizationId of [elsewhere.id, randomUUID()]) {
      await expectError(
        await start({ userId: member.id, organizationId, reason: REASON }, admin),
        404,
        'ORGANIZATION_NOT_FOUND',
      );
    }

    await t.expireStepUp(admin);
    const stale = await start({ userId: member.id, reason: REASON }, admin);
    await expectError(stale, 403, 'STEP_UP_REQUIRED');
    expect(stale.json().error.details).toEqual({ methods: ['password'] });
    expect(await impersonationSessions()).toBe(before);
  });

  it('acts as the user for 30 minutes by default, and /me says who is behind it', async () => {
    const startedAt = Date.now();
    const { admin, token, res } = await impersonate();
    expect(res.json()).toMatchObject({
      user: { id: member.id, email: member.email },
      organization: { id: tenant.id },
      token: expect.any(String),
    });
    const expiresAt = Date.parse(res.json().expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(startedAt + 30 * 60_000 - 5_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 30 * 60_000 + 5_000);

    const as = await me(token);
    expect(as.statusCode).toBe(200);
    expect(as.json()).toMatchObject({
      user: { id: member.id, email: member.email, isSuperAdmin: false },
      organization: { id: tenant.id },
      roles: ['member'],
      impersonation: {
        impersonator: { id: platform.owner.id, name: 'Platform Admin', email: platform.owner.email },
        reason: REASON,
        expiresAt: res.json().expiresAt,
      },
    });
    // Impersonation does not inherit the admin's verification.
    expect(as.json().session.stepUpUntil).toBeNull();
    // The admin's own session is untouched while it lasts.
    expect((await me(admin)).json()).toMatchObject({ user: { id: platform.owner.id }, impersonation: null });
    expect((await me(member.token)).json().impersonation).toBeNull();

    const long = await impersonate(member, { minutes: 120 });
    expect(Date.parse(long.res.json().expiresAt)).toBeGreaterThan(Date.now() + 119 * 60_000);
  });

  it('picks the organization asked for among the user’s own', async () => {
    const both = await t.addMember(tenant, ['member']);
    await t.addMember(elsewhere, ['auditor'], both.email);
    const { token } = await impersonate(both, { organizationId: elsewhere.id });
    expect((await me(token)).json()).toMatchObject({
      organization: { id: elsewhere.id },
      roles: ['auditor'],
    });
  });

  it('names the super admin on every audit event recorded during the impersonation', async () => {
    const { token, res } = await impersonate();
    const requestIds = [String(res.headers['x-request-id'])];
    const renamed = await t.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      token,
      payload: { name: 'Renamed Member' },
    });
    expect(renamed.statusCode).toBe(200);
    requestIds.push(String(renamed.headers['x-request-id']));
    const denied = await t.inject({
      method: 'POST',
      url: '/api/v1/me/password',
      token,
      payload: { currentPassword: PASSWORD, newPassword: 'an entirely new passphrase' },
    });
    expect(denied.statusCode).toBe(403);
    requestIds.push(String(denied.headers['x-request-id']));
    const stopped = await stop(token);
    expect(stopped.statusCode).toBe(200);
    requestIds.push(String(stopped.headers['x-request-id']));

    const events = (await t.auditEvents(tenant.id)).filter((e) => requestIds.includes(e.requestId ?? ''));
    expect(events.map((e) => e.action).sort()).toEqual(
      ['access.denied', 'impersonation.ended', 'impersonation.started', 'user.updated'].sort(),
    );
    for (const event of events) {
      expect(event.actor, event.action).toMatchObject({ type: 'user', id: member.id });
      expect(event.impersonator, event.action).toMatchObject({
        type: 'user',
        id: platform.owner.id,
        name: 'Platform Admin',
      });
    }
    expect(events.find((e) => e.action === 'impersonation.started')?.metadata).toMatchObject({
      reason: REASON,
      minutes: 30,
    });
    expect(events.find((e) => e.action === 'user.updated')?.changes).toMatchObject({
      name: [expect.any(String), 'Renamed Member'],
    });

    // The organization's own audit API shows it the same way.
    const api = await t.inject({ url: '/api/v1/audit/events?limit=200', token: tenant.owner.token });
    expect(api.statusCode).toBe(200);
    const updated = api
      .json()
      .events.find((e: { requestId: string | null }) => e.requestId === renamed.headers['x-request-id']);
    expect(updated).toMatchObject({ action: 'user.updated', impersonator: { id: platform.owner.id } });
    await t.db.updateTable('users').set({ name: 'Member Person' }).where('id', '=', member.id).execute();
  });

  it('forbids credential, factor and session changes of the impersonated user', async () => {
    const target = await t.addMember(tenant, ['member']);
    const enrolled = await t.enrollTotp(target.token);
    const ownToken = enrolled.token;
    const ownSession = (await t.inject({ url: '/api/v1/me/sessions', token: ownToken }))
      .json()
      .sessions.find((s: { current: boolean }) => s.current);
    const { token } = await impersonate(target);
    const hashBefore = await t.db
      .selectFrom('users')
      .select('passwordHash')
      .where('id', '=', target.id)
      .executeTakeFirst();

    const attempts: Array<{ method: 'POST' | 'PATCH' | 'DELETE'; url: string; payload?: unknown }> = [
      {
        method: 'POST',
        url: '/api/v1/me/password',
        payload: { currentPassword: PASSWORD, newPassword: 'an entirely new passphrase' },
      },
      { method: 'POST', url: '/api/v1/me/factors/totp', payload: { name: 'Admin phone' } },
      {
        method: 'POST',
        url: `/api/v1/me/factors/totp/${enrolled.factorId}/confirm`,
        payload: { code: '123456' },
      },
      { method: 'POST', url: '/api/v1/me/factors/passkeys/options' },
      {
        method: 'POST',
        url: '/api/v1/me/factors/passkeys',
        payload: {
          ceremony: 'c'.repeat(43),
          response: { id: 'abc', rawId: 'abc', type: 'public-key', response: {} },
        },
      },
      { method: 'PATCH', url: `/api/v1/me/factors/${enrolled.factorId}`, payload: { name: 'Mine now' } },
      { method: 'DELETE', url: `/api/v1/me/factors/${enrolled.factorId}` },
      { method: 'POST', url: '/api/v1/me/recovery-codes' },
      { method: 'DELETE', url: `/api/v1/me/sessions/${ownSession.id}` },
      { method: 'POST', url: '/api/v1/me/sessions/revoke-others' },
    ];
    const failures: string[] = [];
    for (const attempt of attempts) {
      const res = await t.inject({ ...attempt, token });
      const code = res.statusCode === 403 ? res.json().error.code : `${res.statusCode}`;
      if (code !== 'IMPERSONATION_FORBIDDEN') failures.push(`${attempt.method} ${attempt.url} → ${code}`);
    }
    expect(failures).toEqual([]);

    // Nothing changed: the user's own session, factor, recovery codes and password are as they were.
    expect((await me(ownToken)).statusCode).toBe(200);
    const security = (await t.inject({ url: '/api/v1/me/security', token: ownToken })).json();
    expect(security.factors).toMatchObject([{ id: enrolled.factorId, name: 'Phone' }]);
    expect(security.recoveryCodes.remaining).toBe(10);
    const hashAfter = await t.db
      .selectFrom('users')
      .select('passwordHash')
      .where('id', '=', target.id)
      .executeTakeFirst();
    expect(hashAfter).toEqual(hashBefore);
    // Reading is fine.
    expect((await t.inject({ url: '/api/v1/me/security', token })).statusCode).toBe(200);
  });

  it("shows the impersonation in the organization's session list, to that organization only", async () => {
    const { token } = await impersonate();
    const impersonated = (await me(token)).json().session.id;
    const list = await t.inject({ url: '/api/v1/sessions', token: tenant.owner.token });
    expect(list.statusCode).toBe(200);
    const sessions: Array<{ id: string; userId: string; impersonatedBy: string | null }> =
      list.json().sessions;
    expect(sessions.find((s) => s.id === impersonated)).toMatchObject({
      userId: member.id,
      impersonatedBy: 'Platform Admin',
    });
    // The member's own session is listed as theirs alone.
    const own = (await me(member.token)).json().session.id;
    expect(sessions.find((s) => s.id === own)).toMatchObject({ userId: member.id, impersonatedBy: null });

    const foreign = await t.inject({ url: '/api/v1/sessions', token: elsewhere.owner.token });
    expect(foreign.json().sessions.some((s: { id: string }) => s.id === impersonated)).toBe(false);
    const foreignMember = await t.inject({
      url: `/api/v1/sessions?userId=${member.id}`,
      token: elsewhere.owner.token,
    });
    expect(foreignMember.statusCode).toBe(404);
    const foreignRevoke = await t.inject({
      method: 'DELETE',
      url: `/api/v1/sessions/${impersonated}`,
      token: elsewhere.owner.token,
    });
    expect(foreignRevoke.statusCode).toBe(404);
    expect((await me(token)).statusCode).toBe(200);
  });

  it('stop ends the impersonation and hands back the admin session with a new token', async () => {
    const { admin, token } = await impersonate();
    for (const normal of [admin, member.token]) {
      const res = await stop(normal);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('IMPERSONATION_NOT_ACTIVE');
    }
    const res = await stop(token);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ user: { id: platform.owner.id }, token: expect.any(String) });
    const fresh = res.json().token;
    expect(fresh).not.toBe(admin);
    expect((await me(token)).statusCode).toBe(401);
    expect((await me(admin)).statusCode).toBe(401);
    const back = await me(fresh);
    expect(back.statusCode).toBe(200);
    expect(back.json()).toMatchObject({ user: { id: platform.owner.id }, impersonation: null });
    expect((await stop(token)).statusCode).toBe(401);
    const ended = (await t.auditEvents(tenant.id)).find(
      (e) => e.action === 'impersonation.ended' && e.requestId === res.headers['x-request-id'],
    );
    expect(ended).toMatchObject({ actor: { id: member.id }, impersonator: { id: platform.owner.id } });
  });

  it('cannot be nested, and ends with its lifetime', async () => {
    const { token } = await impersonate();
    const nested = await start({ userId: member.id, reason: REASON }, token);
    expect(nested.statusCode).toBe(403);
    await t.db
      .updateTable('sessions')
      .set({ expiresAt: new Date(Date.now() - 1000).toISOString() })
      .where('tokenHash', '=', hashToken(token))
      .execute();
    expect((await me(token)).statusCode).toBe(401);
  });

  it("stop does not hand back the admin's session when it is over", async () => {
    // Signed out meanwhile.
    const first = await impersonate();
    expect(
      (await t.inject({ method: 'POST', url: '/api/v1/auth/sign-out', token: first.admin })).statusCode,
    ).toBe(200);
    const res1 = await stop(first.token);
    expect(res1.statusCode).toBe(401);
    expect((await me(first.token)).statusCode).toBe(401);

    // Idle past the timeout while the admin was busy as the user: the token it would hand back is dead.
    const second = await impersonate();
    await t.db
      .updateTable('sessions')
      .set({ lastSeenAt: new Date(Date.now() - 3 * 3_600_000).toISOString() })
      .where('tokenHash', '=', hashToken(second.admin))
      .execute();
    const res2 = await stop(second.token);
    if (res2.statusCode === 200) {
      // If a token is handed back, it must work.
      expect((await me(res2.json().token)).statusCode).toBe(200);
    }
    expect(res2.statusCode).toBe(401);
    expect((await me(second.token)).statusCode).toBe(401);
  });

  it('disabling the impersonated user ends the impersonation', async () => {
    const target = await t.addMember(tenant, ['member']);
    const { admin, token } = await impersonate(target);
    const res = await t.inject({
      method: 'POST',
      url: `/api/v1/admin/users/${target.id}/disable`,
      token: admin,
      payload: { reason: 'compromised' },
    });
    expect(res.statusCode).toBe(200);
    expect((await me(token)).statusCode).toBe(401);
  });

  it('disabling the impersonating super admin ends the impersonation too', async () => {
    const rogue = await t.createOrganization('Rogue platform', { superAdmin: true });
    const started = await start({ userId: member.id, reason: REASON }, rogue.owner.token);
    expect(started.statusCode).toBe(200);
    const token = started.json().token;
    const res = await t.inject({
      method: 'POST',
      url: `/api/v1/admin/users/${rogue.owner.id}/disable`,
      token: await t.signIn(platform.owner.email),
      payload: { reason: 'account taken over' },
    });
    expect(res.statusCode).toBe(200);
    expect((await me(rogue.owner.token)).statusCode).toBe(401);
    expect((await me(token)).statusCode).toBe(401);
  });

  it('a password reset of the impersonating super admin ends the impersonation too', async () => {
    const helper = await t.createOrganization('Helper platform', { superAdmin: true });
    const started = await start({ userId: member.id, reason: REASON }, helper.owner.token);
    expect(started.statusCode).toBe(200);
    const token = started.json().token;
    expect(
      (
        await t.inject({
          method: 'POST',
          url: '/api/v1/auth/password-reset/request',
          payload: { email: helper.owner.email },
        })
      ).statusCode,
    ).toBe(200);
    let link: string | undefined;
    for (let i = 0; i < 100 && !link; i++) {
      const row = await t.db
        .selectFrom('outbox')
        .select('bodyText')
        .where('recipient', '=', helper.owner.email)
        .where('subject', '=', 'Reset your Custos password')
        .executeTakeFirst();
      link = /#token=([A-Za-z0-9_-]+)/.exec(row?.bodyText ?? '')?.[1];
      if (!link) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(link).toEqual(expect.any(String));
    const done = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/password-reset/complete',
      payload: { token: link, newPassword: 'a brand new helper passphrase' },
    });
    expect(done.statusCode).toBe(200);
    expect((await me(helper.owner.token)).statusCode).toBe(401);
    expect((await me(token)).statusCode).toBe(401);
  });

  it("the impersonating super admin's own password change ends the impersonation too", async () => {
    const changer = await t.createOrganization('Changer platform', { superAdmin: true });
    const started = await start({ userId: member.id, reason: REASON }, changer.owner.token);
    expect(started.statusCode).toBe(200);
    const token = started.json().token;
    const changed = await t.inject({
      method: 'POST',
      url: '/api/v1/me/password',
      token: changer.owner.token,
      payload: { currentPassword: PASSWORD, newPassword: 'a brand new changer passphrase' },
    });
    expect(changed.statusCode).toBe(200);
    // "Ends your other sessions" must include the sessions opened on this password's authority.
    expect((await me(token)).statusCode).toBe(401);
  });

  it('cookie flow: start switches the cookie to the impersonation, stop switches it back with a new one', async () => {
    const signIn = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: platform.owner.email, password: PASSWORD },
    });
    const adminCookie = cookieValue(signIn.headers['set-cookie'], SESSION_COOKIE) ?? '';
    expect(adminCookie).not.toBe('');

    const noCsrf = await t.inject({
      method: 'POST',
      url: '/api/v1/impersonation',
      cookies: { [SESSION_COOKIE]: adminCookie },
      payload: { userId: member.id, reason: REASON },
    });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().error.code).toBe('CSRF_TOKEN_INVALID');

    const started = await t.inject({
      method: 'POST',
      url: '/api/v1/impersonation',
      cookies: { [SESSION_COOKIE]: adminCookie },
      headers: { 'x-csrf-token': csrfTokenFor(adminCookie) },
      payload: { userId: member.id, reason: REASON },
    });
    expect(started.statusCode).toBe(200);
    expect(started.json().token).toBeUndefined();
    const impCookie = cookieValue(started.headers['set-cookie'], SESSION_COOKIE) ?? '';
    expect(impCookie).not.toBe('');
    expect(impCookie).not.toBe(adminCookie);
    expect(cookieValue(started.headers['set-cookie'], CSRF_COOKIE)).toBe(csrfTokenFor(impCookie));
    const as = await t.inject({ url: '/api/v1/me', cookies: { [SESSION_COOKIE]: impCookie } });
    expect(as.json()).toMatchObject({ user: { id: member.id }, impersonation: { reason: REASON } });

    const stopped = await t.inject({
      method: 'POST',
      url: '/api/v1/impersonation/stop',
      cookies: { [SESSION_COOKIE]: impCookie },
      headers: { 'x-csrf-token': csrfTokenFor(impCookie) },
    });
    expect(stopped.statusCode).toBe(200);
    expect(stopped.json().token).toBeUndefined();
    const backCookie = cookieValue(stopped.headers['set-cookie'], SESSION_COOKIE) ?? '';
    expect(backCookie).not.toBe('');
    expect(backCookie).not.toBe(adminCookie);
    const back = await t.inject({ url: '/api/v1/me', cookies: { [SESSION_COOKIE]: backCookie } });
    expect(back.json()).toMatchObject({ user: { id: platform.owner.id }, impersonation: null });
    expect((await t.inject({ url: '/api/v1/me', cookies: { [SESSION_COOKIE]: impCookie } })).statusCode).toBe(
      401,
    );
    expect(
      (await t.inject({ url: '/api/v1/me', cookies: { [SESSION_COOKIE]: adminCookie } })).statusCode,
    ).toBe(401);
  });

  // Last: it signs the super admin out everywhere, which the other cases' shared token would not survive.
  it('stays in its organization and ends with the super admin who started it (review findings)', async () => {
    const second = await t.createOrganization('Second home');
    const invited = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      token: second.owner.token,
      payload: { email: member.email, roles: ['member'] },
    });
    const inviteToken = new URL(invited.json().inviteUrl).hash.replace('#token=', '');
    await t.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token: inviteToken, password: PASSWORD, tokenType: 'bearer' },
    });
    const { token } = await impersonate(member);
    const switched = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/switch-organization',
      token,
      payload: { organizationId: second.id },
    });
    expect(switched.statusCode).toBe(403);
    expect(switched.json().error.code).toBe('IMPERSONATION_FORBIDDEN');
    expect((await me(token)).json().organization.id).toBe(tenant.id);

    // "Sign out everywhere else" by the super admin ends the impersonation left running.
    const fromLaptop = await impersonate(member);
    const elsewhereAdmin = await t.signIn(platform.owner.email);
    const others = await t.inject({
      method: 'POST',
      url: '/api/v1/me/sessions/revoke-others',
      token: elsewhereAdmin,
    });
    expect(others.statusCode).toBe(200);
    expect((await me(fromLaptop.token)).statusCode).toBe(401);

    // Signing out does too.
    const again = await impersonate(member);
    expect(
      (await t.inject({ method: 'POST', url: '/api/v1/auth/sign-out', token: again.admin })).statusCode,
    ).toBe(200);
    expect((await me(again.token)).statusCode).toBe(401);

    // And it never outlives the super admin's own session.
    const admin = await t.signIn(platform.owner.email);
    const soon = new Date(Date.now() + 5 * 60_000).toISOString();
    await t.db
      .updateTable('sessions')
      .set({ expiresAt: soon })
      .where('tokenHash', '=', hashToken(admin))
      .execute();
    const capped = await start({ userId: member.id, reason: REASON, minutes: 60 }, admin);
    expect(capped.statusCode).toBe(200);
    expect(Date.parse(capped.json().expiresAt)).toBeLessThanOrEqual(Date.parse(soon));
  });
});
