import { CustosApiError, CustosClient } from '@custos/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, type TestApp, type TestOrg } from './harness';

/** A host app deciding its own permissions through Custos with the typed SDK, over a real socket. */
describe.each(backends)('SDK: roles, app permissions and authorize (%s)', (backend) => {
  let t: TestApp;
  let org: TestOrg;
  let baseUrl: string;

  beforeAll(async () => {
    t = await createTestApp(backend);
    org = await t.createOrganization('SDK Access');
    baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => t.close());

  it('registers permissions, grants them in a custom role and answers checks', async () => {
    const admin = new CustosClient({ baseUrl, token: org.owner.token });
    const { secret } = await admin.apiKeys.create({
      name: 'events app',
      permissions: ['access:register', 'access:check'],
    });
    const host = new CustosClient({ baseUrl, token: secret });

    const registered = await host.appPermissions.register({
      permissions: [{ key: 'events:edit', description: 'Edit events' }, { key: 'rsvps:manage' }],
    });
    expect(registered.added).toEqual(['events:edit', 'rsvps:manage']);

    const role = await admin.roles.create({
      key: 'organizer',
      name: 'Organizer',
      permissions: ['events:edit'],
      ownPermissions: ['rsvps:manage'],
    });
    expect(role).toMatchObject({ editable: 'all', memberCount: 0 });
    const member = await t.addMember(org, ['member']);
    await admin.members.updateRoles(member.id, ['organizer']);
    const catalog = await admin.roles.list();
    expect(catalog.roles.find((r) => r.key === 'organizer')?.memberCount).toBe(1);
    expect(catalog.permissions.filter((p) => p.source === 'app').map((p) => p.id)).toEqual([
      'events:edit',
      'rsvps:manage',
    ]);

    const subject = { userId: member.id };
    expect(await host.authorize.can({ subject, permission: 'events:edit' })).toBe(true);
    const [own, theirs] = await host.authorize.batch([
      { subject, permission: 'rsvps:manage', resource: { ownerId: member.id } },
      {
        subject: { sessionToken: member.token },
        permission: 'rsvps:manage',
        resource: { ownerId: 'someone' },
      },
    ]);
    expect(own).toMatchObject({ allowed: true, reason: 'granted_own', grantedBy: 'organizer' });
    expect(theirs).toMatchObject({ allowed: false, reason: 'not_owner' });

    await admin.roles.update('organizer', { permissions: [] });
    expect((await host.authorize({ subject, permission: 'events:edit' })).reason).toBe('not_granted');

    // The host key cannot edit roles: the SDK surfaces the typed error.
    const refused = await host.roles.create({ key: 'sneaky', name: 'Sneaky' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CustosApiError);
    expect((refused as CustosApiError).code).toBe('FORBIDDEN');
  });
});
