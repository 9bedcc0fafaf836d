import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, PASSWORD, type TestApp, type TestOrg } from '../../../test/harness';
import { SoftAuthenticator } from '../../../test/soft-authenticator';
import { hashToken } from '../../platform/crypto/tokens';
import { CSRF_COOKIE, csrfTokenFor, SESSION_COOKIE } from '../../platform/http/session-cookies';
import { totpCodeAt } from '../mfa';

const ORIGIN = 'http://custos.test';
/** The next step's code: the one after the step that confirmed the app, not used yet. */
const nextCode = (secret: string) => totpCodeAt(secret, Date.now() + 30_000);

function cookieValue(setCookie: string | string[] | undefined, name: string): string | undefined {
  const list = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  const line = list.find((c) => c.startsWith(`${name}=`));
  return line?.split(';')[0]?.slice(name.length + 1);
}

type Method = 'GET' | 'POST' | 'PATCH';
interface Sensitive {
  name: string;
  method: Method;
  url: string;
  payload?: unknown;
  ok: number;
}

describe.each(backends)('step-up (%s)', (backend) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(backend);
  });
  afterAll(() => t.close());

  const me = (token: string) => t.inject({ url: '/api/v1/me', token });
  const stepUp = (token: string, payload: unknown) =>
    t.inject({ method: 'POST', url: '/api/v1/auth/step-up', token, payload });
  const stepUpAtOf = async (token: string) =>
    (
      await t.db
        .selectFrom('sessions')
        .select('stepUpAt')
        .where('tokenHash', '=', hashToken(token))
        .executeTakeFirstOrThrow()
    ).stepUpAt;

  /** The sensitive actions of an organization, each with a body that would succeed. */
  function sensitiveActions(org: TestOrg, memberId: string): Sensitive[] {
    return [
      {
        name: 'create an API key',
        method: 'POST',
        url: '/api/v1/api-keys',
        payload: { name: 'deploy', permissions: ['audit:read'] },
        ok: 201,
      },
      {
        name: "change a member's roles",
        method: 'PATCH',
        url: `/api/v1/members/${memberId}`,
        payload: { roles: ['admin'] },
        ok: 200,
      },
      {
        name: 'change the security policy',
        method: 'PATCH',
        url: '/api/v1/security/policy',
        payload: { idleTimeoutMinutes: 60 },
        ok: 200,
      },
      { name: 'export the audit trail', method: 'GET', url: '/api/v1/audit/export?format=jsonl', ok: 200 },
      {
        name: 'erase a data subject',
        method: 'POST',
        url: '/api/v1/audit/subjects/erase',
        payload: { subject: `gone-${org.id}@example.com` },
        ok: 200,
      },
      {
        name: 'start adding an authenticator app',
        method: 'POST',
        url: '/api/v1/me/factors/totp',
        payload: { name: 'Phone' },
        ok: 201,
      },
      {
        name: 'sign out everywhere else',
        method: 'POST',
        url: '/api/v1/me/sessions/revoke-others',
        ok: 200,
      },
    ];
  }

  it('GET /me shows the step-up window right after sign-in, and null once it is over', async () => {
    const org = await t.createOrganization('Window');
    const token = await t.signIn(org.owner.email);
    const session = (await me(token)).json().session;
    expect(session.stepUpUntil).toEqual(expect.any(String));
    const stepUpAt = await stepUpAtOf(token);
    // The organization's default window: fifteen minutes from the sign-in.
    expect(Date.parse(session.stepUpUntil) - Date.parse(stepUpAt ?? '')).toBe(15 * 60_000);
    const security = await t.inject({ url: '/api/v1/me/security', token });
    expect(security.json().stepUpUntil).toBe(session.stepUpUntil);
    await t.expireStepUp(token);
    expect((await me(token)).json().session.stepUpUntil).toBeNull();
    expect((await t.inject({ url: '/api/v1/me/security', token })).json().stepUpUntil).toBeNull();
  });

  it('sensitive actions need a step-up; the password does it for a user without factors', async () => {
    const org = await t.createOrganization('Sensitive');
    const member = await t.addMember(org, ['auditor']);
    const token = await t.signIn(org.owner.email);
    await t.expireStepUp(token);
    const actions = sensitiveActions(org, member.id);
    const keysBefore = await t.count('apiKeys');
    const factorsBefore = await t.count('mfaFactors');
    for (const action of actions) {
      const res = await t.inject({ method: action.method, url: action.url, token, payload: action.payload });
      expect(res.statusCode, action.name).toBe(403);
      expect(res.json().error.code, action.name).toBe('STEP_UP_REQUIRED');
      expect(res.json().error.details.methods, action.name).toEqual(['password']);
      // Issue 17: a "confirm it's you" prompt is its own action, not a denial of access.
      expect(await t.lastAuditEvent(org.id), action.name).toMatchObject({
        action: 'user.step_up_challenged',
        outcome: 'success',
        actor: { id: org.owner.id },
        targets: [{ type: 'user', id: org.owner.id }],
        metadata: { method: action.method },
      });
    }
    // Nothing happened.
    expect(await t.count('apiKeys')).toBe(keysBefore);
    expect(await t.count('mfaFactors')).toBe(factorsBefore);
    const members = (await t.inject({ url: '/api/v1/members', token })).json().members;
    expect(members.find((m: { userId: string }) => m.userId === member.id)?.roles).toEqual(['auditor']);
    expect((await t.inject({ url: '/api/v1/security/policy', token })).json().idleTimeoutMinutes).toBe(30);

    const options = await t.inject({ url: '/api/v1/auth/step-up/options', token });
    expect(options.json()).toEqual({ methods: ['password'], passkey: null });
    const res = await stepUp(token, { method: 'password', password: PASSWORD });
    expect(res.statusCode).toBe(200);
    const { stepUpUntil, token: renewed } = res.json();
    expect(Date.parse(stepUpUntil)).toBeGreaterThan(Date.now());
    expect(renewed).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The token was renewed: the old one is dead, the new one carries the step-up.
    expect((await me(token)).statusCode).toBe(401);
    expect((await me(renewed)).json().session.stepUpUntil).toBe(stepUpUntil);
    expect(await t.lastAuditEvent(org.id)).toMatchObject({
      action: 'user.stepped_up',
      actor: { id: org.owner.id },
      metadata: { method: 'password' },
    });
    for (const action of actions) {
      const ok = await t.inject({
        method: action.method,
        url: action.url,
        token: renewed,
        payload: action.payload,
      });
      expect(ok.statusCode, `${action.name}: ${ok.body.slice(0, 200)}`).toBe(action.ok);
    }
    expect(await t.count('apiKeys')).toBe(keysBefore + 1);
  });

  it('a wrong password is refused and audited', async () => {
    const org = await t.createOrganization('Wrong password');
    await t.expireStepUp(org.owner.token);
    const res = await stepUp(org.owner.token, { method: 'password', password: 'not the password at all' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('PASSWORD_INCORRECT');
    expect(await t.lastAuditEvent(org.id)).toMatchObject({
      action: 'user.step_up_failed',
      outcome: 'failure',
      actor: { id: org.owner.id },
      metadata: { method: 'password', reason: 'PASSWORD_INCORRECT' },
    });
    // Still the same token, still not stepped up.
    expect((await me(org.owner.token)).json().session.stepUpUntil).toBeNull();
    expect(await stepUpAtOf(org.owner.token)).toBeNull();
    // Without a factor, a factor proof is no way to step up.
    const noFactor = await stepUp(org.owner.token, { method: 'totp', code: '123456' });
    expect(noFactor.statusCode).toBe(400);
    expect(noFactor.json().error.code).toBe('MFA_METHOD_UNAVAILABLE');
    const bad = await stepUp(org.owner.token, { method: 'password' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
    const anonymous = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/step-up',
      payload: { method: 'password', password: PASSWORD },
    });
    expect(anonymous.statusCode).toBe(401);
  });

  it('a user with a factor steps up with it, not with the password', async () => {
    const org = await t.createOrganization('Factor');
    const { secret, token, recoveryCodes } = await t.enrollTotp(org.owner.token);
    await t.expireStepUp(token);
    const denied = await t.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      token,
      payload: { name: 'deploy', permissions: ['audit:read'] },
    });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.code).toBe('STEP_UP_REQUIRED');
    expect(denied.json().error.details.methods).toEqual(expect.arrayContaining(['totp', 'recovery_code']));
    expect(denied.json().error.details.methods).not.toContain('password');

    const options = await t.inject({ url: '/api/v1/auth/step-up/options', token });
    expect(options.json()).toEqual({ methods: ['totp', 'recovery_code'], passkey: null });
    const password = await stepUp(token, { method: 'password', password: PASSWORD });
    expect(password.statusCode).toBe(400);
    expect(password.json().error.code).toBe('MFA_METHOD_UNAVAILABLE');
    expect(await t.lastAuditEvent(org.id)).toMatchObject({
      action: 'user.step_up_failed',
      metadata: { method: 'password', reason: 'MFA_METHOD_UNAVAILABLE' },
    });
    const wrong = await stepUp(token, { method: 'totp', code: totpCodeAt(secret, Date.now() - 10 * 60_000) });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.code).toBe('MFA_CODE_INVALID');
    expect(await t.lastAuditEvent(org.id)).toMatchObject({
      action: 'user.step_up_failed',
      metadata: { method: 'totp', reason: 'MFA_CODE_INVALID' },
    });

    const code = nextCode(secret);
    const res = await stepUp(token, { method: 'totp', code });
    expect(res.statusCode).toBe(200);
    const renewed = res.json().token;
    expect((await me(token)).statusCode).toBe(401);
    expect((await me(renewed)).json().session.stepUpUntil).toEqual(expect.any(String));
    expect(await t.lastAuditEvent(org.id)).toMatchObject({
      action: 'user.stepped_up',
      metadata: { method: 'totp' },
    });
    const created = await t.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      token: renewed,
      payload: { name: 'after step-up', permissions: ['audit:read'] },
    });
    expect(created.statusCode).toBe(201);

    // The code is spent: the same code does not step up again.
    await t.expireStepUp(renewed);
    const replay = await stepUp(renewed, { method: 'totp', code });
    expect(replay.statusCode).toBe(400);
    expect(replay.json().error.code).toBe('MFA_CODE_INVALID');
    // A recovery code does, once, and says so.
    const recovered = await stepUp(renewed, { method: 'recovery_code', code: recoveryCodes[0] });
    expect(recovered.statusCode).toBe(200);
    const events = await t.auditEvents(org.id, 2);
    expect(events.map((e) => e.action).sort()).toEqual(['mfa.recovery_code_used', 'user.stepped_up']);
    await t.expireStepUp(recovered.json().token);
    const again = await stepUp(recovered.json().token, { method: 'recovery_code', code: recoveryCodes[0] });
    expect(again.statusCode).toBe(400);
  });

  it('the step-up answer names the methods the user actually has', async () => {
    // A user with only an authenticator app cannot step up with a passkey: details must not offer one.
    const org = await t.createOrganization('Methods');
    const { token } = await t.enrollTotp(org.owner.token);
    await t.expireStepUp(token);
    const denied = await t.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      token,
      payload: { name: 'deploy', permissions: ['audit:read'] },
    });
    expect(denied.statusCode).toBe(403);
    const offered = (await t.inject({ url: '/api/v1/auth/step-up/options', token })).json().methods;
    expect(denied.json().error.details.methods).toEqual(offered);
  });

  it('steps up with a passkey through the step-up options', async () => {
    const org = await t.createOrganization('Passkey step-up');
    const authenticator = new SoftAuthenticator({ origin: ORIGIN });
    const opened = await t.inject({
      method: 'POST',
      url: '/api/v1/me/factors/passkeys/options',
      token: org.owner.token,
    });
    const added = await t.inject({
      method: 'POST',
      url: '/api/v1/me/factors/passkeys',
      token: org.owner.token,
      payload: { ceremony: opened.json().ceremony, response: authenticator.register(opened.json().options) },
    });
    expect(added.statusCode).toBe(201);
    const token: string = added.json().token;
    await t.expireStepUp(token);

    // Without options first there is no ceremony to answer.
    const blind = await stepUp(token, {
      method: 'passkey',
      response: authenticator.authenticate({ challenge: 'AAAA' }),
    });
    expect(blind.statusCode).toBe(400);
    expect(blind.json().error.code).toBe('PASSKEY_CEREMONY_INVALID');

    const options = await t.inject({ url: '/api/v1/auth/step-up/options', token });
    expect(options.statusCode).toBe(200);
    expect(options.json().methods).toEqual(['passkey', 'recovery_code']);
    const request = options.json().passkey;
    expect(request.allowCredentials.map((c: { id: string }) => c.id)).toEqual(authenticator.credentialIds());
    const response = authenticator.authenticate(request);
    const res = await stepUp(token, { method: 'passkey', response });
    expect(res.statusCode).toBe(200);
    const renewed = res.json().token;
    expect((await me(renewed)).json().session.stepUpUntil).toEqual(expect.any(String));
    expect(await t.lastAuditEvent(org.id)).toMatchObject({
      action: 'user.stepped_up',
      metadata: { method: 'passkey' },
    });
    // The ceremony is used up: the same answer does not step up twice.
    await t.expireStepUp(renewed);
    const replay = await stepUp(renewed, { method: 'passkey', response });
    expect(replay.statusCode).toBe(400);
    expect(replay.json().error.code).toBe('PASSKEY_CEREMONY_INVALID');
  });

  /** An organization whose owner has one passkey; the owner's session token after adding it. */
  async function passkeyOwner(name: string, authenticator = new SoftAuthenticator({ origin: ORIGIN })) {
    const org = await t.createOrganization(name);
    const opened = await t.inject({
      method: 'POST',
      url: '/api/v1/me/factors/passkeys/options',
      token: org.owner.token,
    });
    const added = await t.inject({
      method: 'POST',
      url: '/api/v1/me/factors/passkeys',
      token: org.owner.token,
      payload: { ceremony: opened.json().ceremony, response: authenticator.register(opened.json().options) },
    });
    expect(added.statusCode).toBe(201);
    return { org, authenticator, token: added.json().token as string };
  }

  it('any open step-up ceremony of the session can be answered, not only the newest', async () => {
    const { authenticator, token } = await passkeyOwner('Two prompts');
    await t.expireStepUp(token);
    // Options asked for twice (a second tab, a re-render); the user answers the first prompt.
    const first = (await t.inject({ url: '/api/v1/auth/step-up/options', token })).json().passkey;
    const second = (await t.inject({ url: '/api/v1/auth/step-up/options', token })).json().passkey;
    expect(second.challenge).not.toBe(first.challenge);
    const res = await stepUp(token, { method: 'passkey', response: authenticator.authenticate(first) });
    expect(res.statusCode).toBe(200);
    await t.expireStepUp(res.json().token);
    const later = await stepUp(res.json().token, {
      method: 'passkey',
      response: authenticator.authenticate(second),
    });
    expect(later.statusCode).toBe(200);
  });

  it('one passkey answer steps up once, even sent twice at once by an authenticator without a counter', async () => {
    const { authenticator, token } = await passkeyOwner('No counter');
    const [id] = authenticator.credentialIds();
    await t.expireStepUp(token);
    const request = (await t.inject({ url: '/api/v1/auth/step-up/options', token })).json().passkey;
    // The counter wraps to 0: an authenticator that keeps none, so the counter check cannot see a replay.
    authenticator.setCounter(id ?? '', 0xffffffff);
    const response = authenticator.authenticate(request);
    const results = await Promise.all([1, 2, 3].map(() => stepUp(token, { method: 'passkey', response })));
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(1);
    // The others lose on the used ceremony, or (if the winner renewed the token first) on the old token.
    for (const r of results.filter((x) => x.statusCode !== 200)) expect([400, 401]).toContain(r.statusCode);
  });

  it("an impersonating super admin cannot step up with the user's credentials", async () => {
    const platform = await t.createOrganization('Platform', { superAdmin: true });
    const tenant = await t.createOrganization('Tenant');
    const member = await t.addMember(tenant, ['admin']);
    const started = await t.inject({
      method: 'POST',
      url: '/api/v1/impersonation',
      token: platform.owner.token,
      payload: { userId: member.id, reason: 'Support ticket 1234: checking settings' },
    });
    expect(started.statusCode).toBe(200);
    const as = started.json().token;
    expect((await me(as)).json().session.stepUpUntil).toBeNull();
    const failedBefore = (await t.auditEvents(tenant.id)).filter(
      (e) => e.action === 'user.step_up_failed',
    ).length;
    // Neither a wrong nor the right password of the user is checked: no oracle for guesses.
    for (const password of ['not the password at all', PASSWORD]) {
      const res = await stepUp(as, { method: 'password', password });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('IMPERSONATION_FORBIDDEN');
    }
    const events = await t.auditEvents(tenant.id);
    expect(events.filter((e) => e.action === 'user.step_up_failed').length).toBe(failedBefore);
    expect(events.some((e) => e.action === 'user.stepped_up' && e.actor?.id === member.id)).toBe(false);
    expect(await stepUpAtOf(as)).toBeNull();
    const denied = await t.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      token: as,
      payload: { name: 'as the user', permissions: ['audit:read'] },
    });
    expect(denied.statusCode).toBe(403);
    // The user themself still can.
    await t.expireStepUp(member.token);
    expect((await stepUp(member.token, { method: 'password', password: PASSWORD })).statusCode).toBe(200);
  });

  it("a step-up ceremony belongs to its session; another user's passkey is no proof", async () => {
    const org = await t.createOrganization('Passkey sessions');
    const authenticator = new SoftAuthenticator({ origin: ORIGIN });
    const opened = await t.inject({
      method: 'POST',
      url: '/api/v1/me/factors/passkeys/options',
      token: org.owner.token,
    });
    const added = await t.inject({
      method: 'POST',
      url: '/api/v1/me/factors/passkeys',
      token: org.owner.token,
      payload: { ceremony: opened.json().ceremony, response: authenticator.register(opened.json().options) },
    });
    const token: string = added.json().token;
    // A second session of the same user (passwordless, so it is a full sign-in).
    const pw = (await t.inject({ method: 'POST', url: '/api/v1/auth/passkey/options' })).json();
    const second = (
      await t.inject({
        method: 'POST',
        url: '/api/v1/auth/passkey/sign-in',
        payload: {
          ceremony: pw.ceremony,
          response: authenticator.authenticate(pw.options),
          tokenType: 'bearer',
        },
      })
    ).json().token as string;
    await t.expireStepUp(token);
    await t.expireStepUp(second);
    const request = (await t.inject({ url: '/api/v1/auth/step-up/options', token })).json().passkey;
    const fromOther = await stepUp(second, {
      method: 'passkey',
      response: authenticator.authenticate(request),
    });
    expect(fromOther.statusCode).toBe(400);
    expect(fromOther.json().error.code).toBe('PASSKEY_CEREMONY_INVALID');
    expect(await stepUpAtOf(second)).toBeNull();

    // Another organization's user with their own passkey answers my ceremony: refused.
    const stranger = await t.createOrganization('Stranger');
    const theirs = new SoftAuthenticator({ origin: ORIGIN });
    const theirOptions = await t.inject({
      method: 'POST',
      url: '/api/v1/me/factors/passkeys/options',
      token: stranger.owner.token,
    });
    await t.inject({
      method: 'POST',
      url: '/api/v1/me/factors/passkeys',
      token: stranger.owner.token,
      payload: {
        ceremony: theirOptions.json().ceremony,
        response: theirs.register(theirOptions.json().options),
      },
    });
    const mine = (await t.inject({ url: '/api/v1/auth/step-up/options', token })).json().passkey;
    const foreign = await stepUp(token, {
      method: 'passkey',
      response: theirs.authenticate({ ...mine, allowCredentials: [] }),
    });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().error.code).toBe('MFA_CODE_INVALID');
    expect(await stepUpAtOf(token)).toBeNull();
    // My own passkey on the same ceremony still works.
    const ok = await stepUp(token, { method: 'passkey', response: authenticator.authenticate(mine) });
    expect(ok.statusCode).toBe(200);
  });

  it('the cookie flow gets the renewed session in its cookie', async () => {
    const org = await t.createOrganization('Cookie step-up');
    const signedIn = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: org.owner.email, password: PASSWORD },
    });
    const session = cookieValue(signedIn.headers['set-cookie'], SESSION_COOKIE) ?? '';
    await t.expireStepUp(session);
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/step-up',
      cookies: { [SESSION_COOKIE]: session },
      headers: { 'x-csrf-token': csrfTokenFor(session) },
      payload: { method: 'password', password: PASSWORD },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().token).toBeUndefined();
    const renewed = cookieValue(res.headers['set-cookie'], SESSION_COOKIE) ?? '';
    expect(renewed).not.toBe(session);
    expect(cookieValue(res.headers['set-cookie'], CSRF_COOKIE)).toBe(csrfTokenFor(renewed));
    const who = await t.inject({ url: '/api/v1/me', cookies: { [SESSION_COOKIE]: renewed } });
    expect(who.json().session.stepUpUntil).toEqual(expect.any(String));
  });

  it('API keys are not asked for step-up', async () => {
    const org = await t.createOrganization('Keys');
    const created = await t.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      token: org.owner.token,
      payload: { name: 'exporter', permissions: ['audit:export', 'members:manage'] },
    });
    expect(created.statusCode).toBe(201);
    const key = created.json().secret;
    const exported = await t.inject({ url: '/api/v1/audit/export?format=jsonl', token: key });
    expect(exported.statusCode).toBe(200);
    expect(exported.body.split('\n')[0]).toContain('custos.audit.export');
    expect(await t.lastAuditEvent(org.id)).toMatchObject({
      action: 'audit.exported',
      actor: { type: 'api_key' },
    });
    // Step-up itself is for people.
    const refused = await stepUp(key, { method: 'password', password: PASSWORD });
    expect(refused.statusCode).toBe(403);
    expect((await t.inject({ url: '/api/v1/auth/step-up/options', token: key })).statusCode).toBe(403);
  });

  it("honours the organization's step-up window", async () => {
    const strict = await t.createOrganization('Strict window');
    const relaxed = await t.createOrganization('Default window');
    const policy = await t.inject({
      method: 'PATCH',
      url: '/api/v1/security/policy',
      token: strict.owner.token,
      payload: { stepUpMinutes: 1 },
    });
    expect(policy.statusCode).toBe(200);
    expect(policy.json().stepUpMinutes).toBe(1);
    const twoMinutesAgo = new Date(Date.now() - 2 * 60_000).toISOString();
    for (const org of [strict, relaxed]) {
      await t.db
        .updateTable('sessions')
        .set({ stepUpAt: twoMinutesAgo })
        .where('tokenHash', '=', hashToken(org.owner.token))
        .execute();
    }
    const payload = { name: 'late', permissions: ['audit:read'] };
    const late = await t.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      token: strict.owner.token,
      payload,
    });
    expect(late.statusCode).toBe(403);
    expect(late.json().error.code).toBe('STEP_UP_REQUIRED');
    expect((await me(strict.owner.token)).json().session.stepUpUntil).toBeNull();
    // Two minutes are well inside the default fifteen.
    const fine = await t.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      token: relaxed.owner.token,
      payload,
    });
    expect(fine.statusCode).toBe(201);
    const until = (await me(relaxed.owner.token)).json().session.stepUpUntil;
    expect(Date.parse(until)).toBe(Date.parse(twoMinutesAgo) + 15 * 60_000);
    // After a step-up, the strict window is one minute long.
    const res = await stepUp(strict.owner.token, { method: 'password', password: PASSWORD });
    expect(res.statusCode).toBe(200);
    const stepUpAt = await stepUpAtOf(res.json().token);
    expect(Date.parse(res.json().stepUpUntil) - Date.parse(stepUpAt ?? '')).toBe(60_000);
  });

  it("a step-up in my organization does not reach into another's", async () => {
    const mine = await t.createOrganization('Mine');
    const theirs = await t.createOrganization('Theirs');
    const theirMember = await t.addMember(theirs, ['auditor']);
    const res = await t.inject({
      method: 'PATCH',
      url: `/api/v1/members/${theirMember.id}`,
      token: mine.owner.token,
      payload: { roles: ['admin'] },
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('MEMBER_NOT_FOUND');
    const members = (await t.inject({ url: '/api/v1/members', token: theirs.owner.token })).json().members;
    expect(members.find((m: { userId: string }) => m.userId === theirMember.id)?.roles).toEqual(['auditor']);
    // Someone else's TOTP code is no step-up for me.
    const other = await t.enrollTotp(theirs.owner.token);
    const me2 = await t.enrollTotp(mine.owner.token);
    await t.expireStepUp(me2.token);
    const foreign = await stepUp(me2.token, { method: 'totp', code: nextCode(other.secret) });
    const myWindow = [-1, 0, 1].map((d) => totpCodeAt(me2.secret, Date.now() + d * 30_000));
    if (!myWindow.includes(nextCode(other.secret))) {
      expect(foreign.statusCode).toBe(400);
      expect(foreign.json().error.code).toBe('MFA_CODE_INVALID');
    }
    expect(await t.lastAuditEvent(mine.id)).toMatchObject({ action: 'user.step_up_failed' });
    expect(
      (await t.auditEvents(theirs.id, 20)).some(
        (e) => e.action === 'user.step_up_failed' || e.action === 'user.stepped_up',
      ),
    ).toBe(false);
  });
});
