import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, type TestApp, type TestOrg, type TestUser } from '../../../test/harness';

describe.each(backends)('privacy data map (%s)', (backend) => {
  let t: TestApp;
  let org: TestOrg;
  let other: TestOrg;
  let member: TestUser;

  beforeAll(async () => {
    t = await createTestApp(backend);
    org = await t.createOrganization('Data Map Org');
    other = await t.createOrganization('Other Map Org');
    member = await t.addMember(org, ['member']);
  });
  afterAll(() => t.close());

  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    token?: string,
    payload?: unknown,
  ) => t.inject({ method, url, ...(token ? { token } : {}), ...(payload !== undefined ? { payload } : {}) });

  it('gives every organization the built-in Custos system, which cannot be deleted or renamed', async () => {
    const res = await call('GET', '/api/v1/privacy/systems', org.owner.token);
    expect(res.statusCode).toBe(200);
    const custos = res.json().systems.find((s: { kind: string }) => s.kind === 'custos');
    expect(custos.name).toBe('Custos');
    expect(custos.categories.map((c: { categoryKey: string }) => c.categoryKey)).toContain('contact.email');
    // A second read does not make a second one.
    const again = await call('GET', '/api/v1/privacy/systems', org.owner.token);
    expect(again.json().systems.filter((s: { kind: string }) => s.kind === 'custos')).toHaveLength(1);

    const before = await t.count('auditEvents');
    const del = await call('DELETE', `/api/v1/privacy/systems/${custos.id}`, org.owner.token);
    expect(del.statusCode).toBe(409);
    expect(del.json().error.code).toBe('PRIVACY_SYSTEM_BUILT_IN');
    const rename = await call('PATCH', `/api/v1/privacy/systems/${custos.id}`, org.owner.token, {
      name: 'X',
    });
    expect(rename.statusCode).toBe(409);
    expect(await t.count('auditEvents')).toBe(before);
  });

  it('registers, changes and removes a host system with categories, purposes and retention', async () => {
    const created = await call('POST', '/api/v1/privacy/systems', org.owner.token, {
      name: 'Billing',
      owner: 'Finance team',
      connector: { webhookUrl: 'https://billing.example.com/custos', polling: true },
      subjectTypes: ['customers'],
      storageCountry: 'de',
      recipients: ['Payment processor'],
      categories: [
        {
          categoryKey: 'financial.payment_card',
          purposes: [{ purpose: 'Take payments', lawfulBasis: 'contract' }],
          retention: { periodDays: 3650, trigger: 'since_account_closure', action: 'delete' },
          erasureStrategy: 'crypto_shred',
        },
      ],
    });
    expect(created.statusCode).toBe(201);
    const system = created.json();
    expect(system.webhookSecret).toMatch(/^whsec_/);
    expect(system.connector).toMatchObject({ polling: true, secretHint: system.webhookSecret.slice(-4) });
    expect(system.storageCountry).toBe('DE');
    expect(system.categories[0]).toMatchObject({
      categoryKey: 'financial.payment_card',
      erasureStrategy: 'crypto_shred',
    });
    expect((await t.lastAuditEvent(org.id))?.action).toBe('privacy_system.created');

    const listed = await call('GET', `/api/v1/privacy/systems/${system.id}`, org.owner.token);
    expect(listed.json()).not.toHaveProperty('webhookSecret');

    const patched = await call('PATCH', `/api/v1/privacy/systems/${system.id}`, org.owner.token, {
      enabled: false,
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().enabled).toBe(false);

    const duplicate = await call('POST', '/api/v1/privacy/systems', org.owner.token, { name: 'Billing' });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().error.code).toBe('PRIVACY_SYSTEM_NAME_TAKEN');

    const map = await call('GET', '/api/v1/privacy/data-map', org.owner.token);
    expect(map.statusCode).toBe(200);
    expect(map.json().activities).toContainEqual(
      expect.objectContaining({ systemName: 'Billing', lawfulBasis: 'contract', purpose: 'Take payments' }),
    );

    const removed = await call('DELETE', `/api/v1/privacy/systems/${system.id}`, org.owner.token);
    expect(removed.statusCode).toBe(200);
    expect((await t.lastAuditEvent(org.id))?.action).toBe('privacy_system.deleted');
  });

  it('refuses bad input and unknown category keys with nothing written', async () => {
    const systems = await t.count('privacySystems');
    const audits = await t.count('auditEvents');
    const unknown = await call('POST', '/api/v1/privacy/systems', org.owner.token, {
      name: 'Shop',
      categories: [{ categoryKey: 'contact.carrier_pigeon', purposes: [] }],
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.code).toBe('PRIVACY_CATEGORY_UNKNOWN');
    const badBasis = await call('POST', '/api/v1/privacy/systems', org.owner.token, {
      name: 'Shop',
      categories: [{ categoryKey: 'contact.email', purposes: [{ purpose: 'x', lawfulBasis: 'because' }] }],
    });
    expect(badBasis.statusCode).toBe(400);
    const noName = await call('POST', '/api/v1/privacy/systems', org.owner.token, { name: '' });
    expect(noName.statusCode).toBe(400);
    const badUrl = await call('POST', '/api/v1/privacy/systems', org.owner.token, {
      name: 'Shop',
      connector: { webhookUrl: 'ftp://example.com' },
    });
    expect(badUrl.statusCode).toBe(400);
    expect(await t.count('privacySystems')).toBe(systems);
    expect(await t.count('auditEvents')).toBe(audits);
  });

  it('lets the organization add its own categories and use them, and keeps used ones', async () => {
    const created = await call('POST', '/api/v1/privacy/categories', org.owner.token, {
      slug: 'loyalty_tier',
      name: 'Loyalty tier',
    });
    expect(created.statusCode).toBe(201);
    const category = created.json();
    expect(category.key).toBe('custom.loyalty_tier');
    const again = await call('POST', '/api/v1/privacy/categories', org.owner.token, {
      slug: 'loyalty_tier',
      name: 'X',
    });
    expect(again.statusCode).toBe(409);

    const sys = await call('POST', '/api/v1/privacy/systems', org.owner.token, { name: 'CRM' });
    const put = await call('PUT', `/api/v1/privacy/systems/${sys.json().id}/categories`, org.owner.token, {
      categories: [
        { categoryKey: 'custom.loyalty_tier', purposes: [{ purpose: 'Rewards', lawfulBasis: 'consent' }] },
      ],
    });
    expect(put.statusCode).toBe(200);
    expect(put.json().categories[0]).toMatchObject({
      categoryKey: 'custom.loyalty_tier',
      name: 'Loyalty tier',
    });

    // Another organization does not have it.
    const otherSys = await call('POST', '/api/v1/privacy/systems', other.owner.token, {
      name: 'CRM',
      categories: [{ categoryKey: 'custom.loyalty_tier' }],
    });
    expect(otherSys.statusCode).toBe(400);

    const inUse = await call('DELETE', `/api/v1/privacy/categories/${category.id}`, org.owner.token);
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json().error.code).toBe('PRIVACY_CATEGORY_IN_USE');
    const renamed = await call('PATCH', `/api/v1/privacy/categories/${category.id}`, org.owner.token, {
      name: 'Loyalty level',
    });
    expect(renamed.json().name).toBe('Loyalty level');
    await call('PUT', `/api/v1/privacy/systems/${sys.json().id}/categories`, org.owner.token, {
      categories: [],
    });
    const deleted = await call('DELETE', `/api/v1/privacy/categories/${category.id}`, org.owner.token);
    expect(deleted.statusCode).toBe(200);
    expect((await t.lastAuditEvent(org.id))?.action).toBe('privacy_category.deleted');
  });

  it('lets a host app register its system with an API key', async () => {
    const key = await call('POST', '/api/v1/api-keys', org.owner.token, {
      name: 'host app',
      permissions: ['privacy:manage', 'privacy:read'],
    });
    const res = await call('POST', '/api/v1/privacy/systems', key.json().secret, {
      name: 'Host App',
      connector: { webhookUrl: null, polling: true },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().kind).toBe('host');
  });

  it('refuses members without the permission, anonymous callers and other organizations', async () => {
    expect((await call('GET', '/api/v1/privacy/systems', member.token)).statusCode).toBe(403);
    expect((await call('GET', '/api/v1/privacy/data-map', member.token)).statusCode).toBe(403);
    expect((await call('POST', '/api/v1/privacy/systems', member.token, { name: 'Nope' })).statusCode).toBe(
      403,
    );
    expect(
      (await call('POST', '/api/v1/privacy/categories', member.token, { slug: 'nope', name: 'N' }))
        .statusCode,
    ).toBe(403);
    expect((await call('GET', '/api/v1/privacy/systems')).statusCode).toBe(401);
    expect((await call('GET', '/api/v1/privacy/categories')).statusCode).toBe(401);

    const mine = (await call('GET', '/api/v1/privacy/systems', org.owner.token)).json().systems[0];
    for (const [method, url, payload] of [
      ['GET', `/api/v1/privacy/systems/${mine.id}`, undefined],
      ['PATCH', `/api/v1/privacy/systems/${mine.id}`, { owner: 'me' }],
      ['DELETE', `/api/v1/privacy/systems/${mine.id}`, undefined],
      ['PUT', `/api/v1/privacy/systems/${mine.id}/categories`, { categories: [] }],
    ] as const) {
      const res = await call(method, url, other.owner.token, payload);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json().error.code).toBe('PRIVACY_SYSTEM_NOT_FOUND');
    }
    const cat = await call('POST', '/api/v1/privacy/categories', org.owner.token, {
      slug: 'private_one',
      name: 'P',
    });
    expect(
      (await call('DELETE', `/api/v1/privacy/categories/${cat.json().id}`, other.owner.token)).statusCode,
    ).toBe(404);
    expect(
      (await call('PATCH', `/api/v1/privacy/categories/${cat.json().id}`, other.owner.token, { name: 'Z' }))
        .statusCode,
    ).toBe(404);
  });
});
