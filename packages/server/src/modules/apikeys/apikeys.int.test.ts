import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, type TestApp, type TestOrg } from '../../../test/harness';
import { hashToken } from '../../platform/crypto/tokens';

describe.each(backends)('API keys (%s)', (backend) => {
  let t: TestApp;
  let org: TestOrg;
  let other: TestOrg;

  beforeAll(async () => {
    t = await createTestApp(backend);
    org = await t.createOrganization('Keys Co');
    other = await t.createOrganization('Other Keys');
  });
  afterAll(() => t.close());

  const create = (token: string, payload: unknown) =>
    t.inject({ method: 'POST', url: '/api/v1/api-keys', token, payload });

  it('creates a key shown once, stored hashed, that authenticates as the organization', async () => {
    const res = await create(org.owner.token, {
      name: 'Band app',
      permissions: ['members:read', 'audit:read'],
    });
    expect(res.statusCode).toBe(201);
    const { apiKey, secret } = res.json();
    expect(secret).toMatch(/^custos_[A-Za-z0-9_-]{8}_[A-Za-z0-9_-]{43}$/);
    expect(secret.startsWith(apiKey.prefix)).toBe(true);
    expect(apiKey).toMatchObject({
      name: 'Band app',
      permissions: ['audit:read', 'members:read'],
      lastUsedAt: null,
      revokedAt: null,
      createdBy: { id: org.owner.id },
    });
    const row = await t.db
      .selectFrom('apiKeys')
      .selectAll()
      .where('id', '=', apiKey.id)
      .executeTakeFirstOrThrow();
    expect(row.keyHash).toBe(hashToken(secret));
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(await t.lastAuditEvent(org.id)).toMatchObject({
      action: 'api_key.created',
      targets: [{ type: 'api_key', id: apiKey.id }],
    });

    const members = await t.inject({ url: '/api/v1/members', token: secret });
    expect(members.statusCode).toBe(200);
    expect(members.json().members.map((m: { userId: string }) => m.userId)).toContain(org.owner.id);
    const notGranted = await t.inject({ url: '/api/v1/api-keys', token: secret });
    expect(notGranted.statusCode).toBe(403);
    const listed = await t.inject({ url: '/api/v1/api-keys', token: org.owner.token });
    const listedKey = listed.json().apiKeys.find((k: { id: string }) => k.id === apiKey.id);
    expect(listedKey.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(listed.json())).not.toContain(secret);
    // a key is not a user: no /me, no key minting
    expect((await t.inject({ url: '/api/v1/me', token: secret })).statusCode).toBe(403);
  });

  it('revokes a key, which stops working at once; a second revoke is a conflict', async () => {
    const { apiKey, secret } = (
      await create(org.owner.token, { name: 'Temp', permissions: ['members:read'] })
    ).json();
    const res = await t.inject({
      method: 'DELETE',
      url: `/api/v1/api-keys/${apiKey.id}`,
      token: org.owner.token,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().revokedAt).not.toBeNull();
    expect(await t.lastAuditEvent(org.id)).toMatchObject({ action: 'api_key.revoked' });
    expect((await t.inject({ url: '/api/v1/members', token: secret })).statusCode).toBe(401);
    expect(
      (await t.inject({ method: 'DELETE', url: `/api/v1/api-keys/${apiKey.id}`, token: org.owner.token }))
        .statusCode,
    ).toBe(409);
  });

  it('rejects expired keys', async () => {
    const { apiKey, secret } = (
      await create(org.owner.token, { name: 'Short', permissions: ['members:read'], expiresInDays: 1 })
    ).json();
    expect(apiKey.expiresAt).not.toBeNull();
    await t.db
      .updateTable('apiKeys')
      .set({ expiresAt: '2001-01-01T00:00:00.000Z' })
      .where('id', '=', apiKey.id)
      .execute();
    expect((await t.inject({ url: '/api/v1/members', token: secret })).statusCode).toBe(401);
  });

  it('rejects bad input and ungrantable permissions without writing', async () => {
    const before = await t.count('apiKeys');
    for (const payload of [
      { name: '', permissions: ['audit:read'] },
      { name: 'x', permissions: [] },
      { name: 'x', permissions: ['root:all'] },
      { name: 'x', permissions: ['audit:read'], expiresInDays: 0 },
    ]) {
      const res = await create(org.owner.token, payload);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    }
    const analyst = await t.addMember(org, ['auditor']);
    const denied = await create(analyst.token, { name: 'x', permissions: ['audit:read'] });
    expect(denied.statusCode).toBe(403);
    const someKey = (await t.inject({ url: '/api/v1/api-keys', token: org.owner.token })).json().apiKeys[0];
    const revokeDenied = await t.inject({
      method: 'DELETE',
      url: `/api/v1/api-keys/${someKey.id}`,
      token: analyst.token,
    });
    expect(revokeDenied.statusCode).toBe(403);
    expect((await t.inject({ url: '/api/v1/api-keys', token: analyst.token })).statusCode).toBe(403);
    const badId = await t.inject({
      method: 'DELETE',
      url: '/api/v1/api-keys/not-a-uuid',
      token: org.owner.token,
    });
    expect(badId.json().error.code).toBe('VALIDATION_FAILED');
    // A caller holding apikeys:manage but not audit:write cannot mint a key with audit:write.
    const admin = await t.addMember(org, ['admin']);
    const caller = await t.services.auth.authenticate(admin.token, {
      ip: null,
      userAgent: null,
      requestId: null,
      source: 'api',
    });
    if (!caller) throw new Error('admin session expected');
    const limited = {
      ...caller,
      permissions: new Set([...caller.permissions].filter((p) => p !== 'audit:write')),
    };
    await expect(
      t.services.apiKeys.create(limited, { name: 'x', permissions: ['audit:write'] }),
    ).rejects.toMatchObject({
      status: 403,
      code: 'PERMISSION_NOT_GRANTABLE',
    });
    const hostKey = await create(admin.token, { name: 'Host app', permissions: ['audit:write'] });
    expect(hostKey.statusCode).toBe(201);
    expect(await t.count('apiKeys')).toBe(before + 1);
  });

  it("answers 404 for another tenant's key", async () => {
    const { apiKey } = (
      await create(other.owner.token, { name: 'Theirs', permissions: ['members:read'] })
    ).json();
    const res = await t.inject({
      method: 'DELETE',
      url: `/api/v1/api-keys/${apiKey.id}`,
      token: org.owner.token,
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('API_KEY_NOT_FOUND');
    const list = await t.inject({ url: '/api/v1/api-keys', token: org.owner.token });
    expect(list.json().apiKeys.some((k: { id: string }) => k.id === apiKey.id)).toBe(false);
    const still = await t.db
      .selectFrom('apiKeys')
      .select('revokedAt')
      .where('id', '=', apiKey.id)
      .executeTakeFirstOrThrow();
    expect(still.revokedAt).toBeNull();
  });
});
