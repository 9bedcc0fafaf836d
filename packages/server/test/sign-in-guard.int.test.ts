import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, PASSWORD, type TestApp, type TestOrg, type TestUser } from './harness';

/**
 * Attacks on the lockout itself, with the default limits: it must not shut the owner out of their
 * own devices, must not be raced past, must not be driven by forged host-app events, and one
 * tenant's lock must not reach another tenant.
 */
describe.each(backends)('the sign-in guard holds against attacks on itself (%s)', (backend) => {
  let t: TestApp;
  let org: TestOrg;

  beforeAll(async () => {
    t = await createTestApp(backend);
    org = await t.createOrganization('Guarded Org');
  });
  afterAll(() => t.close());

  const signIn = (email: string, password: string, remoteAddress: string, extra: object = {}) =>
    t.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email, password, ...extra },
      remoteAddress,
    });

  /** A member who signed in once from home in a browser; answers the browser's device cookie. */
  async function memberAtHome(home: string): Promise<{ user: TestUser; device: string }> {
    const user = await t.addMember(org, ['member']);
    const res = await signIn(user.email, PASSWORD, home);
    expect(res.statusCode).toBe(200);
    const device = res.cookies.find((c) => c.name === 'custos_device')?.value ?? '';
    return { user, device };
  }

  it('an attacker filling the account limit from elsewhere does not lock the owner out of their device', async () => {
    const { user, device } = await memberAtHome('198.51.100.31');
    const answers: number[] = [];
    for (let i = 0; i < 15; i++)
      answers.push((await signIn(user.email, `nope ${i}`, `203.0.113.${i + 1}`)).statusCode);
    expect(answers.filter((code) => code === 429).length).toBeGreaterThan(5);
    const own = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: user.email, password: PASSWORD },
      remoteAddress: '192.0.2.200',
      cookies: { custos_device: device },
    });
    expect(own.statusCode).toBe(200);
  });

  it('a bearer client keeps its device token and is spared the lockout from a new network', async () => {
    const user = await t.addMember(org, ['member']);
    const first = await signIn(user.email, PASSWORD, '198.51.100.35', { tokenType: 'bearer' });
    expect(first.statusCode).toBe(200);
    const deviceToken = first.json().deviceToken as string;
    expect(deviceToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.headers['set-cookie']).toBeUndefined();
    // Already trusted: the next sign-in of this client hands out no new token.
    const again = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: user.email, password: PASSWORD, tokenType: 'bearer' },
      remoteAddress: '198.51.100.35',
      headers: { 'x-custos-device': deviceToken },
    });
    expect(again.json().deviceToken).toBeUndefined();
    for (let i = 0; i < 6; i++) await signIn(user.email, `nope ${i}`, `203.0.113.${100 + i}`);
    const stranger = await signIn(user.email, PASSWORD, '192.0.2.150');
    expect(stranger.statusCode).toBe(429);
    const mobile = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: user.email, password: PASSWORD, tokenType: 'bearer' },
      remoteAddress: '192.0.2.151',
      headers: { 'x-custos-device': deviceToken },
    });
    expect(mobile.statusCode).toBe(200);
  });

  it('attempts sent in parallel cannot race past the delay', async () => {
    const { user } = await memberAtHome('198.51.100.32');
    for (let i = 0; i < 3; i++) await signIn(user.email, `nope ${i}`, '203.0.113.90');
    const burst = await Promise.all(
      Array.from({ length: 12 }, (_, i) => signIn(user.email, `burst ${i}`, '203.0.113.90')),
    );
    const checked = burst.filter((r) => r.statusCode === 401).length;
    // At most the one attempt the delay allowed reached the password check.
    expect(checked).toBeLessThanOrEqual(1);
    expect(burst.filter((r) => r.statusCode === 429).length).toBeGreaterThanOrEqual(11);
  });

  it("a host app's forged sign-in events raise no takeover and lock nobody", async () => {
    const { user } = await memberAtHome('198.51.100.33');
    const key = await t.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      token: org.owner.token,
      payload: { name: 'Forger', permissions: ['audit:write'] },
    });
    const forged = await t.inject({
      method: 'POST',
      url: '/api/v1/audit/events/batch',
      token: key.json().secret,
      payload: {
        events: [
          {
            action: 'user.signed_in',
            actor: { type: 'user', id: user.id, ip: '203.0.113.200' },
            metadata: { newDevice: true, newCountry: true },
          },
          { action: 'user.password_changed', actor: { type: 'user', id: user.id, ip: '203.0.113.200' } },
          ...Array.from({ length: 30 }, () => ({
            action: 'user.sign_in_failed',
            actor: { type: 'user', id: user.id, ip: '198.51.100.33' },
            targets: [{ type: 'user', id: user.id }],
          })),
        ],
      },
    });
    expect(forged.statusCode).toBeLessThan(300);
    await t.services.threats.pipeline.idle();
    const events = await t.inject({ url: '/api/v1/security/events', token: org.owner.token });
    // Earlier tests attacked other members of this organization; only this member's count here.
    const types = events
      .json()
      .events.filter(
        (e: { subject: { id: string } }) => e.subject.id === user.id || e.subject.id === '198.51.100.33',
      )
      .map((e: { type: string }) => e.type);
    expect(types).not.toContain('account_takeover');
    expect(types).not.toContain('brute_force_account');
    expect(types).not.toContain('brute_force_ip');
    expect((await signIn(user.email, PASSWORD, '198.51.100.33')).statusCode).toBe(200);
  });

  it("one organization's lock does not reach the same person's other organization", async () => {
    const other = await t.createOrganization('Second Home');
    const { user } = await memberAtHome('198.51.100.34');
    // The same person joins the second organization too.
    const invited = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      token: other.owner.token,
      payload: { email: user.email, roles: ['member'] },
    });
    const accepted = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: {
        token: invited.json().inviteUrl.split('#token=')[1],
        password: PASSWORD,
        tokenType: 'bearer',
      },
    });
    expect(accepted.statusCode).toBe(200);
    const lock = await t.inject({
      method: 'POST',
      url: '/api/v1/security/responses',
      token: org.owner.token,
      payload: { kind: 'lock_account', userId: user.id, durationMinutes: 60 },
    });
    expect(lock.statusCode).toBe(201);
    const intoLocker = await signIn(user.email, PASSWORD, '198.51.100.34', { organization: org.id });
    expect(intoLocker.json().error.code).toBe('ACCOUNT_LOCKED');
    const intoOther = await signIn(user.email, PASSWORD, '198.51.100.34', { organization: other.id });
    expect(intoOther.statusCode).toBe(200);
  });
});
