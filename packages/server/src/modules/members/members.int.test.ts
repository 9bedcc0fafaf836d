import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, type TestApp, type TestOrg } from '../../../test/harness';

describe.each(backends)('members (%s)', (backend) => {
  let t: TestApp;
  let org: TestOrg;
  let other: TestOrg;

  beforeAll(async () => {
    t = await createTestApp(backend);
    org = await t.createOrganization('Members Inc');
    // These tests make self-grant attempts on purpose; detection's step-up demand is tested elsewhere.
    await t.disableDetection(org);
    other = await t.createOrganization('Other Tenant');
  });
  afterAll(() => t.close());

  it('lists members with roles', async () => {
    const m = await t.addMember(org, ['member']);
    const res = await t.inject({ url: '/api/v1/members', token: org.owner.token });
    expect(res.statusCode).toBe(200);
    const members = res.json().members;
    expect(members.map((x: { userId: string }) => x.userId)).toEqual(
      expect.arrayContaining([org.owner.id, m.id]),
    );
    expect(members.find((x: { userId: string }) => x.userId === m.id).roles).toEqual(['member']);
    const denied = await t.inject({ url: '/api/v1/members', token: m.token });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error).toMatchObject({ code: 'FORBIDDEN', details: { permission: 'members:read' } });
    expect((await t.inject({ url: '/api/v1/members' })).statusCode).toBe(401);
  });

  it('changes roles, audited with before and after', async () => {
    const m = await t.addMember(org, ['member']);
    const res = await t.inject({
      method: 'PATCH',
      url: `/api/v1/members/${m.id}`,
      token: org.owner.token,
      payload: { roles: ['auditor', 'security_analyst'] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().roles).toEqual(['auditor', 'security_analyst']);
    const event = await t.lastAuditEvent(org.id);
    expect(event).toMatchObject({
      action: 'member.role_changed',
      actor: { id: org.owner.id },
      targets: [{ type: 'user', id: m.id }],
      changes: { roles: [['member'], ['auditor', 'security_analyst']] },
    });
    // takes effect on the member's very next request
    const me = await t.inject({ url: '/api/v1/me', token: m.token });
    expect(me.json().permissions).toContain('audit:export');
  });

  it('rejects bad role input without writing', async () => {
    const m = await t.addMember(org, ['member']);
    const before = await t.count('auditEvents');
    for (const payload of [{ roles: [] }, { roles: ['God'] }, {}, { roles: 'admin' }]) {
      const res = await t.inject({
        method: 'PATCH',
        url: `/api/v1/members/${m.id}`,
        token: org.owner.token,
        payload,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    }
    // A well-formed key that names no role of the organization.
    const unknown = await t.inject({
      method: 'PATCH',
      url: `/api/v1/members/${m.id}`,
      token: org.owner.token,
      payload: { roles: ['god'] },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error).toMatchObject({ code: 'ROLE_NOT_FOUND', details: { unknown: ['god'] } });
    const badId = await t.inject({
      method: 'PATCH',
      url: '/api/v1/members/123',
      token: org.owner.token,
      payload: { roles: ['member'] },
    });
    expect(badId.statusCode).toBe(400);
    expect(await t.count('auditEvents')).toBe(before);
  });

  it('forbids changing your own roles, granting what you lack, and touching owners as an admin', async () => {
    const admin = await t.addMember(org, ['admin']);
    const self = await t.inject({
      method: 'PATCH',
      url: `/api/v1/members/${admin.id}`,
      token: admin.token,
      payload: { roles: ['owner'] },
    });
    expect(self.json().error.code).toBe('CANNOT_CHANGE_OWN_ROLES');
    const m = await t.addMember(org, ['member']);
    const owner = await t.inject({
      method: 'PATCH',
      url: `/api/v1/members/${m.id}`,
      token: admin.token,
      payload: { roles: ['owner'] },
    });
    expect(owner.statusCode).toBe(403);
    expect(owner.json().error.code).toBe('ROLE_NOT_GRANTABLE');
    const demoteOwner = await t.inject({
      method: 'PATCH',
      url: `/api/v1/members/${org.owner.id}`,
      token: admin.token,
      payload: { roles: ['member'] },
    });
    expect(demoteOwner.json().error.code).toBe('ROLE_NOT_GRANTABLE');
    const analyst = await t.addMember(org, ['security_analyst']);
    const noManage = await t.inject({
      method: 'PATCH',
      url: `/api/v1/members/${m.id}`,
      token: analyst.token,
      payload: { roles: ['admin'] },
    });
    expect(noManage.statusCode).toBe(403);
  });

  it('keeps the last owner', async () => {
    const o = await t.createOrganization('Solo');
    const co = await t.addMember(o, ['admin']);
    const res = await t.inject({
      method: 'DELETE',
      url: `/api/v1/members/${o.owner.id}`,
      token: o.owner.token,
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('LAST_OWNER');
    await t.inject({
      method: 'PATCH',
      url: `/api/v1/members/${co.id}`,
      token: o.owner.token,
      payload: { roles: ['owner'] },
    });
    const demote = await t.inject({
      method: 'PATCH',
      url: `/api/v1/members/${o.owner.id}`,
      token: co.token,
      payload: { roles: ['admin'] },
    });
    expect(demote.statusCode).toBe(200);
    const back = await t.inject({
      method: 'PATCH',
      url: `/api/v1/members/${co.id}`,
      token: o.owner.token,
      payload: { roles: ['admin'] },
    });
    expect(back.statusCode).toBe(403); // the former owner is now an admin and cannot touch the owner
  });

  it('removes a member, ends their sessions in the organization, and audits it', async () => {
    const m = await t.addMember(org, ['member']);
    const res = await t.inject({ method: 'DELETE', url: `/api/v1/members/${m.id}`, token: org.owner.token });
    expect(res.statusCode).toBe(200);
    expect(await t.lastAuditEvent(org.id)).toMatchObject({
      action: 'member.removed',
      targets: [{ id: m.id }],
    });
    expect((await t.inject({ url: '/api/v1/me', token: m.token })).statusCode).toBe(401);
    const again = await t.inject({
      method: 'DELETE',
      url: `/api/v1/members/${m.id}`,
      token: org.owner.token,
    });
    expect(again.statusCode).toBe(404);
  });

  it("answers 404 for another tenant's member and changes nothing there", async () => {
    const foreign = await t.addMember(other, ['member']);
    const before = await t.count('auditEvents');
    const patch = await t.inject({
      method: 'PATCH',
      url: `/api/v1/members/${foreign.id}`,
      token: org.owner.token,
      payload: { roles: ['admin'] },
    });
    expect(patch.statusCode).toBe(404);
    expect(patch.json().error.code).toBe('MEMBER_NOT_FOUND');
    const del = await t.inject({
      method: 'DELETE',
      url: `/api/v1/members/${other.owner.id}`,
      token: org.owner.token,
    });
    expect(del.statusCode).toBe(404);
    expect(await t.count('auditEvents')).toBe(before);
    const list = await t.inject({ url: '/api/v1/members', token: org.owner.token });
    expect(list.json().members.some((x: { userId: string }) => x.userId === foreign.id)).toBe(false);
  });

  it('publishes the role catalog to signed-in users', async () => {
    const res = await t.inject({ url: '/api/v1/roles', token: org.owner.token });
    expect(res.statusCode).toBe(200);
    expect(res.json().roles.map((r: { id: string }) => r.id)).toEqual([
      'owner',
      'admin',
      'security_analyst',
      'auditor',
      'privacy_officer',
      'member',
    ]);
    expect(res.json().permissions.find((p: { id: string }) => p.id === 'audit:read').description).toMatch(
      /audit/,
    );
    expect((await t.inject({ url: '/api/v1/roles' })).statusCode).toBe(401);
  });
});
