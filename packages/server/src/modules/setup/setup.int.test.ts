import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, PASSWORD, type TestApp } from '../../../test/harness';

describe.each(backends)('first-run setup (%s)', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend);
  });
  afterAll(() => t.close());

  it('creates the first super admin and organization once, with the newest one-time link', async () => {
    expect((await t.inject({ url: '/api/v1/setup' })).json()).toEqual({ required: true });
    const oldLink = await t.services.setup.issueSetupLink();
    const link = await t.services.setup.issueSetupLink();
    expect(link).toMatch(/^http:\/\/custos\.test\/setup#token=[A-Za-z0-9_-]{43}$/);
    const token = new URL(link ?? '').hash.slice('#token='.length);
    const oldToken = new URL(oldLink ?? '').hash.slice('#token='.length);
    const body = {
      email: 'root@example.com',
      name: 'Root',
      password: PASSWORD,
      organizationName: 'First Org',
    };

    const weak = await t.inject({
      method: 'POST',
      url: '/api/v1/setup',
      payload: { ...body, token, password: 'short' },
    });
    expect(weak.json().error.code).toBe('PASSWORD_TOO_SHORT');
    const bad = await t.inject({
      method: 'POST',
      url: '/api/v1/setup',
      payload: { ...body, token, email: 'x' },
    });
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
    const stale = await t.inject({
      method: 'POST',
      url: '/api/v1/setup',
      payload: { ...body, token: oldToken },
    });
    expect(stale.json().error.code).toBe('SETUP_TOKEN_INVALID');
    const forged = await t.inject({
      method: 'POST',
      url: '/api/v1/setup',
      payload: { ...body, token: 'guess' },
    });
    expect(forged.statusCode).toBe(400);
    expect(await t.count('users')).toBe(0);

    const ok = await t.inject({ method: 'POST', url: '/api/v1/setup', payload: { ...body, token } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({
      user: { email: 'root@example.com', isSuperAdmin: true },
      organization: { name: 'First Org' },
    });
    expect(ok.headers['set-cookie']).toBeDefined();
    const orgId = ok.json().organization.id;
    expect((await t.auditEvents(orgId)).map((e) => e.action)).toEqual([
      'user.signed_in',
      'organization.created',
      'user.created',
    ]);

    expect((await t.inject({ url: '/api/v1/setup' })).json()).toEqual({ required: false });
    const again = await t.inject({
      method: 'POST',
      url: '/api/v1/setup',
      payload: { ...body, token, email: 'second@example.com' },
    });
    expect(again.statusCode).toBe(403);
    expect(again.json().error.code).toBe('SETUP_ALREADY_DONE');
    expect(await t.services.setup.issueSetupLink()).toBeNull();
    await expect(t.signIn('root@example.com')).resolves.toBeTruthy();
  });
});
