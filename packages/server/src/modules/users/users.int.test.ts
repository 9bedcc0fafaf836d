import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, PASSWORD, type TestApp, type TestOrg } from '../../../test/harness';

interface ListedUser {
  id: string;
  email: string;
  name: string;
  disabledAt: string | null;
  mfaEnabled: boolean;
  organizations: Array<{ id: string; name: string }>;
}

describe.each(backends)('users directory (%s)', (backend) => {
  let t: TestApp;
  let platform: TestOrg;
  let tenant: TestOrg;

  beforeAll(async () => {
    t = await createTestApp(backend);
    platform = await t.createOrganization('Platform', { superAdmin: true });
    tenant = await t.createOrganization('Tenant');
  });
  afterAll(() => t.close());

  const list = (query: string, token = platform.owner.token) =>
    t.inject({ url: `/api/v1/admin/users${query}`, token });
  const disableWith = (id: string, payload: unknown, token = platform.owner.token) =>
    t.inject({ method: 'POST', url: `/api/v1/admin/users/${id}/disable`, token, payload });
  const disable = (id: string, reason = 'left the company', token = platform.owner.token) =>
    disableWith(id, { reason }, token);
  const enable = (id: string, token = platform.owner.token) =>
    t.inject({ method: 'POST', url: `/api/v1/admin/users/${id}/enable`, token });
  const users = (res: { json: () => { users: ListedUser[] } }) => res.json().users;

  it('lists users with their organizations and MFA state, and no secrets', async () => {
    const member = await t.addMember(tenant, ['member']);
    await t.enrollTotp(member.token);
    const res = await list('');
    expect(res.statusCode).toBe(200);
    const found = users(res).find((u) => u.id === member.id);
    expect(found).toMatchObject({
      email: member.email,
      disabledAt: null,
      mfaEnabled: true,
      organizations: [{ id: tenant.id, name: 'Tenant' }],
    });
    expect(users(res).find((u) => u.id === platform.owner.id)).toMatchObject({ isSuperAdmin: true });
    expect(res.body).not.toMatch(/passwordHash|argon2/);
  });

  it('searches by name and e-mail, case-insensitively, with % and _ taken literally', async () => {
    const make = async (name: string, email = t.uniqueEmail('search')) => {
      const m = await t.addMember(tenant, ['member'], email);
      await t.db.updateTable('users').set({ name }).where('id', '=', m.id).execute();
      return m;
    };
    const percent = await make('Discount 50% Person');
    const fifty = await make('Discount 50 Percent Person');
    const underscore = await make('Snake_Case Person');
    const letter = await make('SnakeXCase Person');
    const mailed = await make('Plain Person', `under_score.${Date.now()}@example.com`);
    const ids = (res: { json: () => { users: ListedUser[] } }) => users(res).map((u) => u.id);

    expect(ids(await list('?q=discount%2050%25'))).toEqual([percent.id]);
    expect(ids(await list('?q=%25'))).toEqual([percent.id]);
    const snake = ids(await list('?q=snake_case'));
    expect(snake).toEqual([underscore.id]);
    expect(snake).not.toContain(letter.id);
    expect(ids(await list('?q=SNAKEXCASE'))).toEqual([letter.id]);
    expect(ids(await list('?q=DISCOUNT'))).toEqual(expect.arrayContaining([percent.id, fifty.id]));
    expect(ids(await list(`?q=${encodeURIComponent(mailed.email.toUpperCase())}`))).toEqual([mailed.id]);
    const byUnderscore = ids(await list('?q=_'));
    expect(byUnderscore).toEqual(expect.arrayContaining([underscore.id, mailed.id]));
    expect(byUnderscore).not.toContain(letter.id);
    expect(ids(await list('?q=no-such-person-anywhere'))).toEqual([]);
    // A backslash is a character too, not an escape.
    expect(ids(await list(`?q=${encodeURIComponent('\\')}`))).toEqual([]);
  });

  it('honours the limit and rejects bad queries', async () => {
    expect(users(await list('?limit=1'))).toHaveLength(1);
    expect(users(await list('?limit=2'))).toHaveLength(2);
    for (const query of ['?limit=0', '?limit=201', '?limit=abc', `?q=${'x'.repeat(201)}`]) {
      const res = await list(query);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    }
  });

  it('is for super admins only: members and owners get 403, API keys 403, anonymous 401', async () => {
    const member = await t.addMember(tenant, ['admin']);
    for (const token of [tenant.owner.token, member.token]) {
      const res = await list('', token);
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('SUPER_ADMIN_REQUIRED');
      const dis = await disable(member.id, 'some reason', token);
      expect(dis.statusCode).toBe(403);
      expect(dis.json().error.code).toBe('SUPER_ADMIN_REQUIRED');
      const en = await enable(member.id, token);
      expect(en.statusCode).toBe(403);
      expect(en.json().error.code).toBe('SUPER_ADMIN_REQUIRED');
    }
    // Even a key made in the super admin's own organization acts for no person.
    const key = await t.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      token: platform.owner.token,
      payload: { name: 'platform key', permissions: ['audit:read', 'members:manage'] },
    });
    expect(key.statusCode).toBe(201);
    const secret = key.json().secret;
    for (const res of [
      await list('', secret),
      await disable(member.id, 'some reason', secret),
      await enable(member.id, secret),
    ]) {
      expect(res.statusCode).toBe(403);
    }
    expect((await t.inject({ url: '/api/v1/admin/users' })).statusCode).toBe(401);
    expect(
      (
        await t.inject({
          method: 'POST',
          url: `/api/v1/admin/users/${member.id}/disable`,
          payload: { reason: 'anonymous' },
        })
      ).statusCode,
    ).toBe(401);
    const row = await t.db
      .selectFrom('users')
      .select('disabledAt')
      .where('id', '=', member.id)
      .executeTakeFirst();
    expect(row?.disabledAt).toBeNull();
  });

  it('disables an account: needs a reason and step-up, ends every session at once, audits it in the platform log', async () => {
    const member = await t.addMember(tenant, ['member']);
    const second = await t.signIn(member.email);
    for (const payload of [{}, { reason: '' }, { reason: 'no' }, { reason: '   ' }, { reason: 5 }]) {
      const res = await disableWith(member.id, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    }
    expect((await disable('not-a-uuid')).statusCode).toBe(400);

    const admin = await t.signIn(platform.owner.email);
    await t.expireStepUp(admin);
    const stale = await disable(member.id, 'left the company', admin);
    expect(stale.statusCode).toBe(403);
    expect(stale.json().error.code).toBe('STEP_UP_REQUIRED');
    expect(stale.json().error.details).toEqual({ methods: ['password'] });
    expect((await t.inject({ url: '/api/v1/me', token: member.token })).statusCode).toBe(200);

    const res = await disable(member.id, 'left the company');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: member.id, email: member.email, disabledAt: expect.any(String) });
    for (const token of [member.token, second]) {
      const me = await t.inject({ url: '/api/v1/me', token });
      expect(me.statusCode).toBe(401);
    }
    const signIn = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: member.email, password: PASSWORD, tokenType: 'bearer' },
    });
    expect(signIn.statusCode).toBe(401);
    expect(signIn.json().error.code).toBe('INVALID_CREDENTIALS');

    const event = (await t.auditEvents('platform')).find(
      (e) => e.action === 'user.disabled' && e.requestId === res.headers['x-request-id'],
    );
    expect(event).toMatchObject({
      organizationId: null,
      actor: { type: 'user', id: platform.owner.id },
      targets: [{ type: 'user', id: member.id }],
      metadata: { reason: 'left the company', sessionsEnded: 2 },
    });
    // The tenant's log does not hold the platform's decision.
    expect((await t.auditEvents(tenant.id)).some((e) => e.action === 'user.disabled')).toBe(false);

    const twice = await disable(member.id, 'again');
    expect(twice.statusCode).toBe(409);
    expect(users(await list(`?q=${encodeURIComponent(member.email)}`))[0]?.disabledAt).toEqual(
      expect.any(String),
    );
  });

  it('enables an account again: sign-in works, user.enabled is audited, enabling twice is 409', async () => {
    const member = await t.addMember(tenant, ['member']);
    expect((await disable(member.id)).statusCode).toBe(200);
    const res = await enable(member.id);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: member.id, disabledAt: null });
    const event = (await t.auditEvents('platform')).find(
      (e) => e.action === 'user.enabled' && e.requestId === res.headers['x-request-id'],
    );
    expect(event).toMatchObject({
      actor: { type: 'user', id: platform.owner.id },
      targets: [{ type: 'user', id: member.id }],
    });
    // Sessions ended by disabling stay ended; a new sign-in works.
    expect((await t.inject({ url: '/api/v1/me', token: member.token })).statusCode).toBe(401);
    await expect(t.signIn(member.email)).resolves.toEqual(expect.any(String));
    const twice = await enable(member.id);
    expect(twice.statusCode).toBe(409);
  });

  it('cannot disable yourself; unknown ids are 404 USER_NOT_FOUND', async () => {
    const self = await disable(platform.owner.id);
    expect(self.statusCode).toBe(403);
    expect((await t.inject({ url: '/api/v1/me', token: platform.owner.token })).statusCode).toBe(200);
    for (const res of [await disable(randomUUID()), await enable(randomUUID())]) {
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('USER_NOT_FOUND');
    }
  });

  it('records refused changes only as denials', async () => {
    const member = await t.addMember(tenant, ['member']);
    const changes = async () => {
      const rows = await t.db
        .selectFrom('auditEvents')
        .select('id')
        .where('action', '!=', 'access.denied')
        .execute();
      return rows.length;
    };
    const before = await changes();
    await disable(member.id, 'x');
    await disable(randomUUID());
    await enable(member.id);
    await disable(platform.owner.id);
    await disable(member.id, 'tenant owner tries', tenant.owner.token);
    expect(await changes()).toBe(before);
    const denied = (await t.auditEvents(tenant.id)).find(
      (e) => e.action === 'access.denied' && e.actor.id === tenant.owner.id,
    );
    expect(denied?.metadata).toMatchObject({ code: 'SUPER_ADMIN_REQUIRED' });
  });
});
