import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, PASSWORD, type TestApp } from '../../../test/harness';

// Regressions found in the foundation issue's (#2) security review.
describe.each(backends)('review regressions, issue #2 (%s)', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend, { config: { CUSTOS_SIGN_IN_LIMIT_PER_ACCOUNT: '5' } });
  });
  afterAll(() => t.close());

  const createKey = (token: string, payload: { name: string; permissions: string[] }) =>
    t.inject({ method: 'POST', url: '/api/v1/api-keys', token, payload });

  it('two owners demoting each other at once leave one owner', async () => {
    const org = await t.createOrganization('Race');
    const second = await t.addMember(org, ['owner']);
    const [a, b] = await Promise.all([
      t.inject({
        method: 'PATCH',
        url: `/api/v1/members/${second.id}`,
        token: org.owner.token,
        payload: { roles: ['admin'] },
      }),
      t.inject({
        method: 'PATCH',
        url: `/api/v1/members/${org.owner.id}`,
        token: second.token,
        payload: { roles: ['admin'] },
      }),
    ]);
    const statuses = [a.statusCode, b.statusCode].sort();
    expect(statuses[0]).toBe(200);
    expect(statuses[1]).not.toBe(200); // LAST_OWNER, or 403 once the other demotion made the caller an admin
    const members = (
      await t.inject({ url: '/api/v1/members', token: a.statusCode === 200 ? org.owner.token : second.token })
    ).json().members;
    expect(members.filter((m: { roles: string[] }) => m.roles.includes('owner'))).toHaveLength(1);
  });

  it("a removed member's API keys stop working and their pending invitations die", async () => {
    const org = await t.createOrganization('Leavers');
    const admin = await t.addMember(org, ['admin']);
    const key = (await createKey(admin.token, { name: 'theirs', permissions: ['members:read'] })).json();
    const invite = (
      await t.inject({
        method: 'POST',
        url: '/api/v1/invitations',
        token: admin.token,
        payload: { email: 'pending@example.com', roles: ['member'] },
      })
    ).json();
    expect((await t.inject({ url: '/api/v1/members', token: key.secret })).statusCode).toBe(200);
    expect(
      (await t.inject({ method: 'DELETE', url: `/api/v1/members/${admin.id}`, token: org.owner.token }))
        .statusCode,
    ).toBe(200);
    expect((await t.inject({ url: '/api/v1/members', token: key.secret })).statusCode).toBe(401);
    const token = new URL(invite.inviteUrl).hash.slice('#token='.length);
    expect(
      (await t.inject({ method: 'POST', url: '/api/v1/invitations/preview', payload: { token } })).statusCode,
    ).toBe(400);
    const event = await t.lastAuditEvent(org.id);
    expect(event).toMatchObject({
      action: 'member.removed',
      metadata: { invitationsRevoked: [invite.invitation.id] },
    });
  });

  it('an API key loses permissions its creator no longer holds', async () => {
    const org = await t.createOrganization('Demoted');
    const admin = await t.addMember(org, ['admin']);
    const key = (
      await createKey(admin.token, { name: 'k', permissions: ['members:read', 'apikeys:read'] })
    ).json();
    expect((await t.inject({ url: '/api/v1/api-keys', token: key.secret })).statusCode).toBe(200);
    await t.inject({
      method: 'PATCH',
      url: `/api/v1/members/${admin.id}`,
      token: org.owner.token,
      payload: { roles: ['auditor'] },
    });
    expect((await t.inject({ url: '/api/v1/api-keys', token: key.secret })).statusCode).toBe(403);
    expect((await t.inject({ url: '/api/v1/members', token: key.secret })).statusCode).toBe(200);
  });

  it('guessing the current password through a session is rate-limited', async () => {
    const org = await t.createOrganization('Guess');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await t.inject({
        method: 'POST',
        url: '/api/v1/me/password',
        token: org.owner.token,
        payload: { currentPassword: `guess number ${i}`, newPassword: 'a different long passphrase' },
      });
      statuses.push(res.statusCode);
    }
    expect(statuses.slice(0, 5).every((s) => s === 400)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    // the limit also holds for the right password, so a guesser cannot confirm a hit
    const right = await t.inject({
      method: 'POST',
      url: '/api/v1/me/password',
      token: org.owner.token,
      payload: { currentPassword: PASSWORD, newPassword: 'a different long passphrase' },
    });
    expect(right.statusCode).toBe(429);
  });

  it('refuses control characters and broken Unicode with 400, never 500, on both databases', async () => {
    const org = await t.createOrganization('Text');
    for (const name of ['a\u0000b', 'x\ud800y', 'tab\there']) {
      const me = await t.inject({
        method: 'PATCH',
        url: '/api/v1/me',
        token: org.owner.token,
        payload: { name },
      });
      expect(me.statusCode).toBe(400);
      expect(me.json().error.code).toBe('VALIDATION_FAILED');
      const rename = await t.inject({
        method: 'PATCH',
        url: '/api/v1/organization',
        token: org.owner.token,
        payload: { name },
      });
      expect(rename.statusCode).toBe(400);
      const key = await t.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        token: org.owner.token,
        payload: { name, permissions: ['members:read'] },
      });
      expect(key.statusCode).toBe(400);
    }
  });
});
