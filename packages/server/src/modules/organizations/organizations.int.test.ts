import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, type TestApp, type TestOrg } from '../../../test/harness';

describe.each(backends)('organizations and outbox (%s)', (backend) => {
  let t: TestApp;
  let platform: TestOrg;
  let tenant: TestOrg;

  beforeAll(async () => {
    t = await createTestApp(backend);
    platform = await t.createOrganization('Platform Ops', { superAdmin: true });
    tenant = await t.createOrganization('Tenant');
  });
  afterAll(() => t.close());

  it('renames the current organization with organization:manage, audited', async () => {
    const res = await t.inject({
      method: 'PATCH',
      url: '/api/v1/organization',
      token: tenant.owner.token,
      payload: { name: 'Tenant Renamed' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().name).toBe('Tenant Renamed');
    expect(await t.lastAuditEvent(tenant.id)).toMatchObject({
      action: 'organization.updated',
      changes: { name: ['Tenant', 'Tenant Renamed'] },
    });
    expect(
      (
        await t.inject({
          method: 'PATCH',
          url: '/api/v1/organization',
          token: tenant.owner.token,
          payload: { name: 'x' },
        })
      ).statusCode,
    ).toBe(400);
    const member = await t.addMember(tenant, ['auditor']);
    expect(
      (
        await t.inject({
          method: 'PATCH',
          url: '/api/v1/organization',
          token: member.token,
          payload: { name: 'Hijacked' },
        })
      ).statusCode,
    ).toBe(403);
  });

  it('lets super admins list organizations with member counts; nobody else', async () => {
    const res = await t.inject({ url: '/api/v1/admin/organizations', token: platform.owner.token });
    expect(res.statusCode).toBe(200);
    const found = res.json().organizations.find((o: { id: string }) => o.id === tenant.id);
    expect(found.memberCount).toBeGreaterThanOrEqual(1);
    const denied = await t.inject({ url: '/api/v1/admin/organizations', token: tenant.owner.token });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.code).toBe('SUPER_ADMIN_REQUIRED');
  });

  it('creates an organization owned by the super admin, or invites another owner', async () => {
    const own = await t.inject({
      method: 'POST',
      url: '/api/v1/admin/organizations',
      token: platform.owner.token,
      payload: { name: 'Made By Admin' },
    });
    expect(own.statusCode).toBe(201);
    const orgId = own.json().organization.id;
    expect(own.json().inviteUrl).toBeUndefined();
    expect(await t.lastAuditEvent(orgId)).toMatchObject({ action: 'organization.created' });
    const me = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/switch-organization',
      token: platform.owner.token,
      payload: { organizationId: orgId },
    });
    expect(me.json().roles).toEqual(['owner']);
    // Switching organization is a privilege change: the session's token was replaced.
    expect(me.json().token).toEqual(expect.any(String));
    platform.owner.token = me.json().token;

    const invited = await t.inject({
      method: 'POST',
      url: '/api/v1/admin/organizations',
      token: platform.owner.token,
      payload: { name: 'Customer', ownerEmail: 'cto@customer.example' },
    });
    expect(invited.statusCode).toBe(201);
    expect(invited.json().inviteUrl).toMatch(/\/invite#token=/);
    const token = new URL(invited.json().inviteUrl).hash.slice('#token='.length);
    const preview = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations/preview',
      payload: { token },
    });
    expect(preview.json()).toMatchObject({ organizationName: 'Customer', email: 'cto@customer.example' });
    const events = (await t.auditEvents(invited.json().organization.id)).map((e) => e.action);
    expect(events).toEqual(['invitation.sent', 'organization.created']);
  });

  it('validates creation input and refuses non-super-admins', async () => {
    const createOrg = (token: string, payload: object) =>
      t.inject({ method: 'POST', url: '/api/v1/admin/organizations', token, payload });
    const before = await t.count('organizations');
    expect((await createOrg(platform.owner.token, { name: '' })).statusCode).toBe(400);
    expect((await createOrg(platform.owner.token, { name: 'Ok', ownerEmail: 'bad' })).statusCode).toBe(400);
    expect((await createOrg(tenant.owner.token, { name: 'Mine' })).statusCode).toBe(403);
    expect(await t.count('organizations')).toBe(before);
  });

  it('shows the outbox to super admins only', async () => {
    await t.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      token: tenant.owner.token,
      payload: { email: 'outboxed@example.com', roles: ['member'] },
    });
    const res = await t.inject({ url: '/api/v1/admin/outbox', token: platform.owner.token });
    expect(res.statusCode).toBe(200);
    const message = res.json().messages.find((m: { to: string }) => m.to === 'outboxed@example.com');
    expect(message).toMatchObject({ status: 'undelivered', organizationId: tenant.id });
    expect(message.text).toMatch(/invite#token=/);
    expect((await t.inject({ url: '/api/v1/admin/outbox', token: tenant.owner.token })).statusCode).toBe(403);
    expect((await t.inject({ url: '/api/v1/admin/outbox' })).statusCode).toBe(401);
  });
});
