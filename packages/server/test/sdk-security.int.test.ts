import { CustosApiError, CustosClient, isMfaChallenge } from '@custos/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCodeAt } from '../src/modules/mfa';
import { backends, createTestApp, PASSWORD, type TestApp, type TestOrg } from './harness';
import { SoftAuthenticator } from './soft-authenticator';

type WebAuthnJson = Parameters<CustosClient['me']['factors']['addPasskey']>[0]['response'];
/** The authenticator's typed answer as the plain JSON a browser would send. */
const asJson = (value: object): WebAuthnJson => JSON.parse(JSON.stringify(value));

/** Sign-in hardening through the typed SDK against a listening server, as a host app would use it. */
describe.each(backends)('SDK: MFA, step-up, sessions and policy (%s)', (backend) => {
  let t: TestApp;
  let org: TestOrg;
  let baseUrl: string;

  beforeAll(async () => {
    t = await createTestApp(backend, { config: { CUSTOS_PUBLIC_URL: 'http://custos.test' } });
    org = await t.createOrganization('SDK Security');
    baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => t.close());

  it('enrols TOTP, then signs in with the second step and keeps the rotated tokens', async () => {
    const client = new CustosClient({ baseUrl });
    const first = await client.auth.signIn({
      email: org.owner.email,
      password: PASSWORD,
      tokenType: 'bearer',
    });
    expect(isMfaChallenge(first)).toBe(false);
    const enrolment = await client.me.factors.startTotp('Phone');
    expect(enrolment.uri).toMatch(/^otpauth:\/\/totp\//);
    const added = await client.me.factors.confirmTotp(enrolment.factorId, {
      code: totpCodeAt(enrolment.secret),
    });
    expect(added.recoveryCodes).toHaveLength(10);
    // The confirm rotated the token and the SDK kept it: the next call still works.
    expect((await client.me.security()).factors.map((f) => f.type)).toEqual(['totp']);

    const other = new CustosClient({ baseUrl });
    const challenge = await other.auth.signIn({
      email: org.owner.email,
      password: PASSWORD,
      tokenType: 'bearer',
    });
    if (!isMfaChallenge(challenge)) throw new Error('expected the MFA step');
    expect(challenge.methods).toEqual(['totp', 'recovery_code']);
    await expect(other.me.get()).rejects.toBeInstanceOf(CustosApiError);
    const code = totpCodeAt(enrolment.secret, Date.now() + 30_000);
    await other.auth.verifyMfa({ challenge: challenge.challenge, method: 'totp', code, tokenType: 'bearer' });
    expect((await other.me.get()).user.email).toBe(org.owner.email);

    // "Sign out everywhere else" from the second client ends the first one.
    expect((await other.me.sessions.revokeOthers()).revoked).toBeGreaterThanOrEqual(1);
    const ended = await client.me.get().catch((error: unknown) => error);
    expect(ended).toMatchObject({ status: 401 });
  });

  it('asks for step-up on a sensitive action and succeeds after it', async () => {
    const o = await t.createOrganization('SDK Step-up');
    const client = new CustosClient({ baseUrl, token: o.owner.token });
    await t.expireStepUp(o.owner.token);
    const refused = await client.security.updatePolicy({ stepUpMinutes: 5 }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 403, code: 'STEP_UP_REQUIRED' });
    expect((await client.auth.stepUpOptions()).methods).toEqual(['password']);
    const stepped = await client.auth.stepUp({ method: 'password', password: PASSWORD });
    expect(Date.parse(stepped.stepUpUntil)).toBeGreaterThan(Date.now());
    expect((await client.security.updatePolicy({ stepUpMinutes: 5 })).stepUpMinutes).toBe(5);
    expect((await client.security.policy()).stepUpMinutes).toBe(5);
  });

  it('registers a passkey and signs in without a password', async () => {
    const o = await t.createOrganization('SDK Passkey');
    const client = new CustosClient({ baseUrl, token: o.owner.token });
    const authenticator = new SoftAuthenticator({ origin: 'http://custos.test' });
    const { options, ceremony } = await client.me.factors.passkeyOptions();
    const response = authenticator.register(options as Parameters<SoftAuthenticator['register']>[0]);
    const added = await client.me.factors.addPasskey({
      ceremony,
      response: asJson(response),
      name: 'Laptop',
    });
    expect(added.factor).toMatchObject({ type: 'passkey', name: 'Laptop' });

    const fresh = new CustosClient({ baseUrl });
    const signIn = await fresh.auth.passkeyOptions();
    const assertion = authenticator.authenticate(
      signIn.options as Parameters<SoftAuthenticator['authenticate']>[0],
    );
    const signed = await fresh.auth.passkeySignIn({
      ceremony: signIn.ceremony,
      response: asJson(assertion),
      tokenType: 'bearer',
    });
    expect(signed.user.email).toBe(o.owner.email);
    const sessions = await fresh.sessions.list();
    expect(sessions.sessions.some((s) => s.current)).toBe(true);
  });

  it('keeps another organization out of the session list', async () => {
    const stranger = await t.createOrganization('SDK Stranger');
    const client = new CustosClient({ baseUrl, token: stranger.owner.token });
    const listed = await client.sessions.list();
    expect(listed.sessions.every((s) => s.organizationId === stranger.id)).toBe(true);
    const missing = await client.sessions.list({ userId: org.owner.id }).catch((error: unknown) => error);
    expect(missing).toMatchObject({ status: 404, code: 'MEMBER_NOT_FOUND' });
  });
});
