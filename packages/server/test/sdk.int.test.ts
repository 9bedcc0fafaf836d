import { CustosApiError, CustosClient, isMfaChallenge } from '@custos/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, PASSWORD, type TestApp, type TestOrg } from './harness';

describe.each(backends)('SDK against a live server (%s)', (backend) => {
  let t: TestApp;
  let org: TestOrg;
  let baseUrl: string;

  beforeAll(async () => {
    t = await createTestApp(backend);
    org = await t.createOrganization('SDK Org', { superAdmin: true });
    baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => t.close());

  it('drives the whole foundation flow through typed calls', async () => {
    const client = new CustosClient({ baseUrl });
    expect(await client.health()).toEqual({
      status: 'ok',
      database: 'ok',
      auditIntegrity: 'ok',
      warnings: [],
    });
    expect(await client.setup.status()).toEqual({ required: false });
    const signedIn = await client.auth.signIn({
      email: org.owner.email,
      password: PASSWORD,
      tokenType: 'bearer',
    });
    // The test app has no SMTP server: the SDK says so, as the console's banner does.
    expect(await client.capabilities()).toEqual({ email: { configured: false } });
    if (isMfaChallenge(signedIn)) throw new Error('no factor yet, so no MFA step expected');
    expect(signedIn.organization?.id).toBe(org.id);
    const me = await client.me.get();
    expect(me.roles).toEqual(['owner']);
    await client.me.update({ name: 'SDK Owner' });
    expect((await client.me.get()).user.name).toBe('SDK Owner');

    const roles = await client.roles.list();
    expect(roles.roles.length).toBe(6);
    const invite = await client.invitations.create({ email: 'sdk.member@example.com', roles: ['member'] });
    expect((await client.invitations.list()).invitations.map((i) => i.id)).toContain(invite.invitation.id);
    const token = new URL(invite.inviteUrl ?? '').hash.slice('#token='.length);
    const newcomer = new CustosClient({ baseUrl });
    expect((await newcomer.invitations.preview(token)).email).toBe('sdk.member@example.com');
    await newcomer.invitations.accept({ token, name: 'Newcomer', password: PASSWORD, tokenType: 'bearer' });
    expect((await newcomer.me.get()).roles).toEqual(['member']);

    const members = await client.members.list();
    const memberId = members.members.find((m) => m.email === 'sdk.member@example.com')?.userId ?? '';
    expect((await client.members.updateRoles(memberId, ['auditor'])).roles).toEqual(['auditor']);

    const created = await client.apiKeys.create({ name: 'SDK key', permissions: ['members:read'] });
    const host = new CustosClient({ baseUrl, token: created.secret });
    expect((await host.members.list()).members.length).toBeGreaterThanOrEqual(2);
    expect((await client.apiKeys.revoke(created.apiKey.id)).revokedAt).not.toBeNull();
    await expect(host.members.list()).rejects.toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });

    const second = await client.admin.createOrganization({ name: 'SDK Second' });
    expect((await client.admin.organizations()).organizations.map((o) => o.id)).toContain(
      second.organization.id,
    );
    expect((await client.auth.switchOrganization(second.organization.id)).organization?.id).toBe(
      second.organization.id,
    );
    await client.organization.update({ name: 'SDK Second Renamed' });
    expect((await client.admin.outbox()).messages.some((m) => m.to === 'sdk.member@example.com')).toBe(true);

    // the member belongs to the first organization, not the current one
    await expect(client.members.remove(memberId)).rejects.toMatchObject({
      status: 404,
      code: 'MEMBER_NOT_FOUND',
    });
    await client.auth.switchOrganization(org.id);
    await client.members.remove(memberId);
    await client.invitations.create({ email: 'later@example.com', roles: ['member'] });
    const pending = (await client.invitations.list()).invitations.find(
      (i) => i.email === 'later@example.com',
    );
    await client.invitations.revoke(pending?.id ?? '');
    await client.me.changePassword({
      currentPassword: PASSWORD,
      newPassword: 'an even longer passphrase here',
    });
    await client.auth.signOut();
    await expect(client.me.get()).rejects.toBeInstanceOf(CustosApiError);
  });

  it('turns API errors into CustosApiError with code, message and details', async () => {
    const client = new CustosClient({ baseUrl });
    const error = await client.auth.signIn({ email: 'bad', password: '' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CustosApiError);
    expect(error).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(Array.isArray((error as CustosApiError).details)).toBe(true);
  });

  it('sends the CSRF header from the provided function on unsafe methods only', async () => {
    const seen: Array<{ method: string; csrf: string | null }> = [];
    const client = new CustosClient({
      baseUrl,
      csrfToken: () => 'csrf-value',
      fetch: async (input, init) => {
        const headers = new Headers(init?.headers);
        seen.push({ method: init?.method ?? 'GET', csrf: headers.get('x-csrf-token') });
        return fetch(input, init);
      },
    });
    await client.health();
    await expect(
      client.auth.signIn({ email: 'x@example.com', password: 'whatever whatever' }),
    ).rejects.toMatchObject({
      status: 401,
      code: 'INVALID_CREDENTIALS',
    });
    expect(seen).toEqual([
      { method: 'GET', csrf: null },
      { method: 'POST', csrf: 'csrf-value' },
    ]);
  });
});
