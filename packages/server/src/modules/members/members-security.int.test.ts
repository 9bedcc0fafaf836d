import { type MemberWithSecurity, matchesMemberFilter } from '@custos/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backends,
  createTestApp,
  PASSWORD,
  type TestApp,
  type TestOrg,
  type TestUser,
} from '../../../test/harness';

// Issue 17, item 2: members with their security state, and the actions an admin takes on it.
const PER_ACCOUNT = 3;
const STRANGER = '203.0.113.7';

describe.each(backends)('members: security state and actions (%s)', (backend) => {
  let t: TestApp;
  let org: TestOrg;
  let other: TestOrg;

  beforeAll(async () => {
    t = await createTestApp(backend, { config: { CUSTOS_SIGN_IN_LIMIT_PER_ACCOUNT: String(PER_ACCOUNT) } });
    org = await t.createOrganization('Security State');
    // Failed sign-ins and resets on purpose: detection's own responses are tested elsewhere.
    await t.disableDetection(org);
    other = await t.createOrganization('Elsewhere');
  });
  afterAll(() => t.close());

  const members = async (token = org.owner.token): Promise<MemberWithSecurity[]> => {
    const res = await t.inject({ url: '/api/v1/members', token });
    expect(res.statusCode).toBe(200);
    return res.json().members;
  };
  const memberOf = async (userId: string) => {
    const found = (await members()).find((m) => m.userId === userId);
    if (!found) throw new Error('member not listed');
    return found;
  };
  const act = (path: string, token: string) => t.inject({ method: 'POST', url: path, token });
  const failSignIns = async (email: string, n: number) => {
    for (let i = 0; i < n; i++) {
      await t.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        remoteAddress: STRANGER,
        payload: { email, password: `wrong guess ${i}`, tokenType: 'bearer' },
      });
    }
  };
  const signInFromStranger = (email: string) =>
    t.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      remoteAddress: STRANGER,
      payload: { email, password: PASSWORD, tokenType: 'bearer' },
    });

  it('shows factors by kind, recovery codes, sign-ins, sessions and privilege', async () => {
    const plain = await t.addMember(org, ['member']);
    const withTotp = await t.addMember(org, ['auditor']);
    const enrolled = await t.enrollTotp(withTotp.token);
    const analyst = await t.addMember(org, ['security_analyst']);
    const list = await members();
    const byId = new Map(list.map((m) => [m.userId, m]));
    expect(byId.get(withTotp.id)?.mfa).toEqual({ totp: 1, passkey: 0, recoveryCodes: true });
    expect(byId.get(plain.id)).toMatchObject({
      mfa: { totp: 0, passkey: 0, recoveryCodes: false },
      activeSessions: 1,
      lockedUntil: null,
      disabled: false,
      privileged: false,
      roles: ['member'],
    });
    expect(byId.get(plain.id)?.lastSignIn?.at).toEqual(expect.any(String));
    expect(byId.get(org.owner.id)?.privileged).toBe(true);
    // Security analysts can change the security policy and answer threats: privileged.
    expect(byId.get(analyst.id)?.privileged).toBe(true);
    expect(byId.get(withTotp.id)?.privileged).toBe(false);
    // An auditor may read members but sees the same state.
    expect((await members(enrolled.token)).length).toBe(list.length);
  });

  it('shows a platform-disabled account as disabled', async () => {
    const m = await t.addMember(org, ['member']);
    await t.db
      .updateTable('users')
      .set({ disabledAt: new Date().toISOString() })
      .where('id', '=', m.id)
      .execute();
    expect((await memberOf(m.id)).disabled).toBe(true);
  });

  it('counts in the score exactly the members the privileged-without-MFA filter lists', async () => {
    const o = await t.createOrganization('Score Match');
    const admin = await t.addMember(o, ['admin']);
    await t.enrollTotp(admin.token);
    await t.addMember(o, ['security_analyst']);
    await t.addMember(o, ['auditor']);
    const disabled = await t.addMember(o, ['admin']);
    await t.db
      .updateTable('users')
      .set({ disabledAt: new Date().toISOString() })
      .where('id', '=', disabled.id)
      .execute();
    const list = await members(o.owner.token);
    const filtered = list.filter((m) => matchesMemberFilter(m, 'privileged-without-mfa'));
    const overview = (await t.inject({ url: '/api/v1/security/overview', token: o.owner.token })).json();
    const item = overview.score.items.find((i: { key: string }) => i.key === 'admins_mfa');
    // owner and analyst: no factor; the admin has one; the disabled admin cannot sign in
    expect(filtered.map((m) => m.userId).sort()).toHaveLength(2);
    expect(overview.mfa.adminsWithout).toBe(filtered.length);
    expect(item.advice).toContain('2 privileged members');
    expect(item.link).toBe('/members?filter=privileged-without-mfa');
    const withoutMfa = list.filter((m) => matchesMemberFilter(m, 'without-mfa')).length;
    expect(overview.mfa.members - overview.mfa.enrolled).toBe(withoutMfa);
  });

  it('shows a lockout after failed sign-ins and unlocks it, audited', async () => {
    const m = await t.addMember(org, ['member']);
    await failSignIns(m.email, PER_ACCOUNT);
    const locked = await memberOf(m.id);
    expect(locked.lockedUntil).not.toBeNull();
    expect(Date.parse(locked.lockedUntil ?? '')).toBeGreaterThan(Date.now());
    expect(matchesMemberFilter(locked, 'locked')).toBe(true);
    expect((await signInFromStranger(m.email)).statusCode).toBe(429);

    const res = await act(`/api/v1/members/${m.id}/unlock`, org.owner.token);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ wasLocked: true });
    expect(await t.lastAuditEvent(org.id)).toMatchObject({
      action: 'member.unlocked',
      actor: { id: org.owner.id },
      targets: [{ type: 'user', id: m.id }],
      metadata: { wasLocked: true },
    });
    expect((await memberOf(m.id)).lockedUntil).toBeNull();
    expect((await signInFromStranger(m.email)).statusCode).toBe(200);
  });

  it("shows a security response's lock until it is lifted, and lists the member as locked", async () => {
    const m = await t.addMember(org, ['member']);
    expect((await memberOf(m.id)).responseLock).toBeNull();
    const lock = await t.inject({
      method: 'POST',
      url: '/api/v1/security/responses',
      token: org.owner.token,
      payload: { kind: 'lock_account', userId: m.id, durationMinutes: 60 },
    });
    expect(lock.statusCode).toBe(201);
    const locked = await memberOf(m.id);
    expect(locked.responseLock).toEqual({
      until: lock.json().expiresAt,
      unknownDevicesOnly: false,
      responseId: lock.json().id,
    });
    expect(matchesMemberFilter(locked, 'locked')).toBe(true);
    // Another organization's members page knows nothing of it.
    expect((await members(other.owner.token)).some((x) => x.responseLock !== null)).toBe(false);
    const lifted = await t.inject({
      method: 'POST',
      url: `/api/v1/security/responses/${lock.json().id}/lift`,
      token: org.owner.token,
    });
    expect(lifted.statusCode).toBe(200);
    expect((await memberOf(m.id)).responseLock).toBeNull();
  });

  it('resets MFA: factors and recovery codes go, sessions end, audited', async () => {
    const m = await t.addMember(org, ['member']);
    const enrolled = await t.enrollTotp(m.token);
    const res = await act(`/api/v1/members/${m.id}/mfa/reset`, org.owner.token);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ factorsRemoved: 1 });
    expect(res.json().sessionsEnded).toBeGreaterThanOrEqual(1);
    expect((await t.inject({ url: '/api/v1/me', token: enrolled.token })).statusCode).toBe(401);
    expect((await memberOf(m.id)).mfa).toEqual({ totp: 0, passkey: 0, recoveryCodes: false });
    expect(await t.lastAuditEvent(org.id)).toMatchObject({
      action: 'member.mfa_reset',
      targets: [{ type: 'user', id: m.id }],
      metadata: { totpRemoved: 1, passkeysRemoved: 0, recoveryCodesRemoved: true },
    });
    // The password alone signs in again (no factor left to ask for).
    expect(await t.signIn(m.email)).toEqual(expect.any(String));
  });

  it('needs a recent verification to reset MFA, and nothing changes without it', async () => {
    const admin = await t.addMember(org, ['admin']);
    const m = await t.addMember(org, ['member']);
    await t.enrollTotp(m.token);
    await t.expireStepUp(admin.token);
    const res = await act(`/api/v1/members/${m.id}/mfa/reset`, admin.token);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('STEP_UP_REQUIRED');
    expect((await memberOf(m.id)).mfa.totp).toBe(1);
    const resets = (await t.auditEvents(org.id)).filter(
      (e) => e.action === 'member.mfa_reset' && e.targets.some((x: { id: string }) => x.id === m.id),
    );
    expect(resets).toHaveLength(0);
  });

  it('refuses your own MFA, an owner as an admin, and an account other organizations rely on', async () => {
    const admin = await t.addMember(org, ['admin']);
    const own = await act(`/api/v1/members/${admin.id}/mfa/reset`, admin.token);
    expect(own.statusCode).toBe(403);
    expect(own.json().error.code).toBe('CANNOT_RESET_OWN_MFA');
    const owner = await act(`/api/v1/members/${org.owner.id}/mfa/reset`, admin.token);
    expect(owner.statusCode).toBe(403);
    expect(owner.json().error.code).toBe('ROLE_NOT_GRANTABLE');

    const shared: TestUser = await t.addMember(other, ['member']);
    await t.addMember(org, ['member'], shared.email);
    const before = await t.count('auditEvents');
    const res = await act(`/api/v1/members/${shared.id}/mfa/reset`, org.owner.token);
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({
      code: 'MFA_RESET_NEEDS_PLATFORM_ADMIN',
      details: { otherOrganizations: 1, platformAdmin: false },
    });
    expect(res.json().error.message).toMatch(/platform admin/);
    expect(await t.count('auditEvents')).toBe(before);
  });

  it('needs members:manage and a signed-in user', async () => {
    const m = await t.addMember(org, ['member']);
    const analyst = await t.addMember(org, ['security_analyst']);
    for (const path of [`/api/v1/members/${m.id}/mfa/reset`, `/api/v1/members/${m.id}/unlock`]) {
      const denied = await act(path, analyst.token);
      expect(denied.statusCode).toBe(403);
      expect(denied.json().error).toMatchObject({
        code: 'FORBIDDEN',
        details: { permission: 'members:manage' },
      });
      expect((await t.inject({ method: 'POST', url: path })).statusCode).toBe(401);
    }
    const key = (
      await t.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        token: org.owner.token,
        payload: { name: 'ops', permissions: ['members:manage', 'members:read'] },
      })
    ).json().secret;
    expect((await act(`/api/v1/members/${m.id}/mfa/reset`, key)).statusCode).toBe(403);
    expect((await act(`/api/v1/members/${m.id}/unlock`, key)).statusCode).toBe(200);
  });

  it("answers 404 for another organization's member and 400 for a bad id, writing nothing", async () => {
    const foreign = await t.addMember(other, ['member']);
    const before = await t.count('auditEvents');
    for (const action of ['mfa/reset', 'unlock']) {
      const res = await act(`/api/v1/members/${foreign.id}/${action}`, org.owner.token);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('MEMBER_NOT_FOUND');
      const bad = await act(`/api/v1/members/not-a-uuid/${action}`, org.owner.token);
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.code).toBe('VALIDATION_FAILED');
    }
    expect(await t.count('auditEvents')).toBe(before);
  });

  it("ends a member's sessions through the sessions API (no second endpoint)", async () => {
    const m = await t.addMember(org, ['member']);
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/sessions/revoke',
      token: org.owner.token,
      payload: { userId: m.id },
    });
    expect(res.statusCode).toBe(200);
    expect((await memberOf(m.id)).activeSessions).toBe(0);
  });
});
