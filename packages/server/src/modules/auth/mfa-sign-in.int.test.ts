import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, PASSWORD, type TestApp, type TestOrg } from '../../../test/harness';
import { SoftAuthenticator } from '../../../test/soft-authenticator';
import { hashToken, randomToken } from '../../platform/crypto/tokens';
import { SESSION_COOKIE } from '../../platform/http/session-cookies';
import { totpCodeAt } from '../mfa';

const ORIGIN = 'http://custos.test';

/** A six-digit code that matches no step near now (two steps either side, for a step boundary). */
function wrongCode(secret: string): string {
  const near = new Set([-2, -1, 0, 1, 2].map((d) => totpCodeAt(secret, Date.now() + d * 30_000)));
  let n = Number(totpCodeAt(secret));
  let code = '';
  do {
    n = (n + 7) % 1_000_000;
    code = String(n).padStart(6, '0');
  } while (near.has(code));
  return code;
}

/** The next step's code: the one after the step that confirmed the app, not used yet. */
const nextCode = (secret: string) => totpCodeAt(secret, Date.now() + 30_000);

function cookieValue(setCookie: string | string[] | undefined, name: string): string | undefined {
  const list = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  const line = list.find((c) => c.startsWith(`${name}=`));
  return line?.split(';')[0]?.slice(name.length + 1);
}

describe.each(backends)('sign-in with a second factor (%s)', (backend) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(backend);
  });
  afterAll(() => t.close());

  /** An organization whose owner has an authenticator app. */
  async function totpOwner(name: string) {
    const org = await t.createOrganization(name);
    const enrolled = await t.enrollTotp(org.owner.token);
    return { org, email: org.owner.email, userId: org.owner.id, ...enrolled };
  }

  /** An organization whose owner has a passkey (and so MFA), on the given authenticator. */
  async function passkeyOwner(name: string, authenticator = new SoftAuthenticator({ origin: ORIGIN })) {
    const org = await t.createOrganization(name);
    const opened = await t.inject({
      method: 'POST',
      url: '/api/v1/me/factors/passkeys/options',
      token: org.owner.token,
    });
    const { options, ceremony } = opened.json();
    const added = await t.inject({
      method: 'POST',
      url: '/api/v1/me/factors/passkeys',
      token: org.owner.token,
      payload: { ceremony, response: authenticator.register(options), name: 'Laptop' },
    });
    expect(added.statusCode).toBe(201);
    return {
      org,
      email: org.owner.email,
      userId: org.owner.id,
      authenticator,
      factorId: added.json().factor.id as string,
      recoveryCodes: added.json().recoveryCodes as string[],
      token: added.json().token as string,
    };
  }

  const signIn = (email: string, extra: Record<string, unknown> = { tokenType: 'bearer' }) =>
    t.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email, password: PASSWORD, ...extra },
    });
  async function challengeFor(email: string): Promise<string> {
    const res = await signIn(email);
    expect(res.statusCode).toBe(200);
    expect(res.json().mfaRequired).toBe(true);
    return res.json().challenge;
  }
  const verify = (challenge: string, proof: Record<string, unknown>, tokenType: string | null = 'bearer') =>
    t.inject({
      method: 'POST',
      url: '/api/v1/auth/mfa/verify',
      payload: { challenge, ...(tokenType ? { tokenType } : {}), ...proof },
    });
  const passkeyOptions = (challenge: string) =>
    t.inject({ method: 'POST', url: '/api/v1/auth/mfa/passkey-options', payload: { challenge } });
  const challengeRow = (challenge: string) =>
    t.db
      .selectFrom('authChallenges')
      .selectAll()
      .where('tokenHash', '=', hashToken(challenge))
      .executeTakeFirstOrThrow();
  const factorRow = (id: string) =>
    t.db.selectFrom('mfaFactors').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const liveSessions = async (userId: string) =>
    (
      await t.db
        .selectFrom('sessions')
        .select('id')
        .where('userId', '=', userId)
        .where('revokedAt', 'is', null)
        .execute()
    ).length;
  const me = (token: string) => t.inject({ url: '/api/v1/me', token });

  it('answers the password with a challenge and opens no session', async () => {
    const u = await totpOwner('Challenge');
    const sessionsBefore = await t.count('sessions');
    const res = await signIn(u.email);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['challenge', 'expiresAt', 'methods', 'mfaRequired']);
    expect(body).toMatchObject({ mfaRequired: true, methods: ['totp', 'recovery_code'] });
    expect(body.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(body.expiresAt)).toBeGreaterThan(Date.now());
    expect(Date.parse(body.expiresAt)).toBeLessThanOrEqual(Date.now() + 5 * 60_000);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(await t.count('sessions')).toBe(sessionsBefore);
    // The cookie flow gets no cookie either.
    const cookieFlow = await signIn(u.email, {});
    expect(cookieFlow.json().mfaRequired).toBe(true);
    expect(cookieFlow.headers['set-cookie']).toBeUndefined();
    expect(await t.count('sessions')).toBe(sessionsBefore);
    // Only a hash of the challenge is stored.
    const row = await challengeRow(body.challenge);
    expect(row).toMatchObject({
      kind: 'sign_in_mfa',
      userId: u.userId,
      organizationId: u.org.id,
      attempts: 0,
    });
    expect(JSON.stringify(row)).not.toContain(body.challenge);
    expect(await t.lastAuditEvent(u.org.id)).toMatchObject({
      action: 'user.mfa_challenged',
      actor: { type: 'user', id: u.userId },
      metadata: { methods: ['totp', 'recovery_code'] },
    });
    // A challenge is no session token.
    expect((await me(body.challenge)).statusCode).toBe(401);
    // A wrong password gets no challenge.
    const wrong = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: u.email, password: 'not the password at all' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('INVALID_CREDENTIALS');
  });

  it('a TOTP code opens a bearer session', async () => {
    const u = await totpOwner('Bearer');
    const challenge = await challengeFor(u.email);
    const before = await liveSessions(u.userId);
    const res = await verify(challenge, { method: 'totp', code: nextCode(u.secret) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ user: { id: u.userId }, organization: { id: u.org.id } });
    expect(res.json().token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(await liveSessions(u.userId)).toBe(before + 1);
    expect((await me(res.json().token)).json().session.stepUpUntil).toEqual(expect.any(String));
    const session = await t.db
      .selectFrom('sessions')
      .select(['authMethod', 'stepUpAt'])
      .where('tokenHash', '=', hashToken(res.json().token))
      .executeTakeFirstOrThrow();
    expect(session.authMethod).toBe('password+totp');
    expect(await t.lastAuditEvent(u.org.id)).toMatchObject({
      action: 'user.signed_in',
      actor: { type: 'user', id: u.userId },
      metadata: { method: 'password+totp' },
    });
    expect((await challengeRow(challenge)).consumedAt).toEqual(expect.any(String));
  });

  it('a TOTP code opens a cookie session when no bearer token is asked for', async () => {
    const u = await totpOwner('Cookie');
    const challenge = await challengeFor(u.email);
    const res = await verify(challenge, { method: 'totp', code: nextCode(u.secret) }, null);
    expect(res.statusCode).toBe(200);
    expect(res.json().token).toBeUndefined();
    const session = cookieValue(res.headers['set-cookie'], SESSION_COOKIE) ?? '';
    expect(session).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const who = await t.inject({ url: '/api/v1/me', cookies: { [SESSION_COOKIE]: session } });
    expect(who.statusCode).toBe(200);
    expect(who.json().user.id).toBe(u.userId);
  });

  it('a code is accepted once: replayed on another challenge it is refused', async () => {
    const u = await totpOwner('Replay');
    const code = nextCode(u.secret);
    expect((await verify(await challengeFor(u.email), { method: 'totp', code })).statusCode).toBe(200);
    const second = await challengeFor(u.email);
    const sessionsBefore = await t.count('sessions');
    const replay = await verify(second, { method: 'totp', code });
    expect(replay.statusCode).toBe(400);
    expect(replay.json().error.code).toBe('MFA_CODE_INVALID');
    expect(replay.json().error.message).toMatch(/already used/);
    // An earlier step (the code that confirmed the app) is no better.
    const earlier = await verify(second, { method: 'totp', code: totpCodeAt(u.secret, Date.now() - 30_000) });
    expect(earlier.statusCode).toBe(400);
    expect(await t.count('sessions')).toBe(sessionsBefore);
    expect((await challengeRow(second)).attempts).toBe(2);
    expect(await t.lastAuditEvent(u.org.id)).toMatchObject({
      action: 'user.mfa_failed',
      outcome: 'failure',
      metadata: { method: 'totp', reason: 'MFA_CODE_INVALID' },
    });
  });

  it('wrong codes are counted and the challenge dies after five', async () => {
    const u = await totpOwner('Wrong');
    const challenge = await challengeFor(u.email);
    const eventsBefore = (await t.auditEvents(u.org.id)).filter((e) => e.action === 'user.mfa_failed').length;
    for (let i = 1; i <= 5; i++) {
      const res = await verify(challenge, { method: 'totp', code: wrongCode(u.secret) });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('MFA_CODE_INVALID');
      expect((await challengeRow(challenge)).attempts).toBe(i);
    }
    const failed = (await t.auditEvents(u.org.id)).filter((e) => e.action === 'user.mfa_failed');
    expect(failed.length - eventsBefore).toBe(5);
    expect(failed[0]).toMatchObject({
      outcome: 'failure',
      actor: { type: 'user', id: u.userId },
      metadata: { method: 'totp', reason: 'MFA_CODE_INVALID' },
    });
    const sessionsBefore = await t.count('sessions');
    // The right code no longer helps this challenge, and the code is not burnt by trying.
    const code = nextCode(u.secret);
    const dead = await verify(challenge, { method: 'totp', code });
    expect(dead.statusCode).toBe(401);
    expect(dead.json().error.code).toBe('MFA_CHALLENGE_INVALID');
    expect((await passkeyOptions(challenge)).json().error.code).toBe('MFA_CHALLENGE_INVALID');
    expect(await t.count('sessions')).toBe(sessionsBefore);
    // Five wrong codes after a correct password raised brute force and locked the account for
    // everyone but the owner's own browsers: the address alone (everyone behind the NAT has it)
    // is refused now, and a new challenge from the owner's browser still works with the right code.
    await t.services.threats.pipeline.idle();
    expect((await signIn(u.email)).statusCode).toBe(429);
    const browser = randomToken();
    const now = new Date().toISOString();
    await t.db
      .insertInto('trustedDevices')
      .values({ tokenHash: hashToken(browser), userId: u.userId, createdAt: now, lastSeenAt: now })
      .execute();
    const own = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: u.email, password: PASSWORD, tokenType: 'bearer' },
      headers: { 'x-custos-device': browser },
    });
    expect(own.json()).toMatchObject({ mfaRequired: true });
    const second = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/mfa/verify',
      payload: { challenge: own.json().challenge, tokenType: 'bearer', method: 'totp', code },
      headers: { 'x-custos-device': browser },
    });
    expect(second.statusCode).toBe(200);
  });

  it('answers sent in parallel get no more than five tries at one challenge', async () => {
    const u = await totpOwner('Parallel');
    const challenge = await challengeFor(u.email);
    const wrong = wrongCode(u.secret);
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => verify(challenge, { method: 'totp', code: wrong })),
    );
    const checked = answers.filter((r) => r.statusCode === 400);
    const refused = answers.filter((r) => r.statusCode === 401);
    expect(checked.length).toBeLessThanOrEqual(5);
    expect(checked.length + refused.length).toBe(12);
    for (const r of refused) expect(r.json().error.code).toBe('MFA_CHALLENGE_INVALID');
    expect((await challengeRow(challenge)).attempts).toBeLessThanOrEqual(5);
    expect((await verify(challenge, { method: 'totp', code: nextCode(u.secret) })).statusCode).toBe(401);
  });

  it('a password change ends a sign-in that is waiting for its second factor', async () => {
    const u = await totpOwner('Password changed');
    const challenge = await challengeFor(u.email);
    const changed = await t.inject({
      method: 'POST',
      url: '/api/v1/me/password',
      token: u.token,
      payload: { currentPassword: PASSWORD, newPassword: 'a brand new long passphrase' },
    });
    expect(changed.statusCode).toBe(200);
    const sessionsBefore = await t.count('sessions');
    const res = await verify(challenge, { method: 'totp', code: nextCode(u.secret) });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('MFA_CHALLENGE_INVALID');
    expect(await t.count('sessions')).toBe(sessionsBefore);
    // With the new password, the same code (not spent above) signs in.
    const fresh = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: u.email, password: 'a brand new long passphrase', tokenType: 'bearer' },
    });
    expect(
      (await verify(fresh.json().challenge, { method: 'totp', code: nextCode(u.secret) })).statusCode,
    ).toBe(200);
  });

  it('a used challenge cannot be used again', async () => {
    const u = await totpOwner('Reuse');
    const challenge = await challengeFor(u.email);
    expect((await verify(challenge, { method: 'totp', code: nextCode(u.secret) })).statusCode).toBe(200);
    const again = await verify(challenge, { method: 'recovery_code', code: u.recoveryCodes[0] });
    expect(again.statusCode).toBe(401);
    expect(again.json().error.code).toBe('MFA_CHALLENGE_INVALID');
    // The recovery code was not spent on a dead challenge.
    const fresh = await verify(await challengeFor(u.email), {
      method: 'recovery_code',
      code: u.recoveryCodes[0],
    });
    expect(fresh.statusCode).toBe(200);
  });

  it('an expired challenge is refused', async () => {
    const u = await totpOwner('Expired');
    const challenge = await challengeFor(u.email);
    await t.db
      .updateTable('authChallenges')
      .set({ expiresAt: new Date(Date.now() - 1000).toISOString() })
      .where('tokenHash', '=', hashToken(challenge))
      .execute();
    const sessionsBefore = await t.count('sessions');
    const res = await verify(challenge, { method: 'totp', code: nextCode(u.secret) });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('MFA_CHALLENGE_INVALID');
    expect(await t.count('sessions')).toBe(sessionsBefore);
    const unknown = await verify('x'.repeat(43), { method: 'totp', code: '123456' });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().error.code).toBe('MFA_CHALLENGE_INVALID');
  });

  it('a passwordless ceremony is no sign-in challenge, and the reverse', async () => {
    const u = await totpOwner('Kinds');
    const ceremony = (await t.inject({ method: 'POST', url: '/api/v1/auth/passkey/options' })).json()
      .ceremony;
    const res = await verify(ceremony, { method: 'totp', code: nextCode(u.secret) });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('MFA_CHALLENGE_INVALID');
    const challenge = await challengeFor(u.email);
    const asCeremony = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/passkey/sign-in',
      payload: {
        ceremony: challenge,
        response: { id: 'abc', rawId: 'abc', type: 'public-key', response: {} },
      },
    });
    expect(asCeremony.statusCode).toBe(400);
    expect(asCeremony.json().error.code).toBe('PASSKEY_CEREMONY_INVALID');
  });

  it('a recovery code signs in once and is audited', async () => {
    const u = await totpOwner('Recovery');
    const [code, ...rest] = u.recoveryCodes;
    const res = await verify(await challengeFor(u.email), { method: 'recovery_code', code });
    expect(res.statusCode).toBe(200);
    const events = await t.auditEvents(u.org.id, 5);
    expect(events[0]).toMatchObject({
      action: 'mfa.recovery_code_used',
      actor: { type: 'user', id: u.userId },
      metadata: { remaining: 9 },
    });
    expect(events[1]).toMatchObject({
      action: 'user.signed_in',
      metadata: { method: 'password+recovery_code' },
    });
    const again = await verify(await challengeFor(u.email), { method: 'recovery_code', code });
    expect(again.statusCode).toBe(400);
    expect(again.json().error.code).toBe('MFA_CODE_INVALID');
    // Someone else's recovery code is no code of mine.
    const other = await totpOwner('Recovery other');
    const foreign = await verify(await challengeFor(u.email), {
      method: 'recovery_code',
      code: other.recoveryCodes[0],
    });
    expect(foreign.statusCode).toBe(400);
    // With every code used, the challenge no longer offers recovery codes.
    await t.db
      .updateTable('recoveryCodes')
      .set({ usedAt: new Date().toISOString() })
      .where('userId', '=', u.userId)
      .execute();
    const last = await signIn(u.email);
    expect(last.json().methods).toEqual(['totp']);
    expect(rest).toHaveLength(9);
    const spent = await verify(last.json().challenge, { method: 'recovery_code', code: rest[0] });
    expect(spent.statusCode).toBe(400);
  });

  it('a passkey answers the challenge as a second factor', async () => {
    const u = await passkeyOwner('Passkey 2FA');
    const challenge = await challengeFor(u.email);
    const noOptions = await verify(challenge, {
      method: 'passkey',
      response: u.authenticator.authenticate({ challenge: 'AAAA' }),
    });
    expect(noOptions.statusCode).toBe(400);
    expect(noOptions.json().error.code).toBe('PASSKEY_CEREMONY_INVALID');

    const opened = await passkeyOptions(challenge);
    expect(opened.statusCode).toBe(200);
    const { options } = opened.json();
    expect(options.rpId).toBe('custos.test');
    expect(options.allowCredentials.map((c: { id: string }) => c.id)).toEqual(
      u.authenticator.credentialIds(),
    );
    const res = await verify(challenge, {
      method: 'passkey',
      response: u.authenticator.authenticate(options),
    });
    expect(res.statusCode).toBe(200);
    expect((await me(res.json().token)).json().user.id).toBe(u.userId);
    const factor = await factorRow(u.factorId);
    expect(Number(factor.signCount)).toBe(2);
    expect(factor.lastUsedAt).toEqual(expect.any(String));
    expect(await t.lastAuditEvent(u.org.id)).toMatchObject({
      action: 'user.signed_in',
      metadata: { method: 'password+passkey' },
    });
  });

  it("another user's passkey cannot answer my challenge", async () => {
    const mine = await passkeyOwner('Mine');
    const theirs = await passkeyOwner('Theirs');
    const challenge = await challengeFor(mine.email);
    const { options } = (await passkeyOptions(challenge)).json();
    // Their authenticator signs this very challenge with their own (discoverable) credential.
    const response = theirs.authenticator.authenticate({ ...options, allowCredentials: [] });
    const sessionsBefore = await t.count('sessions');
    const res = await verify(challenge, { method: 'passkey', response });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('MFA_CODE_INVALID');
    expect(await t.count('sessions')).toBe(sessionsBefore);
    expect(Number((await factorRow(theirs.factorId)).signCount)).toBe(0);
    expect((await challengeRow(challenge)).attempts).toBe(1);
    expect(await t.lastAuditEvent(mine.org.id)).toMatchObject({
      action: 'user.mfa_failed',
      actor: { id: mine.userId },
      metadata: { method: 'passkey' },
    });
    // My own still works on the same challenge.
    const ok = await verify(challenge, {
      method: 'passkey',
      response: mine.authenticator.authenticate(options),
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().user.id).toBe(mine.userId);
  });

  it('a passkey answer for another challenge, or tampered, is refused', async () => {
    const u = await passkeyOwner('Passkey tamper');
    const first = await challengeFor(u.email);
    const firstOptions = (await passkeyOptions(first)).json().options;
    const second = await challengeFor(u.email);
    await passkeyOptions(second);
    const crossed = await verify(second, {
      method: 'passkey',
      response: u.authenticator.authenticate(firstOptions),
    });
    expect(crossed.statusCode).toBe(400);
    expect(crossed.json().error.code).toBe('PASSKEY_VERIFICATION_FAILED');
    const secondOptions = (await passkeyOptions(second)).json().options;
    const signed = u.authenticator.authenticate(secondOptions);
    const signature = Buffer.from(signed.response.signature, 'base64url');
    signature[signature.length - 1] = (signature[signature.length - 1] ?? 0) ^ 0x01;
    const tampered = await verify(second, {
      method: 'passkey',
      response: { ...signed, response: { ...signed.response, signature: signature.toString('base64url') } },
    });
    expect(tampered.statusCode).toBe(400);
    expect(tampered.json().error.code).toBe('PASSKEY_VERIFICATION_FAILED');
    const phished = await verify(second, {
      method: 'passkey',
      response: u.authenticator.authenticate(secondOptions, { origin: 'http://evil.example' }),
    });
    expect(phished.statusCode).toBe(400);
  });

  it('signs in without a password with a passkey (user verification required)', async () => {
    const u = await passkeyOwner('Passwordless');
    const opened = await t.inject({ method: 'POST', url: '/api/v1/auth/passkey/options' });
    expect(opened.statusCode).toBe(200);
    const { options, ceremony } = opened.json();
    expect(options.userVerification).toBe('required');
    expect(options.allowCredentials ?? []).toEqual([]);
    const response = u.authenticator.authenticate(options);
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/passkey/sign-in',
      payload: { ceremony, response, tokenType: 'bearer' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ user: { id: u.userId }, organization: { id: u.org.id } });
    expect((await me(res.json().token)).statusCode).toBe(200);
    expect(await t.lastAuditEvent(u.org.id)).toMatchObject({
      action: 'user.signed_in',
      actor: { id: u.userId },
      metadata: { method: 'passkey' },
    });
    // The ceremony is used up.
    const again = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/passkey/sign-in',
      payload: { ceremony, response: u.authenticator.authenticate(options), tokenType: 'bearer' },
    });
    expect(again.statusCode).toBe(400);
    expect(again.json().error.code).toBe('PASSKEY_CEREMONY_INVALID');
  });

  it('passwordless sign-in goes to the organization asked for, and only to one of mine', async () => {
    const u = await passkeyOwner('Passwordless orgs');
    const stranger = await t.createOrganization('Not mine');
    const attempt = async (organization: string) => {
      const { options, ceremony } = (
        await t.inject({ method: 'POST', url: '/api/v1/auth/passkey/options' })
      ).json();
      return t.inject({
        method: 'POST',
        url: '/api/v1/auth/passkey/sign-in',
        payload: {
          ceremony,
          response: u.authenticator.authenticate(options),
          organization,
          tokenType: 'bearer',
        },
      });
    };
    const refused = await attempt(stranger.id);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('NO_ORGANIZATION');
    const ok = await attempt(u.org.id);
    expect(ok.statusCode).toBe(200);
    expect(ok.json().organization.id).toBe(u.org.id);
  });

  it('a passkey without user verification is refused for passwordless but accepted as a second factor', async () => {
    const u = await passkeyOwner('No UV', new SoftAuthenticator({ origin: ORIGIN, userVerification: false }));
    const { options, ceremony } = (
      await t.inject({ method: 'POST', url: '/api/v1/auth/passkey/options' })
    ).json();
    const sessionsBefore = await t.count('sessions');
    const refused = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/passkey/sign-in',
      payload: { ceremony, response: u.authenticator.authenticate(options), tokenType: 'bearer' },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.code).toBe('PASSKEY_VERIFICATION_FAILED');
    expect(await t.count('sessions')).toBe(sessionsBefore);
    const platform = await t.auditEvents('platform', 5);
    expect(platform[0]).toMatchObject({
      action: 'user.sign_in_failed',
      outcome: 'failure',
      metadata: { reason: 'passkey_rejected' },
    });

    const challenge = await challengeFor(u.email);
    const { options: mfaOptions } = (await passkeyOptions(challenge)).json();
    expect(mfaOptions.userVerification).toBe('preferred');
    const ok = await verify(challenge, {
      method: 'passkey',
      response: u.authenticator.authenticate(mfaOptions),
    });
    expect(ok.statusCode).toBe(200);
  });

  it('a cloned authenticator with a lagging counter is refused', async () => {
    const u = await passkeyOwner('Clone');
    const clone = u.authenticator.clone();
    // The original is used once: the stored counter moves to 1.
    const challenge = await challengeFor(u.email);
    const { options } = (await passkeyOptions(challenge)).json();
    expect(
      (await verify(challenge, { method: 'passkey', response: u.authenticator.authenticate(options) }))
        .statusCode,
    ).toBe(200);
    // The clone still counts from 0, so its next assertion says 1 again.
    const next = await challengeFor(u.email);
    const { options: nextOptions } = (await passkeyOptions(next)).json();
    const cloned = await verify(next, { method: 'passkey', response: clone.authenticate(nextOptions) });
    expect(cloned.statusCode).toBe(400);
    expect(cloned.json().error.code).toBe('PASSKEY_VERIFICATION_FAILED');
    // Passwordless too.
    const { options: pwOptions, ceremony } = (
      await t.inject({ method: 'POST', url: '/api/v1/auth/passkey/options' })
    ).json();
    const [id] = clone.credentialIds();
    clone.setCounter(id ?? '', 0);
    const passwordless = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/passkey/sign-in',
      payload: { ceremony, response: clone.authenticate(pwOptions), tokenType: 'bearer' },
    });
    expect(passwordless.statusCode).toBe(400);
    expect(passwordless.json().error.code).toBe('PASSKEY_VERIFICATION_FAILED');
    expect(Number((await factorRow(u.factorId)).signCount)).toBe(1);
  });

  it('a removed passkey signs in no more', async () => {
    const u = await passkeyOwner('Removed passkey');
    const removed = await t.inject({
      method: 'DELETE',
      url: `/api/v1/me/factors/${u.factorId}`,
      token: u.token,
    });
    expect(removed.statusCode).toBe(200);
    const { options, ceremony } = (
      await t.inject({ method: 'POST', url: '/api/v1/auth/passkey/options' })
    ).json();
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/passkey/sign-in',
      payload: { ceremony, response: u.authenticator.authenticate(options), tokenType: 'bearer' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('PASSKEY_VERIFICATION_FAILED');
    // And the password alone signs in again: no factor is left.
    const signedIn = await signIn(u.email);
    expect(signedIn.json().token).toEqual(expect.any(String));
  });

  it('a disabled user cannot finish the challenge', async () => {
    const u = await totpOwner('Disabled');
    const challenge = await challengeFor(u.email);
    const viaPasskey = await passkeyOwner('Disabled passkey');
    const passkeyChallenge = await challengeFor(viaPasskey.email);
    const ceremony = (await t.inject({ method: 'POST', url: '/api/v1/auth/passkey/options' })).json();
    await t.db
      .updateTable('users')
      .set({ disabledAt: new Date().toISOString() })
      .where('id', 'in', [u.userId, viaPasskey.userId])
      .execute();
    const sessionsBefore = await t.count('sessions');
    const res = await verify(challenge, { method: 'totp', code: nextCode(u.secret) });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('MFA_CHALLENGE_INVALID');
    const recovery = await verify(challenge, { method: 'recovery_code', code: u.recoveryCodes[0] });
    expect(recovery.statusCode).toBe(401);
    const options = await passkeyOptions(passkeyChallenge);
    expect(options.statusCode).toBe(401);
    expect(options.json().error.code).toBe('MFA_CHALLENGE_INVALID');
    const passwordless = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/passkey/sign-in',
      payload: {
        ceremony: ceremony.ceremony,
        response: viaPasskey.authenticator.authenticate(ceremony.options),
        tokenType: 'bearer',
      },
    });
    expect(passwordless.statusCode).toBe(401);
    expect(passwordless.json().error.code).toBe('INVALID_CREDENTIALS');
    expect(await t.count('sessions')).toBe(sessionsBefore);
    expect(await t.lastAuditEvent(viaPasskey.org.id)).toMatchObject({
      action: 'user.sign_in_failed',
      metadata: { reason: 'disabled' },
    });
    // Their existing sessions are dead too.
    expect((await me(u.token)).statusCode).toBe(401);
  });

  it('an existing user with MFA accepting an invitation gets a challenge, not a session', async () => {
    const u = await totpOwner('Home');
    const inviter: TestOrg = await t.createOrganization('Inviter');
    const invited = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      token: inviter.owner.token,
      payload: { email: u.email, roles: ['auditor'] },
    });
    expect(invited.statusCode).toBe(201);
    const token = new URL(invited.json().inviteUrl).hash.replace('#token=', '');
    const sessionsBefore = await t.count('sessions');
    const accepted = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token, password: PASSWORD, tokenType: 'bearer' },
    });
    expect(accepted.statusCode).toBe(200);
    const body = accepted.json();
    expect(body).toMatchObject({ mfaRequired: true, methods: ['totp', 'recovery_code'] });
    expect(body.token).toBeUndefined();
    expect(body.user).toBeUndefined();
    expect(accepted.headers['set-cookie']).toBeUndefined();
    expect(await t.count('sessions')).toBe(sessionsBefore);
    // The password alone joins nothing: the invitation is accepted with the second factor.
    const events = (await t.auditEvents(inviter.id, 3)).map((e) => e.action);
    expect(events).toContain('user.mfa_challenged');
    expect(events).not.toContain('invitation.accepted');
    // The challenge leads into the inviting organization.
    const verified = await verify(body.challenge, { method: 'totp', code: nextCode(u.secret) });
    expect(verified.statusCode).toBe(200);
    expect(verified.json().organization.id).toBe(inviter.id);
    const who = (await me(verified.json().token)).json();
    expect(who.roles).toEqual(['auditor']);
  });

  it('accepting an invitation joins the organization only once the second factor is given', async () => {
    // The invitation link goes to the inviter, who may know (or guess) the password: the password
    // alone must not change the account, just as it opens no session.
    const u = await totpOwner('Joiner');
    const inviter = await t.createOrganization('Invites with a password');
    const invited = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      token: inviter.owner.token,
      payload: { email: u.email, roles: ['member'] },
    });
    const token = new URL(invited.json().inviteUrl).hash.replace('#token=', '');
    const accepted = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token, password: PASSWORD, tokenType: 'bearer' },
    });
    expect(accepted.json().mfaRequired).toBe(true);
    const membership = await t.db
      .selectFrom('memberships')
      .select('userId')
      .where('organizationId', '=', inviter.id)
      .where('userId', '=', u.userId)
      .executeTakeFirst();
    expect(membership).toBeUndefined();

    // The second factor finishes it: member now, signed in to the new organization, invitation used.
    const verified = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/mfa/verify',
      payload: {
        challenge: accepted.json().challenge,
        method: 'totp',
        code: totpCodeAt(u.secret, Date.now() + 30_000),
        tokenType: 'bearer',
      },
    });
    expect(verified.statusCode, verified.body).toBe(200);
    expect(verified.json().organization.id).toBe(inviter.id);
    const me = await t.inject({ url: '/api/v1/me', token: verified.json().token });
    expect(me.json().roles).toEqual(['member']);
    expect((await t.lastAuditEvent(inviter.id))?.action).toBe('user.signed_in');
    const events = await t.auditEvents(inviter.id);
    expect(events.map((e) => e.action)).toContain('invitation.accepted');
    const again = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token, password: PASSWORD, tokenType: 'bearer' },
    });
    expect(again.statusCode).toBe(400);
    expect(again.json().error.code).toBe('INVITATION_INVALID');
  });

  it('bad verify bodies answer VALIDATION_FAILED and count no attempt', async () => {
    const u = await totpOwner('Bodies');
    const challenge = await challengeFor(u.email);
    for (const payload of [
      {},
      { challenge },
      { challenge, method: 'totp' },
      { challenge, method: 'totp', code: '12345' },
      { challenge, method: 'sms', code: '123456' },
      { challenge, method: 'recovery_code', code: 'short' },
      { challenge, method: 'passkey', response: { id: 'x' } },
      { challenge, method: 'totp', code: '123456', tokenType: 'jwt' },
      { challenge: '', method: 'totp', code: '123456' },
    ]) {
      const res = await t.inject({ method: 'POST', url: '/api/v1/auth/mfa/verify', payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    }
    expect((await challengeRow(challenge)).attempts).toBe(0);
    // Spaces between the groups of a TOTP code are forgiven.
    const code = nextCode(u.secret);
    const spaced = await verify(challenge, { method: 'totp', code: `${code.slice(0, 3)} ${code.slice(3)}` });
    expect(spaced.statusCode).toBe(200);
  });
});

describe.each(backends)('passwordless options are limited per IP (%s)', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend, { config: { CUSTOS_SIGN_IN_LIMIT_PER_IP: '3' } });
  });
  afterAll(() => t.close());

  it('answers 429 after the per-IP limit and writes no more challenges', async () => {
    const ask = (remoteAddress: string) =>
      t.inject({ method: 'POST', url: '/api/v1/auth/passkey/options', remoteAddress });
    for (let i = 0; i < 3; i++) expect((await ask('203.0.113.7')).statusCode).toBe(200);
    const before = await t.count('authChallenges');
    const limited = await ask('203.0.113.7');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('RATE_LIMITED');
    expect(await t.count('authChallenges')).toBe(before);
    // Another address is not affected.
    expect((await ask('203.0.113.8')).statusCode).toBe(200);
  });
});
