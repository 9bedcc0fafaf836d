import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATFORM_LOG } from '../src/modules/audit';
import { backends, createTestApp, PASSWORD, type TestApp, type TestOrg, type TestUser } from './harness';

/**
 * The trust model under attack, with the default limits (30 attempts per IP, 10 per account, per
 * 15 minutes): a device token is proof and nobody else can fill its limits; a familiar IP is weak
 * evidence shared by everyone behind the same NAT; refusals are summarised, not stored one by one;
 * credential stuffing is capped when the attempt is made. On SQLite and PostgreSQL, with counters
 * in memory and, when a test Redis is given, in Redis.
 */
const redisUrl = process.env.CUSTOS_TEST_REDIS_URL;
const variants = backends.flatMap((backend) => [
  { name: `${backend}, memory`, backend, redis: null as string | null },
  ...(redisUrl ? [{ name: `${backend}, redis`, backend, redis: redisUrl }] : []),
]);

describe.each(variants)('sign-in trust holds on shared networks and under floods ($name)', (variant) => {
  let t: TestApp;
  let org: TestOrg;
  // Addresses of this run and variant only: Redis outlives a run, and counters are kept per IP.
  const prefix = `10.${randomInt(1, 255)}.${randomInt(0, 255)}`;
  let nextIp = 1;
  const freshIp = () => `${prefix}.${nextIp++ % 250}`;

  beforeAll(async () => {
    t = await createTestApp(variant.backend, {
      // The real limits, not the harness' generous ones.
      config: {
        CUSTOS_SIGN_IN_LIMIT_PER_IP: '30',
        CUSTOS_SIGN_IN_LIMIT_PER_ACCOUNT: '10',
        ...(variant.redis ? { CUSTOS_REDIS_URL: variant.redis } : {}),
      },
    });
    org = await t.createOrganization('Shared Network Co');
  });
  afterAll(() => t.close());

  const signIn = (email: string, password: string, remoteAddress: string, device?: string) =>
    t.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email, password },
      remoteAddress,
      ...(device ? { cookies: { custos_device: device } } : {}),
    });

  /** A member who signed in once from `ip` in a browser; answers the browser's device cookie. */
  async function memberOn(ip: string): Promise<{ user: TestUser; device: string }> {
    const user = await t.addMember(org, ['member']);
    const res = await signIn(user.email, PASSWORD, ip);
    expect(res.statusCode).toBe(200);
    const device = res.cookies.find((c) => c.name === 'custos_device')?.value ?? '';
    expect(device).not.toBe('');
    return { user, device };
  }

  async function securityEvents(type: string) {
    await t.services.threats.pipeline.idle();
    const res = await t.inject({ url: `/api/v1/security/events?type=${type}`, token: org.owner.token });
    expect(res.statusCode).toBe(200);
    return res.json().events as Array<{ subject: { id: string }; sourceIp: string | null; count: number }>;
  }

  async function throttledRows(logId: string) {
    await t.services.throttledSignIns.flush({ all: true });
    return (await t.auditEvents(logId, 5000)).filter((e) => e.action === 'auth.sign_in_throttled');
  }

  it.each([10, 1000])(
    '%i wrong guesses from a network the victim once used never refuse their device token anywhere',
    async (guesses) => {
      const office = freshIp();
      const { user, device } = await memberOn(office);
      const answers = new Map<number, number>();
      for (let i = 0; i < guesses; i++) {
        const code = (await signIn(user.email, `guess ${i}`, office)).statusCode;
        answers.set(code, (answers.get(code) ?? 0) + 1);
      }
      // The shared address is limited: at most ten guesses reached the password check.
      expect(answers.get(401) ?? 0).toBeLessThanOrEqual(10);
      if (guesses > 30) expect(answers.get(429) ?? 0).toBeGreaterThan(guesses - 40);
      // The owner's browser gets in from the attacker's network, from anywhere else, and again.
      for (const from of [office, freshIp(), office]) {
        expect((await signIn(user.email, PASSWORD, from, device)).statusCode).toBe(200);
      }
      // And the guessing was seen: a familiar IP proves nothing.
      const raised = (await securityEvents('brute_force_account')).filter((e) => e.subject.id === user.id);
      expect(raised).toHaveLength(1);
      expect(raised[0]?.sourceIp).toBe(office);
    },
  );

  it("a flood from the victim's own address (one IP for everyone) never refuses their device token", async () => {
    const shared = freshIp();
    const { user, device } = await memberOn(shared);
    const { user: colleague } = await memberOn(shared);
    // Someone on the same address tries every account there and floods the address' limit.
    for (let i = 0; i < 200; i++) await signIn(i % 2 ? user.email : colleague.email, `x${i}`, shared);
    expect((await signIn(colleague.email, PASSWORD, shared)).statusCode).toBe(429);
    expect((await signIn(user.email, PASSWORD, shared, device)).statusCode).toBe(200);
    // A stolen-looking cookie of another account is no proof for this one.
    expect((await signIn(colleague.email, PASSWORD, shared, device)).statusCode).toBe(429);
  });

  it("the owner's own successful sign-ins never count against them", async () => {
    const home = freshIp();
    const { user, device } = await memberOn(home);
    for (let i = 0; i < 15; i++) {
      expect((await signIn(user.email, PASSWORD, home, device)).statusCode).toBe(200);
      // From the familiar address without the cookie too (a second browser at home).
      expect((await signIn(user.email, PASSWORD, home)).statusCode).toBe(200);
    }
  });

  it('wrong guesses with the device token are limited per token, and only the holder fills it', async () => {
    const home = freshIp();
    const { user, device } = await memberOn(home);
    const codes: number[] = [];
    for (let i = 0; i < 12; i++)
      codes.push((await signIn(user.email, `mine ${i}`, freshIp(), device)).statusCode);
    expect(codes.filter((c) => c === 401)).toHaveLength(10);
    expect(codes.slice(10)).toEqual([429, 429]);
    // The owner's own browser mistyping is not an attack on them, refused attempts included.
    const raised = (await securityEvents('brute_force_account')).filter((e) => e.subject.id === user.id);
    expect(raised).toHaveLength(0);
  });

  it('a device token the account never signed in with is not adopted: the browser gets its own', async () => {
    const home = freshIp();
    const { user: first, device } = await memberOn(home);
    const second = await t.addMember(org, ['member']);
    // The first account's token is sent (planted, or a shared browser) with the second's sign-in.
    const planted = await signIn(second.email, PASSWORD, home, device);
    expect(planted.statusCode).toBe(200);
    const own = planted.cookies.find((c) => c.name === 'custos_device')?.value ?? '';
    expect(own).not.toBe('');
    expect(own).not.toBe(device);
    // The planted token is no proof for the second account; its own fresh token is.
    for (let i = 0; i < 12; i++) await signIn(first.email, `typo ${i}`, freshIp(), device);
    expect((await signIn(first.email, PASSWORD, freshIp(), device)).statusCode).toBe(429);
    expect((await signIn(second.email, PASSWORD, freshIp(), own)).statusCode).toBe(200);
  });

  it('a flood of refused attempts writes at most one summary per account, source and window', async () => {
    const attacker = freshIp();
    const { user } = await memberOn(freshIp());
    const before = await t.count('auditEvents');
    let refused = 0;
    for (let i = 0; i < 400; i++) {
      const res = await signIn(user.email, `flood ${i}`, attacker);
      if (res.statusCode === 429) refused += 1;
    }
    expect(refused).toBeGreaterThan(380);
    const rows = (await throttledRows(org.id)).filter((e) => e.actor.id === user.id);
    expect(rows).toHaveLength(1);
    const summary = rows[0];
    expect(summary?.actor.ip).toBe(attacker);
    expect(summary?.metadata).toMatchObject({ count: refused, windowSeconds: 300 });
    expect(
      Object.values(
        (summary?.metadata as { reasons?: Record<string, number> } | undefined)?.reasons ?? {},
      ).reduce((a, b) => a + b, 0),
    ).toBe(refused);
    // The attempts that reached the password check (a handful) plus one summary, not 400 events.
    expect((await t.count('auditEvents')) - before).toBeLessThan(40);
  });

  it('a source trying many addresses gets a bounded number of summaries', async () => {
    const attacker = freshIp();
    const before = await t.count('auditEvents');
    for (let i = 0; i < 300; i++) await signIn(`nobody.${i}.${attacker}@example.com`, 'x', attacker);
    const platform = (await throttledRows(PLATFORM_LOG)).filter((e) => e.actor.ip === attacker);
    // 20 accounts get their own summary; the rest share one that says how many accounts it covers.
    expect(platform.length).toBeLessThanOrEqual(21);
    const rest = platform.find((e) => (e.metadata as { accounts?: number }).accounts !== undefined);
    expect(rest).toBeDefined();
    expect((await t.count('auditEvents')) - before).toBeLessThan(30 + 25);
  });

  it('16 parallel stuffing tasks check no more accounts than the threshold allows', async () => {
    const attacker = freshIp();
    const emails = Array.from({ length: 48 }, (_, i) => `stuffed.${i}.${attacker}@example.com`);
    const queue = [...emails];
    const reachedPassword: string[] = [];
    const task = async () => {
      for (let email = queue.shift(); email; email = queue.shift()) {
        const res = await signIn(email, 'leaked password', attacker);
        if (res.statusCode === 401) reachedPassword.push(email);
      }
    };
    await Promise.all(Array.from({ length: 16 }, task));
    // The default threshold is 5 distinct accounts per IP.
    expect(reachedPassword.length).toBeLessThanOrEqual(5);
    expect(reachedPassword.length).toBeGreaterThan(0);
  });

  it('addresses of one IPv6 /64 are one source: spreading over them buys nothing', async () => {
    const net = `2001:db8:${randomInt(1, 0xffff).toString(16)}:${randomInt(1, 0xffff).toString(16)}`;
    const reached: number[] = [];
    for (let i = 0; i < 40; i++) {
      const res = await signIn(`v6.${i}.${net}@example.com`, 'leaked', `${net}::${(i + 1).toString(16)}`);
      if (res.statusCode === 401) reached.push(i);
    }
    // The stuffing cap (5 accounts) holds across the /64, as it does for one IPv4 address.
    expect(reached.length).toBeLessThanOrEqual(5);
  });

  it('a stuffing run that ends on unknown addresses is raised in the organization it attacked', async () => {
    const attacker = freshIp();
    const victims = [await t.addMember(org, ['member']), await t.addMember(org, ['member'])];
    for (const victim of victims)
      expect((await signIn(victim.email, 'leaked', attacker)).statusCode).toBe(401);
    for (let i = 0; i < 3; i++) {
      expect((await signIn(`ghost.${i}.${attacker}@example.com`, 'leaked', attacker)).statusCode).toBe(401);
    }
    const raised = (await securityEvents('credential_stuffing')).filter((e) => e.subject.id === attacker);
    expect(raised).toHaveLength(1);
    // The next account from there is refused before its password is checked.
    expect(
      (await signIn(`ghost.9.${attacker}@example.com`, 'leaked', attacker)).statusCode,
    ).toBeGreaterThanOrEqual(403);
  });
});
