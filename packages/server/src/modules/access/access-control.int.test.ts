import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, type TestApp, type TestOrg, testConfig } from '../../../test/harness';
import { buildApp } from '../../app';
import { createLogger } from '../../platform/log';

describe.each(backends)('roles, host-app permissions and the authorization API (%s)', (backend) => {
  let t: TestApp;
  let org: TestOrg;
  let other: TestOrg;
  /** A host-app key of `org`: registers permissions and asks for decisions. */
  let hostKey: string;

  const call = (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    token?: string,
    payload?: unknown,
  ) => t.inject({ method, url, ...(token ? { token } : {}), ...(payload !== undefined ? { payload } : {}) });

  const keyFor = async (o: TestOrg, permissions: string[]) => {
    const res = await call('POST', '/api/v1/api-keys', o.owner.token, { name: 'host app', permissions });
    expect(res.statusCode, res.body).toBe(201);
    return String(res.json().secret);
  };
  const permissionsOf = async (token: string): Promise<string[]> =>
    (await call('GET', '/api/v1/me', token)).json().permissions;
  const authorize = (payload: unknown, key = hostKey) => call('POST', '/api/v1/authorize', key, payload);

  beforeAll(async () => {
    t = await createTestApp(backend);
    org = await t.createOrganization('Roles Org');
    // These tests make self-grant attempts on purpose; detection's step-up demand is tested elsewhere.
    await t.disableDetection(org);
    other = await t.createOrganization('Other Org');
    hostKey = await keyFor(org, ['access:register', 'access:check', 'access:read']);
    const registered = await call('PUT', '/api/v1/app-permissions', hostKey, {
      permissions: [
        { key: 'events:edit', description: 'Edit events' },
        { key: 'rsvps:manage', description: 'Manage RSVPs' },
      ],
    });
    expect(registered.statusCode, registered.body).toBe(200);
  });
  afterAll(() => t.close());

  describe('the role catalog', () => {
    it("lists built-in roles and every permission, Custos' and the host app's, grouped by resource", async () => {
      const res = await call('GET', '/api/v1/roles', org.owner.token);
      expect(res.statusCode).toBe(200);
      const { roles, permissions } = res.json();
      expect(roles.map((r: { key: string }) => r.key)).toEqual(
        expect.arrayContaining([
          'owner',
          'admin',
          'security_analyst',
          'auditor',
          'privacy_officer',
          'member',
        ]),
      );
      expect(roles.find((r: { key: string }) => r.key === 'owner')).toMatchObject({
        editable: 'none',
        memberCount: 1,
        permissions: expect.arrayContaining(['events:edit', 'audit:read']),
      });
      expect(permissions).toEqual(
        expect.arrayContaining([
          { id: 'audit:read', description: expect.stringMatching(/\S/), resource: 'audit', source: 'custos' },
          { id: 'events:edit', description: 'Edit events', resource: 'events', source: 'app' },
        ]),
      );
    });

    it('needs members:read or access:read, and shows only the caller’s organization', async () => {
      const member = await t.addMember(org, ['member']);
      expect((await call('GET', '/api/v1/roles', member.token)).statusCode).toBe(403);
      expect((await call('GET', '/api/v1/roles')).statusCode).toBe(401);
      const theirs = (await call('GET', '/api/v1/roles', other.owner.token)).json();
      expect(theirs.permissions.map((p: { id: string }) => p.id)).not.toContain('events:edit');
    });
  });

  describe('custom roles', () => {
    it('are created with the permissions the creator holds, audited in the same transaction', async () => {
      const res = await call('POST', '/api/v1/roles', org.owner.token, {
        key: 'event_manager',
        name: 'Event manager',
        description: 'Runs events',
        permissions: ['events:edit', 'members:read', 'members:read'],
        ownPermissions: ['rsvps:manage'],
      });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({
        key: 'event_manager',
        builtIn: false,
        editable: 'all',
        permissions: ['events:edit', 'members:read'],
        ownPermissions: ['rsvps:manage'],
        memberCount: 0,
      });
      expect(await t.lastAuditEvent(org.id)).toMatchObject({
        action: 'role.created',
        targets: [expect.objectContaining({ type: 'role', id: 'event_manager' })],
      });
    });

    it('rejects bad input with a clear 400 and writes nothing', async () => {
      const before = await t.count('roles');
      const events = await t.count('auditEvents');
      const cases: Array<[unknown, string]> = [
        [{ key: 'Bad Key', name: 'x' }, 'VALIDATION_FAILED'],
        [{ key: 'ok_key' }, 'VALIDATION_FAILED'],
        [{ key: 'ok_key', name: 'x', permissions: ['nope'] }, 'VALIDATION_FAILED'],
        [{ key: 'ok_key', name: 'x', permissions: ['ghosts:haunt'] }, 'PERMISSION_UNKNOWN'],
        [{ key: 'ok_key', name: 'x', ownPermissions: ['audit:read'] }, 'VALIDATION_FAILED'],
        [{ key: 'ok_key', name: '\u0000' }, 'VALIDATION_FAILED'],
      ];
      for (const [payload, code] of cases) {
        const res = await call('POST', '/api/v1/roles', org.owner.token, payload);
        expect(res.statusCode, JSON.stringify(payload)).toBe(400);
        expect(res.json().error.code).toBe(code);
      }
      const builtIn = await call('POST', '/api/v1/roles', org.owner.token, { key: 'admin', name: 'Admin 2' });
      expect(builtIn.statusCode).toBe(409);
      expect(builtIn.json().error.code).toBe('ROLE_EXISTS');
      const twice = await call('POST', '/api/v1/roles', org.owner.token, {
        key: 'event_manager',
        name: 'Again',
      });
      expect(twice.json().error.code).toBe('ROLE_EXISTS');
      expect(await t.count('roles')).toBe(before);
      expect(await t.count('auditEvents')).toBe(events);
    });

    it('need access:manage and a recent step-up', async () => {
      const auditor = await t.addMember(org, ['auditor']);
      const denied = await call('POST', '/api/v1/roles', auditor.token, { key: 'sneaky', name: 'Sneaky' });
      expect(denied.statusCode).toBe(403);
      expect(denied.json().error.details).toEqual({ permission: 'access:manage' });
      const admin = await t.addMember(org, ['admin']);
      await t.expireStepUp(admin.token);
      const stale = await call('POST', '/api/v1/roles', admin.token, { key: 'sneaky', name: 'Sneaky' });
      expect(stale.json().error.code).toBe('STEP_UP_REQUIRED');
    });

    it('never grant what the editor does not hold, and nobody edits a role they hold', async () => {
      await call('POST', '/api/v1/roles', org.owner.token, {
        key: 'role_editor',
        name: 'Role editor',
        permissions: ['access:manage', 'access:read', 'members:read', 'events:edit'],
      });
      const editor = await t.addMember(org, ['role_editor']);
      const escalate = await call('POST', '/api/v1/roles', editor.token, {
        key: 'escalated',
        name: 'Escalated',
        permissions: ['audit:export', 'events:edit'],
        ownPermissions: ['rsvps:manage'],
      });
      expect(escalate.statusCode).toBe(403);
      expect(escalate.json().error).toMatchObject({
        code: 'PERMISSION_NOT_GRANTABLE',
        details: { missing: ['audit:export', 'rsvps:manage'] },
      });
      const self = await call('PATCH', '/api/v1/roles/role_editor', editor.token, {
        permissions: ['access:manage', 'access:read', 'members:read', 'events:edit', 'audit:read'],
      });
      expect(self.statusCode).toBe(403);
      expect(self.json().error.code).toBe('CANNOT_CHANGE_OWN_ROLES');
      // Taking away what the editor does not hold is as much a change of it as granting it.
      const strip = await call('PATCH', '/api/v1/roles/event_manager', editor.token, { ownPermissions: [] });
      expect(strip.json().error).toMatchObject({
        code: 'PERMISSION_NOT_GRANTABLE',
        details: { missing: ['rsvps:manage'] },
      });
      const ok = await call('POST', '/api/v1/roles', editor.token, {
        key: 'event_viewer',
        name: 'Viewer',
        permissions: ['events:edit'],
      });
      expect(ok.statusCode, ok.body).toBe(201);
    });

    it('take effect on the very next request, in every process', async () => {
      await call('POST', '/api/v1/roles', org.owner.token, {
        key: 'reader',
        name: 'Reader',
        permissions: ['audit:read'],
      });
      const member = await t.addMember(org, ['reader']);
      // A second server on the same database stands for another process with its own caches.
      const second = await buildApp({
        config: testConfig(),
        database: t.database,
        logger: createLogger('silent'),
        webRoot: null,
      });
      await second.app.ready();
      try {
        const viaSecond = (url: string) =>
          second.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${member.token}` } });
        expect((await viaSecond('/api/v1/audit/events')).statusCode).toBe(200);
        expect(await permissionsOf(member.token)).toContain('audit:read');
        const change = await call('PATCH', '/api/v1/roles/reader', org.owner.token, {
          permissions: ['members:read'],
        });
        expect(change.statusCode, change.body).toBe(200);
        expect((await viaSecond('/api/v1/audit/events')).statusCode).toBe(403);
        expect((await call('GET', '/api/v1/audit/events', member.token)).statusCode).toBe(403);
        expect((await viaSecond('/api/v1/members')).statusCode).toBe(200);
        expect(await permissionsOf(member.token)).toEqual(['members:read']);
      } finally {
        await second.app.close();
      }
    });

    it('are assigned to members like built-in roles; unknown and other organizations’ roles are refused', async () => {
      const member = await t.addMember(org, ['member']);
      const assign = await call('PATCH', `/api/v1/members/${member.id}`, org.owner.token, {
        roles: ['event_manager'],
      });
      expect(assign.statusCode, assign.body).toBe(200);
      expect(assign.json().roles).toEqual(['event_manager']);
      const foreign = await t.addMember(other, ['member']);
      const cross = await call('PATCH', `/api/v1/members/${foreign.id}`, other.owner.token, {
        roles: ['event_manager'],
      });
      expect(cross.statusCode).toBe(400);
      expect(cross.json().error.code).toBe('ROLE_NOT_FOUND');
      const invite = await call('POST', '/api/v1/invitations', other.owner.token, {
        email: t.uniqueEmail(),
        roles: ['event_manager'],
      });
      expect(invite.json().error.code).toBe('ROLE_NOT_FOUND');
    });

    it('cannot be edited or deleted from another organization', async () => {
      const edit = await call('PATCH', '/api/v1/roles/event_manager', other.owner.token, {
        name: 'Mine now',
      });
      expect(edit.statusCode).toBe(404);
      expect(edit.json().error.code).toBe('ROLE_NOT_FOUND');
      const del = await call('DELETE', '/api/v1/roles/event_manager', other.owner.token);
      expect(del.statusCode).toBe(404);
      const ours = (await call('GET', '/api/v1/roles', org.owner.token)).json().roles;
      expect(ours.find((r: { key: string }) => r.key === 'event_manager').name).toBe('Event manager');
    });

    it('are deleted only when nobody holds them', async () => {
      await call('POST', '/api/v1/roles', org.owner.token, {
        key: 'short_lived',
        name: 'Short',
        permissions: ['members:read'],
      });
      const holder = await t.addMember(org, ['short_lived']);
      const inUse = await call('DELETE', '/api/v1/roles/short_lived', org.owner.token);
      expect(inUse.statusCode).toBe(409);
      expect(inUse.json().error).toMatchObject({ code: 'ROLE_IN_USE', details: { memberCount: 1 } });
      await call('PATCH', `/api/v1/members/${holder.id}`, org.owner.token, { roles: ['member'] });
      expect((await call('DELETE', '/api/v1/roles/short_lived', org.owner.token)).statusCode).toBe(200);
      expect(await t.lastAuditEvent(org.id)).toMatchObject({ action: 'role.deleted' });
      expect((await call('DELETE', '/api/v1/roles/short_lived', org.owner.token)).statusCode).toBe(404);
      expect((await call('DELETE', '/api/v1/roles/admin', org.owner.token)).json().error.code).toBe(
        'ROLE_NOT_EDITABLE',
      );
    });

    it('are not deleted while a pending invitation or the MFA policy names them', async () => {
      await call('POST', '/api/v1/roles', org.owner.token, {
        key: 'invited_role',
        name: 'Invited',
        permissions: [],
      });
      const email = t.uniqueEmail('pending');
      const invited = await call('POST', '/api/v1/invitations', org.owner.token, {
        email,
        roles: ['invited_role'],
      });
      expect(invited.statusCode, invited.body).toBe(201);
      const refused = await call('DELETE', '/api/v1/roles/invited_role', org.owner.token);
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error).toMatchObject({
        code: 'ROLE_IN_USE',
        details: { pendingInvitationCount: 1 },
      });
      await call('DELETE', `/api/v1/invitations/${invited.json().invitation.id}`, org.owner.token);
      const policy = await call('PATCH', '/api/v1/security/policy', org.owner.token, {
        mfaRequirement: 'roles',
        mfaRoles: ['invited_role'],
      });
      expect(policy.statusCode, policy.body).toBe(200);
      const mfa = await call('DELETE', '/api/v1/roles/invited_role', org.owner.token);
      expect(mfa.json().error).toMatchObject({ code: 'ROLE_IN_USE', details: { mfaPolicy: true } });
      await call('PATCH', '/api/v1/security/policy', org.owner.token, {
        mfaRequirement: 'off',
        mfaRoles: [],
      });
      expect((await call('DELETE', '/api/v1/roles/invited_role', org.owner.token)).statusCode).toBe(200);
    });

    it('built-in roles gain host-app grants only; the owner role never changes', async () => {
      const member = await call('PATCH', '/api/v1/roles/member', org.owner.token, {
        ownPermissions: ['rsvps:manage'],
      });
      expect(member.statusCode, member.body).toBe(200);
      expect(member.json()).toMatchObject({
        key: 'member',
        permissions: ['organization:read'],
        ownPermissions: ['rsvps:manage'],
      });
      const custos = await call('PATCH', '/api/v1/roles/member', org.owner.token, {
        permissions: ['audit:read'],
      });
      expect(custos.statusCode).toBe(400);
      expect(custos.json().error.code).toBe('ROLE_NOT_EDITABLE');
      const rename = await call('PATCH', '/api/v1/roles/member', org.owner.token, { name: 'Peasant' });
      expect(rename.json().error.code).toBe('ROLE_NOT_EDITABLE');
      const owner = await call('PATCH', '/api/v1/roles/owner', org.owner.token, { permissions: [] });
      expect(owner.statusCode).toBe(403);
      expect(owner.json().error.code).toBe('ROLE_NOT_EDITABLE');
      const empty = await call('PATCH', '/api/v1/roles/member', org.owner.token, {});
      expect(empty.statusCode).toBe(400);
    });
  });

  describe('host-app permissions', () => {
    it('are declared idempotently: the same declaration again changes and records nothing', async () => {
      const events = await t.count('auditEvents');
      const again = await call('PUT', '/api/v1/app-permissions', hostKey, {
        permissions: [
          { key: 'events:edit', description: 'Edit events' },
          { key: 'rsvps:manage', description: 'Manage RSVPs' },
        ],
      });
      expect(again.statusCode).toBe(200);
      expect(again.json()).toMatchObject({ added: [], updated: [], removed: [] });
      expect(await t.count('auditEvents')).toBe(events);
    });

    it("reject Custos' own resources, duplicates and malformed keys", async () => {
      const before = await t.count('appPermissions');
      for (const [payload, code] of [
        [{ permissions: [{ key: 'audit:wipe' }] }, 'PERMISSION_RESERVED'],
        [{ permissions: [{ key: 'a:b' }, { key: 'a:b' }] }, 'VALIDATION_FAILED'],
        [{ permissions: [{ key: 'NoColon' }] }, 'VALIDATION_FAILED'],
        [{ permissions: 'events:edit' }, 'VALIDATION_FAILED'],
      ] as const) {
        const res = await call('PUT', '/api/v1/app-permissions', hostKey, payload);
        expect(res.statusCode, JSON.stringify(payload)).toBe(400);
        expect(res.json().error.code).toBe(code);
      }
      expect(await t.count('appPermissions')).toBe(before);
    });

    it('need access:register, and each organization has its own', async () => {
      const reader = await keyFor(org, ['audit:read']);
      expect((await call('PUT', '/api/v1/app-permissions', reader, { permissions: [] })).statusCode).toBe(
        403,
      );
      const theirKey = await keyFor(other, ['access:register', 'access:read']);
      expect((await call('GET', '/api/v1/app-permissions', theirKey)).json().permissions).toEqual([]);
      const del = await call('DELETE', '/api/v1/app-permissions/events:edit', theirKey);
      expect(del.statusCode).toBe(404);
      expect(del.json().error.code).toBe('APP_PERMISSION_NOT_FOUND');
    });

    it('pruned, leave every role that granted them', async () => {
      await call('PUT', '/api/v1/app-permissions', hostKey, {
        permissions: [
          { key: 'events:edit' },
          { key: 'rsvps:manage' },
          { key: 'tickets:sell', description: 'Sell' },
        ],
      });
      await call('POST', '/api/v1/roles', org.owner.token, {
        key: 'seller',
        name: 'Seller',
        permissions: ['tickets:sell'],
      });
      const pruned = await call('PUT', '/api/v1/app-permissions', hostKey, {
        permissions: [
          { key: 'events:edit', description: 'Edit events' },
          { key: 'rsvps:manage', description: 'Manage RSVPs' },
        ],
        prune: true,
      });
      expect(pruned.json()).toMatchObject({ removed: ['tickets:sell'] });
      const seller = (await call('GET', '/api/v1/roles', org.owner.token))
        .json()
        .roles.find((r: { key: string }) => r.key === 'seller');
      expect(seller.permissions).toEqual([]);
      expect(await t.lastAuditEvent(org.id)).toMatchObject({
        action: 'app_permissions.registered',
        metadata: expect.objectContaining({ removed: ['tickets:sell'] }),
      });
    });
  });

  describe('POST /api/v1/authorize', () => {
    let manager: { id: string; token: string };
    let plain: { id: string; token: string };

    beforeAll(async () => {
      manager = await t.addMember(org, ['member']);
      await call('PATCH', `/api/v1/members/${manager.id}`, org.owner.token, { roles: ['event_manager'] });
      plain = await t.addMember(org, ['member']);
    });

    it('allows with the granting role, by user id or by session token', async () => {
      const byId = await authorize({ subject: { userId: manager.id }, permission: 'events:edit' });
      expect(byId.statusCode, byId.body).toBe(200);
      expect(byId.json()).toMatchObject({
        allowed: true,
        reason: 'granted',
        grantedBy: 'event_manager',
        scope: 'all',
        userId: manager.id,
        roles: ['event_manager'],
        rule: null,
      });
      const bySession = await authorize({
        subject: { sessionToken: manager.token },
        permission: 'members:read',
      });
      expect(bySession.json()).toMatchObject({ allowed: true, reason: 'granted', userId: manager.id });
    });

    it('answers ownership rules: own resources only', async () => {
      const own = await authorize({
        subject: { userId: plain.id },
        permission: 'rsvps:manage',
        resource: { type: 'rsvp', id: 'r1', ownerId: plain.id },
      });
      expect(own.json()).toMatchObject({
        allowed: true,
        reason: 'granted_own',
        grantedBy: 'member',
        scope: 'own',
      });
      const theirs = await authorize({
        subject: { userId: plain.id },
        permission: 'rsvps:manage',
        resource: { ownerId: manager.id },
      });
      expect(theirs.json()).toMatchObject({ allowed: false, reason: 'not_owner' });
      const unknown = await authorize({ subject: { userId: plain.id }, permission: 'rsvps:manage' });
      expect(unknown.json()).toMatchObject({ allowed: false, reason: 'owner_unknown' });
    });

    it('denies with the reason, and records every deny as access.denied', async () => {
      const denied = await authorize({
        subject: { userId: plain.id },
        permission: 'events:edit',
        resource: { type: 'event', id: 'e9' },
      });
      expect(denied.json()).toMatchObject({ allowed: false, reason: 'not_granted', grantedBy: null });
      expect(denied.json().message).toMatch(/events:edit/);
      expect(await t.lastAuditEvent(org.id)).toMatchObject({
        action: 'access.denied',
        outcome: 'denied',
        targets: expect.arrayContaining([
          expect.objectContaining({ type: 'user', id: plain.id }),
          expect.objectContaining({ type: 'event', id: 'e9' }),
        ]),
        metadata: expect.objectContaining({
          via: 'authorize',
          permission: 'events:edit',
          reason: 'not_granted',
        }),
      });
      const typo = await authorize({ subject: { userId: plain.id }, permission: 'events:edti' });
      expect(typo.json()).toMatchObject({ allowed: false, reason: 'unknown_permission' });
    });

    it("never reveals another organization's users or sessions", async () => {
      const foreign = await authorize({ subject: { userId: other.owner.id }, permission: 'events:edit' });
      expect(foreign.json()).toMatchObject({ allowed: false, reason: 'not_member', roles: [] });
      const foreignSession = await authorize({
        subject: { sessionToken: other.owner.token },
        permission: 'events:edit',
      });
      expect(foreignSession.json()).toMatchObject({
        allowed: false,
        reason: 'session_invalid',
        userId: null,
      });
      const garbage = await authorize({
        subject: { sessionToken: 'not-a-session' },
        permission: 'events:edit',
      });
      expect(garbage.json()).toMatchObject({ allowed: false, reason: 'session_invalid' });
    });

    it('follows role changes and disabled users on the next call', async () => {
      await call('PATCH', '/api/v1/roles/event_manager', org.owner.token, { permissions: ['members:read'] });
      const after = await authorize({ subject: { userId: manager.id }, permission: 'events:edit' });
      expect(after.json()).toMatchObject({ allowed: false, reason: 'not_granted' });
      await call('PATCH', '/api/v1/roles/event_manager', org.owner.token, {
        permissions: ['events:edit', 'members:read'],
      });
      expect(
        (await authorize({ subject: { userId: manager.id }, permission: 'events:edit' })).json().allowed,
      ).toBe(true);
      await t.db
        .updateTable('users')
        .set({ disabledAt: new Date().toISOString() })
        .where('id', '=', manager.id)
        .execute();
      const disabled = await authorize({ subject: { userId: manager.id }, permission: 'events:edit' });
      expect(disabled.json()).toMatchObject({ allowed: false, reason: 'user_disabled' });
      await t.db.updateTable('users').set({ disabledAt: null }).where('id', '=', manager.id).execute();
    });

    it('holds both subject forms to the MFA enrolment deadline, and leaves the session untouched', async () => {
      const strict = await t.createOrganization('Strict MFA');
      const key = await keyFor(strict, ['access:check']);
      const late = await t.addMember(strict, ['member']);
      const policy = await call('PATCH', '/api/v1/security/policy', strict.owner.token, {
        mfaRequirement: 'roles',
        mfaRoles: ['member'],
        mfaGraceDays: 0,
      });
      expect(policy.statusCode, policy.body).toBe(200);
      const byId = await authorize({ subject: { userId: late.id }, permission: 'organization:read' }, key);
      expect(byId.json()).toMatchObject({ allowed: false, reason: 'mfa_enrollment_required' });
      const bySession = await authorize(
        { subject: { sessionToken: late.token }, permission: 'organization:read' },
        key,
      );
      expect(bySession.json()).toMatchObject({ allowed: false, reason: 'mfa_enrollment_required' });
      const owner = await authorize(
        { subject: { userId: strict.owner.id }, permission: 'organization:read' },
        key,
      );
      expect(owner.json()).toMatchObject({ allowed: true });

      const old = new Date(Date.now() - 10 * 60_000).toISOString();
      await t.db.updateTable('sessions').set({ lastSeenAt: old }).where('userId', '=', plain.id).execute();
      await authorize({ subject: { sessionToken: plain.token }, permission: 'events:edit' });
      const seen = await t.db
        .selectFrom('sessions')
        .select('lastSeenAt')
        .where('userId', '=', plain.id)
        .execute();
      expect(seen.map((r) => r.lastSeenAt)).toEqual(seen.map(() => old));
    });

    it('answers a batch in order, recording its denies in one go', async () => {
      const events = await t.count('auditEvents');
      const res = await call('POST', '/api/v1/authorize/batch', hostKey, {
        checks: [
          { subject: { userId: manager.id }, permission: 'events:edit' },
          { subject: { userId: plain.id }, permission: 'events:edit' },
          { subject: { userId: plain.id }, permission: 'rsvps:manage', resource: { ownerId: plain.id } },
        ],
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().results.map((r: { allowed: boolean }) => r.allowed)).toEqual([true, false, true]);
      expect(await t.count('auditEvents')).toBe(events + 1);
      const tooMany = await call('POST', '/api/v1/authorize/batch', hostKey, {
        checks: Array.from({ length: 101 }, () => ({
          subject: { userId: plain.id },
          permission: 'events:edit',
        })),
      });
      expect(tooMany.statusCode).toBe(400);
      expect((await call('POST', '/api/v1/authorize/batch', hostKey, { checks: [] })).statusCode).toBe(400);
    });

    it('rejects bad input with 400, and needs access:check', async () => {
      for (const payload of [
        {},
        { subject: { userId: plain.id } },
        { subject: { userId: 'nope' }, permission: 'events:edit' },
        { subject: { userId: plain.id, sessionToken: 'x' }, permission: 'events:edit' },
        { subject: { userId: plain.id }, permission: 'events' },
        { subject: { userId: plain.id }, permission: 'events:edit', context: { ip: 'x', extra: 1 } },
        { subject: { userId: plain.id }, permission: 'events:edit', context: { at: 'yesterday' } },
      ]) {
        const res = await authorize(payload);
        expect(res.statusCode, JSON.stringify(payload)).toBe(400);
        expect(res.json().error.code).toBe('VALIDATION_FAILED');
      }
      const badIp = await authorize({
        subject: { userId: plain.id },
        permission: 'events:edit',
        context: { ip: '203.0.113.010' },
      });
      expect(badIp.statusCode).toBe(400);
      expect(badIp.json().error.code).toBe('ACCESS_RULE_INVALID');
      const registerOnly = await keyFor(org, ['access:register']);
      const noCheck = await authorize(
        { subject: { userId: plain.id }, permission: 'events:edit' },
        registerOnly,
      );
      expect(noCheck.statusCode).toBe(403);
      expect(noCheck.json().error.details).toEqual({ permission: 'access:check' });
      expect(
        (
          await call('POST', '/api/v1/authorize', undefined, {
            subject: { userId: plain.id },
            permission: 'events:edit',
          })
        ).statusCode,
      ).toBe(401);
      // A member's session can ask too when it holds access:check; a plain member cannot.
      expect(
        (await authorize({ subject: { userId: plain.id }, permission: 'events:edit' }, plain.token))
          .statusCode,
      ).toBe(403);
      expect(
        (await authorize({ subject: { userId: plain.id }, permission: 'events:edit' }, org.owner.token))
          .statusCode,
      ).toBe(200);
    });
  });
});
