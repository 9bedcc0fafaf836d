import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, type TestApp, type TestOrg } from '../../../test/harness';

const URL = '/api/v1/security/policy';

describe.each(backends)('organization security policy (%s)', (backend) => {
  let t: TestApp;
  let org: TestOrg;
  let other: TestOrg;

  beforeAll(async () => {
    t = await createTestApp(backend);
    org = await t.createOrganization('Policy Co');
    other = await t.createOrganization('Other Policy Co');
  });
  afterAll(() => t.close());

  const patch = (token: string, payload: unknown) => t.inject({ method: 'PATCH', url: URL, token, payload });
  const storedPolicy = (organizationId: string) =>
    t.db
      .selectFrom('securityPolicies')
      .selectAll()
      .where('organizationId', '=', organizationId)
      .executeTakeFirst();

  it('answers the defaults (updatedAt null) before anyone changed the policy', async () => {
    const res = await t.inject({ url: URL, token: org.owner.token });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      mfaRequirement: 'off',
      mfaRoles: [],
      mfaGraceDays: 7,
      stepUpMinutes: 15,
      idleTimeoutMinutes: 30,
      absoluteLifetimeHours: expect.any(Number),
      maxConcurrentSessions: 0,
      sessionLimitAction: 'end_oldest',
      passwordMinLength: 12,
      updatedAt: null,
    });
  });

  it('lets a security:read holder read and refuses a plain member; anonymous is 401', async () => {
    const analyst = await t.addMember(org, ['security_analyst']);
    expect((await t.inject({ url: URL, token: analyst.token })).statusCode).toBe(200);
    const member = await t.addMember(org, ['member']);
    const denied = await t.inject({ url: URL, token: member.token });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.code).toBe('FORBIDDEN');
    const denyPatch = await patch(member.token, { stepUpMinutes: 30 });
    expect(denyPatch.statusCode).toBe(403);
    expect((await t.inject({ url: URL })).statusCode).toBe(401);
    expect((await t.inject({ method: 'PATCH', url: URL, payload: { stepUpMinutes: 30 } })).statusCode).toBe(
      401,
    );
    expect(await storedPolicy(org.id)).toBeUndefined();
  });

  it('lets an API key with security:read read the policy, not change it', async () => {
    const created = await t.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      token: org.owner.token,
      payload: { name: 'Policy reader', permissions: ['security:read'] },
    });
    expect(created.statusCode).toBe(201);
    const { secret } = created.json();
    const res = await t.inject({ url: URL, token: secret });
    expect(res.statusCode).toBe(200);
    expect(res.json().mfaRequirement).toBe('off');
    expect((await patch(secret, { stepUpMinutes: 30 })).statusCode).toBe(403);
  });

  it('needs a recent step-up to change the policy', async () => {
    const token = await t.signIn(org.owner.email);
    await t.expireStepUp(token);
    const before = await t.count('auditEvents');
    const res = await patch(token, { stepUpMinutes: 30 });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toMatchObject({ code: 'STEP_UP_REQUIRED', details: { methods: ['password'] } });
    expect(await storedPolicy(org.id)).toBeUndefined();
    // a refused change may be recorded as a denial, never as a policy change
    const events = await t.auditEvents(org.id, (await t.count('auditEvents')) - before + 1);
    expect(events.some((e) => e.action === 'security.policy_updated')).toBe(false);
  });

  it('rejects invalid changes with 400 and writes nothing', async () => {
    const before = await t.count('auditEvents');
    for (const payload of [
      {},
      { idleTimeoutMinutes: 4 },
      { idleTimeoutMinutes: 43_201 },
      { stepUpMinutes: 0 },
      { absoluteLifetimeHours: 0 },
      { maxConcurrentSessions: -1 },
      { maxConcurrentSessions: 101 },
      { mfaGraceDays: 91 },
      { passwordMinLength: 8 },
      { mfaRequirement: 'sometimes' },
      { sessionLimitAction: 'ask' },
      { mfaRoles: ['no_such_role'] },
      { stepUpMinutes: 1.5 },
      { stepUpMinutes: '30' },
      { mfaRequirement: 'roles' },
      { mfaRequirement: 'roles', mfaRoles: [] },
    ]) {
      const res = await patch(org.owner.token, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    }
    expect(await storedPolicy(org.id)).toBeUndefined();
    expect(await t.count('auditEvents')).toBe(before);
  });

  it('applies a change, answers the whole policy and audits what changed', async () => {
    const res = await patch(org.owner.token, { stepUpMinutes: 30, maxConcurrentSessions: 3 });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ stepUpMinutes: 30, maxConcurrentSessions: 3, idleTimeoutMinutes: 30 });
    expect(body.updatedAt).toEqual(expect.any(String));
    expect(body).not.toHaveProperty('mfaRequiredSince');
    expect((await t.inject({ url: URL, token: org.owner.token })).json()).toEqual(body);
    const event = await t.lastAuditEvent(org.id);
    expect(event).toMatchObject({
      action: 'security.policy_updated',
      outcome: 'success',
      actor: { type: 'user', id: org.owner.id },
      targets: [{ type: 'organization', id: org.id }],
      changes: { stepUpMinutes: [15, 30], maxConcurrentSessions: [0, 3] },
    });
    expect(Object.keys(event?.changes ?? {}).sort()).toEqual(['maxConcurrentSessions', 'stepUpMinutes']);
  });

  it('the new step-up window applies to sessions at once', async () => {
    const me = await t.inject({ url: '/api/v1/me', token: org.owner.token });
    const until = Date.parse(me.json().session.stepUpUntil);
    // 30 minutes now, where the default was 15
    expect(until - Date.now()).toBeGreaterThan(16 * 60_000);
  });

  it("leaves another organization's policy untouched", async () => {
    const res = await t.inject({ url: URL, token: other.owner.token });
    expect(res.json()).toMatchObject({ stepUpMinutes: 15, maxConcurrentSessions: 0, updatedAt: null });
    expect(await storedPolicy(other.id)).toBeUndefined();
    // and the other owner's change does not reach this one
    expect((await patch(other.owner.token, { idleTimeoutMinutes: 60 })).statusCode).toBe(200);
    expect((await t.inject({ url: URL, token: org.owner.token })).json().idleTimeoutMinutes).toBe(30);
    expect((await t.lastAuditEvent(other.id))?.action).toBe('security.policy_updated');
  });

  it('keeps the grace period when MFA settings are re-sent unchanged or narrowed, restarts it when widened', async () => {
    const since = async () => (await storedPolicy(org.id))?.mfaRequiredSince ?? null;
    expect(
      (await patch(org.owner.token, { mfaRequirement: 'roles', mfaRoles: ['admin', 'owner'] })).statusCode,
    ).toBe(200);
    const started = await since();
    expect(started).not.toBeNull();
    // re-sending the same requirement in another order is no change
    await patch(org.owner.token, { mfaRequirement: 'roles', mfaRoles: ['owner', 'admin'] });
    expect(await since()).toBe(started);
    // a different grace length moves the deadline, not the start
    await patch(org.owner.token, { mfaGraceDays: 14 });
    expect(await since()).toBe(started);
    // narrowing must not hand the members still covered a fresh grace period
    const narrowed = await patch(org.owner.token, { mfaRoles: ['owner'] });
    expect(narrowed.statusCode).toBe(200);
    expect(await since()).toBe(started);
    // widening to everyone covers new people: the grace period starts anew
    await new Promise((resolve) => setTimeout(resolve, 5));
    await patch(org.owner.token, { mfaRequirement: 'all' });
    const widened = await since();
    expect(widened).not.toBeNull();
    expect(widened).not.toBe(started);
    // switching it off clears it
    await patch(org.owner.token, { mfaRequirement: 'off' });
    expect(await since()).toBeNull();
    expect(await t.lastAuditEvent(org.id)).toMatchObject({
      action: 'security.policy_updated',
      changes: { mfaRequirement: ['all', 'off'] },
    });
  });

  it("refuses 'roles' with no roles left, also when only the roles are emptied", async () => {
    await patch(org.owner.token, { mfaRequirement: 'roles', mfaRoles: ['admin'] });
    const before = await t.count('auditEvents');
    const res = await patch(org.owner.token, { mfaRoles: [] });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
    expect(await t.count('auditEvents')).toBe(before);
    expect((await t.inject({ url: URL, token: org.owner.token })).json().mfaRoles).toEqual(['admin']);
  });
});
