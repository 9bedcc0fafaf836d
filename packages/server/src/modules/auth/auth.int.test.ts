import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, PASSWORD, type TestApp, type TestOrg } from '../../../test/harness';
import { hashToken } from '../../platform/crypto/tokens';
import { CSRF_COOKIE, csrfTokenFor, SESSION_COOKIE } from '../../platform/http/session-cookies';

function cookieValue(setCookie: string | string[] | undefined, name: string): string | undefined {
  const list = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  const line = list.find((c) => c.startsWith(`${name}=`));
  return line?.split(';')[0]?.slice(name.length + 1);
}

describe.each(backends)('sign-in and sessions (%s)', (backend) => {
  let t: TestApp;
  let org: TestOrg;

  beforeAll(async () => {
    t = await createTestApp(backend);
    org = await t.createOrganization('Acme');
  });
  afterAll(() => t.close());

  it('signs in with a bearer token and answers /me with roles and permissions', async () => {
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: org.owner.email.toUpperCase(), password: PASSWORD, tokenType: 'bearer' },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits, base64url
    expect(res.headers['set-cookie']).toBeUndefined();
    const me = await t.inject({ url: '/api/v1/me', token: body.token });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      user: { email: org.owner.email },
      organization: { id: org.id, name: 'Acme' },
      roles: ['owner'],
    });
    expect(me.json().permissions).toContain('members:manage');
    const event = await t.lastAuditEvent(org.id);
    expect(event).toMatchObject({
      action: 'user.signed_in',
      outcome: 'success',
      actor: { type: 'user', id: org.owner.id },
    });
  });

  it('stores only a hash of the session token', async () => {
    const token = await t.signIn(org.owner.email);
    const raw = await t.db.selectFrom('sessions').select('tokenHash').execute();
    expect(raw.some((r) => r.tokenHash === token)).toBe(false);
    expect(raw.some((r) => r.tokenHash === hashToken(token))).toBe(true);
  });

  it('answers the same for an unknown e-mail and a wrong password, and audits both', async () => {
    const before = await t.count('auditEvents');
    const unknown = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: 'nobody@example.com', password: 'whatever whatever' },
    });
    const wrong = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: org.owner.email, password: 'not the password at all' },
    });
    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    expect(unknown.json()).toEqual(wrong.json());
    expect(wrong.json().error.code).toBe('INVALID_CREDENTIALS');
    expect(await t.count('auditEvents')).toBe(before + 2);
    const event = await t.lastAuditEvent(org.id);
    expect(event).toMatchObject({
      action: 'user.sign_in_failed',
      outcome: 'failure',
      metadata: { reason: 'bad_password' },
    });
  });

  it('rejects malformed sign-in bodies with VALIDATION_FAILED and writes nothing', async () => {
    const before = await t.count('sessions');
    for (const payload of [
      {},
      { email: 'not-an-email', password: 'x' },
      { email: 'a@b.co', password: 5 },
      { email: 'a@b.co', password: 'x', tokenType: 'jwt' },
    ]) {
      const res = await t.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
      expect(Array.isArray(res.json().error.details)).toBe(true);
    }
    const notJson = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: 'email=a',
      headers: { 'content-type': 'text/plain' },
    });
    expect(notJson.statusCode).toBe(415);
    expect(notJson.json().error.code).toBe('BAD_REQUEST');
    expect(await t.count('sessions')).toBe(before);
  });

  it('signs in to a named organization and refuses one the user is not a member of', async () => {
    const other = await t.createOrganization('Other Co');
    const ok = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: org.owner.email, password: PASSWORD, organization: org.id },
    });
    expect(ok.statusCode).toBe(200);
    const refused = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: org.owner.email, password: PASSWORD, organization: other.id },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('NO_ORGANIZATION');
  });

  it('cookie flow: HttpOnly session cookie, no token in the body, CSRF required for mutations', async () => {
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: org.owner.email, password: PASSWORD },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().token).toBeUndefined();
    const setCookie = res.headers['set-cookie'];
    const lines = Array.isArray(setCookie) ? setCookie : [String(setCookie)];
    const sessionLine = lines.find((l) => l.startsWith(`${SESSION_COOKIE}=`)) ?? '';
    expect(sessionLine).toMatch(/HttpOnly/);
    expect(sessionLine).toMatch(/SameSite=Lax/);
    const csrfLine = lines.find((l) => l.startsWith(`${CSRF_COOKIE}=`)) ?? '';
    expect(csrfLine).not.toMatch(/HttpOnly/);
    const session = cookieValue(setCookie, SESSION_COOKIE) ?? '';
    const csrf = cookieValue(setCookie, CSRF_COOKIE) ?? '';
    expect(csrf).toBe(csrfTokenFor(session));

    const me = await t.inject({ url: '/api/v1/me', cookies: { [SESSION_COOKIE]: session } });
    expect(me.statusCode).toBe(200);

    const noCsrf = await t.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      cookies: { [SESSION_COOKIE]: session },
      payload: { name: 'Forged' },
    });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().error.code).toBe('CSRF_TOKEN_INVALID');
    const wrongCsrf = await t.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      cookies: { [SESSION_COOKIE]: session },
      headers: { 'x-csrf-token': csrfTokenFor('another-session') },
      payload: { name: 'Forged' },
    });
    expect(wrongCsrf.statusCode).toBe(403);
    const ok = await t.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      cookies: { [SESSION_COOKIE]: session },
      headers: { 'x-csrf-token': csrf },
      payload: { name: 'Real Owner' },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().user.name).toBe('Real Owner');
    const event = await t.lastAuditEvent(org.id);
    expect(event).toMatchObject({
      action: 'user.updated',
      source: 'console',
      changes: { name: ['Owner Person', 'Real Owner'] },
    });

    const out = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-out',
      cookies: { [SESSION_COOKIE]: session },
      headers: { 'x-csrf-token': csrf },
    });
    expect(out.statusCode).toBe(200);
    const after = await t.inject({ url: '/api/v1/me', cookies: { [SESSION_COOKIE]: session } });
    expect(after.statusCode).toBe(401);
  });

  it('sign-out ends the bearer session at once and is audited', async () => {
    const token = await t.signIn(org.owner.email);
    const out = await t.inject({ method: 'POST', url: '/api/v1/auth/sign-out', token });
    expect(out.statusCode).toBe(200);
    expect((await t.lastAuditEvent(org.id))?.action).toBe('user.signed_out');
    const me = await t.inject({ url: '/api/v1/me', token });
    expect(me.statusCode).toBe(401);
    expect(me.json().error.code).toBe('UNAUTHENTICATED');
  });

  it('rejects garbage and expired tokens', async () => {
    expect((await t.inject({ url: '/api/v1/me', token: 'nope' })).statusCode).toBe(401);
    expect((await t.inject({ url: '/api/v1/me', headers: { authorization: 'Basic abc' } })).statusCode).toBe(
      401,
    );
    const token = await t.signIn(org.owner.email);
    await t.db
      .updateTable('sessions')
      .set({ expiresAt: '2000-01-01T00:00:00.000Z' })
      .where('tokenHash', '=', hashToken(token))
      .execute();
    expect((await t.inject({ url: '/api/v1/me', token })).statusCode).toBe(401);
    expect((await t.inject({ method: 'POST', url: '/api/v1/auth/sign-out' })).statusCode).toBe(401);
  });

  it('switches between organizations the user belongs to, not others', async () => {
    const second = await t.createOrganization('Second');
    const member = await t.addMember(second, ['auditor'], org.owner.email);
    expect(member.id).toBe(org.owner.id);
    const first = await t.signIn(org.owner.email, PASSWORD, org.id);
    const switched = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/switch-organization',
      token: first,
      payload: { organizationId: second.id },
    });
    expect(switched.statusCode).toBe(200);
    // A privilege change renews the session's token: the old one no longer works.
    const token = switched.json().token;
    expect(token).toEqual(expect.any(String));
    expect((await t.inject({ url: '/api/v1/me', token: first })).statusCode).toBe(401);
    expect((await t.inject({ url: '/api/v1/me', token })).json().organization.id).toBe(second.id);
    expect(switched.json()).toMatchObject({ organization: { id: second.id }, roles: ['auditor'] });
    expect(switched.json().organizations).toHaveLength(2);
    expect((await t.lastAuditEvent(second.id))?.action).toBe('user.organization_switched');
    const stranger = await t.createOrganization('Stranger');
    const denied = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/switch-organization',
      token,
      payload: { organizationId: stranger.id },
    });
    expect(denied.statusCode).toBe(404);
    expect(denied.json().error.code).toBe('ORGANIZATION_NOT_FOUND');
    const bad = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/switch-organization',
      token,
      payload: { organizationId: 'x' },
    });
    expect(bad.statusCode).toBe(400);
    const viaKey = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/switch-organization',
      payload: { organizationId: second.id },
    });
    expect(viaKey.statusCode).toBe(401);
  });

  it('changes the password with the current one, enforces the policy, and ends other sessions', async () => {
    const o = await t.createOrganization('Pw');
    const changePassword = (payload: { currentPassword: string; newPassword: string }) =>
      t.inject({ method: 'POST', url: '/api/v1/me/password', token: o.owner.token, payload });
    const other = await t.signIn(o.owner.email);
    const wrong = await changePassword({
      currentPassword: 'wrong wrong wrong',
      newPassword: 'a brand new long passphrase',
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.code).toBe('PASSWORD_INCORRECT');
    const short = await changePassword({ currentPassword: PASSWORD, newPassword: 'short' });
    expect(short.json().error.code).toBe('PASSWORD_TOO_SHORT');
    const common = await changePassword({ currentPassword: PASSWORD, newPassword: 'passwordpassword' });
    expect(common.json().error.code).toBe('PASSWORD_TOO_COMMON');
    const ok = await changePassword({
      currentPassword: PASSWORD,
      newPassword: 'a brand new long passphrase',
    });
    expect(ok.statusCode).toBe(200);
    expect((await t.lastAuditEvent(o.id))?.action).toBe('user.password_changed');
    // The current session stays (the default) with a new token; the old token and other sessions end.
    expect((await t.inject({ url: '/api/v1/me', token: o.owner.token })).statusCode).toBe(401);
    expect((await t.inject({ url: '/api/v1/me', token: ok.json().token })).statusCode).toBe(200);
    expect((await t.inject({ url: '/api/v1/me', token: other })).statusCode).toBe(401);
    await expect(t.signIn(o.owner.email)).rejects.toThrow();
    await expect(t.signIn(o.owner.email, 'a brand new long passphrase')).resolves.toBeTruthy();
  });

  it('validates profile updates and writes nothing on bad input', async () => {
    const before = await t.count('auditEvents');
    const res = await t.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      token: org.owner.token,
      payload: { name: '' },
    });
    expect(res.statusCode).toBe(400);
    expect(await t.count('auditEvents')).toBe(before);
    expect((await t.inject({ method: 'PATCH', url: '/api/v1/me', payload: { name: 'x' } })).statusCode).toBe(
      401,
    );
  });
});

describe.each(backends)('sign-in rate limits (%s)', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend, {
      config: { CUSTOS_SIGN_IN_LIMIT_PER_ACCOUNT: '3', CUSTOS_SIGN_IN_LIMIT_PER_IP: '5' },
    });
  });
  afterAll(() => t.close());

  it('limits attempts per account and per IP with 429 and Retry-After', async () => {
    const attempt = (email: string, ip: string) =>
      t.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        remoteAddress: ip,
        payload: { email, password: 'wrong password here' },
      });
    for (let i = 0; i < 3; i++)
      expect((await attempt('victim@example.com', `10.0.0.${i + 1}`)).statusCode).toBe(401);
    const limited = await attempt('victim@example.com', '10.0.0.9');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) await attempt(`spray${i}@example.com`, '10.9.9.9');
    expect((await attempt('fresh@example.com', '10.9.9.9')).statusCode).toBe(429);
  });
});
