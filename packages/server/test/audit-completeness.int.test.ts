import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, PASSWORD, type TestApp, type TestOrg } from './harness';

/**
 * Completeness of the audit trail: every registered route that can change state is exercised here
 * until it succeeds, and the success must have written at least one audit event. A new mutating
 * route without a scenario below fails the first test, so nobody can add one and forget its event.
 */
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Routes that use POST without changing anything, each with the reason. */
const READ_ONLY_POSTS: Record<string, string> = {
  'POST /api/v1/invitations/preview': 'shows who invited you; the token travels in the body, not the URL',
};

interface Step {
  route: string;
  run: () => Promise<{ statusCode: number; headers: Record<string, unknown> }>;
}

describe.each(backends)('audit completeness: every mutating route writes an audit event (%s)', (backend) => {
  let t: TestApp;
  let org: TestOrg;
  let writer: string;
  const ctx: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp(backend);
  });
  afterAll(() => t.close());

  const post = (
    url: string,
    payload: unknown,
    token?: string,
    method: 'POST' | 'PUT' | 'PATCH' | 'DELETE' = 'POST',
  ) => t.inject({ method, url, payload, ...(token ? { token } : {}) });

  const steps = (): Step[] => [
    {
      route: 'POST /api/v1/setup',
      run: async () => {
        const link = (await t.services.setup.issueSetupLink()) as string;
        const token = new URL(link).hash.slice('#token='.length);
        ctx.adminEmail = t.uniqueEmail('admin');
        return post('/api/v1/setup', {
          token,
          email: ctx.adminEmail,
          name: 'Setup Admin',
          password: PASSWORD,
          organizationName: 'Walked Org',
        });
      },
    },
    {
      route: 'POST /api/v1/auth/sign-in',
      run: async () => {
        const res = await post('/api/v1/auth/sign-in', {
          email: ctx.adminEmail,
          password: PASSWORD,
          tokenType: 'bearer',
        });
        ctx.admin = res.json().token;
        org = {
          id: res.json().organization.id,
          name: 'Walked Org',
          owner: { id: '', email: '', token: ctx.admin as string },
        };
        return res;
      },
    },
    {
      route: 'PATCH /api/v1/me',
      run: () => post('/api/v1/me', { name: 'Renamed Admin' }, ctx.admin, 'PATCH'),
    },
    {
      route: 'PATCH /api/v1/organization',
      run: () => post('/api/v1/organization', { name: 'Walked Org 2' }, ctx.admin, 'PATCH'),
    },
    {
      route: 'POST /api/v1/admin/organizations',
      run: async () => {
        const res = await post('/api/v1/admin/organizations', { name: 'Second Walked' }, ctx.admin);
        ctx.secondOrg = res.json().organization.id;
        return res;
      },
    },
    {
      route: 'POST /api/v1/auth/switch-organization',
      run: async () => {
        const res = await post(
          '/api/v1/auth/switch-organization',
          { organizationId: ctx.secondOrg },
          ctx.admin,
        );
        ctx.admin = res.json().token ?? ctx.admin;
        await post('/api/v1/auth/switch-organization', { organizationId: org.id }, ctx.admin).then((r) => {
          ctx.admin = r.json().token ?? ctx.admin;
        });
        return res;
      },
    },
    {
      route: 'POST /api/v1/invitations',
      run: async () => {
        const res = await post(
          '/api/v1/invitations',
          { email: t.uniqueEmail('walk'), roles: ['member'] },
          ctx.admin,
        );
        ctx.invitationId = res.json().invitation.id;
        return res;
      },
    },
    {
      route: 'DELETE /api/v1/invitations/:id',
      run: () => post(`/api/v1/invitations/${ctx.invitationId}`, undefined, ctx.admin, 'DELETE'),
    },
    {
      route: 'POST /api/v1/invitations/accept',
      run: async () => {
        ctx.memberEmail = t.uniqueEmail('joiner');
        const invited = await post(
          '/api/v1/invitations',
          { email: ctx.memberEmail, roles: ['member'] },
          ctx.admin,
        );
        const token = new URL(invited.json().inviteUrl).hash.replace('#token=', '');
        const res = await post('/api/v1/invitations/accept', {
          token,
          name: 'Joiner',
          password: PASSWORD,
          tokenType: 'bearer',
        });
        ctx.memberId = res.json().user.id;
        ctx.member = res.json().token;
        return res;
      },
    },
    {
      route: 'PATCH /api/v1/members/:userId',
      run: () => post(`/api/v1/members/${ctx.memberId}`, { roles: ['auditor'] }, ctx.admin, 'PATCH'),
    },
    {
      route: 'POST /api/v1/me/password',
      run: () =>
        post(
          '/api/v1/me/password',
          { currentPassword: PASSWORD, newPassword: `${PASSWORD} again` },
          ctx.member,
        ),
    },
    {
      route: 'POST /api/v1/auth/sign-out',
      run: async () => {
        const token = await t.signIn(ctx.memberEmail as string, `${PASSWORD} again`);
        return post('/api/v1/auth/sign-out', undefined, token);
      },
    },
    {
      route: 'DELETE /api/v1/members/:userId',
      run: () => post(`/api/v1/members/${ctx.memberId}`, undefined, ctx.admin, 'DELETE'),
    },
    {
      route: 'POST /api/v1/api-keys',
      run: async () => {
        const res = await post(
          '/api/v1/api-keys',
          { name: 'walker', permissions: ['audit:write'] },
          ctx.admin,
        );
        ctx.keyId = res.json().apiKey.id;
        writer = res.json().secret;
        return res;
      },
    },
    {
      route: 'POST /api/v1/audit/events',
      run: () => post('/api/v1/audit/events', { action: 'walk.single', actor: { type: 'system' } }, writer),
    },
    {
      route: 'POST /api/v1/audit/events/batch',
      run: () =>
        post(
          '/api/v1/audit/events/batch',
          { events: [{ action: 'walk.batch', actor: { type: 'system' } }] },
          writer,
        ),
    },
    {
      route: 'DELETE /api/v1/api-keys/:id',
      run: () => post(`/api/v1/api-keys/${ctx.keyId}`, undefined, ctx.admin, 'DELETE'),
    },
    {
      route: 'POST /api/v1/audit/saved-searches',
      run: async () => {
        const res = await post(
          '/api/v1/audit/saved-searches',
          { name: 'walk', query: { action: 'walk.*' } },
          ctx.admin,
        );
        ctx.savedId = res.json().id;
        return res;
      },
    },
    {
      route: 'DELETE /api/v1/audit/saved-searches/:id',
      run: () => post(`/api/v1/audit/saved-searches/${ctx.savedId}`, undefined, ctx.admin, 'DELETE'),
    },
    {
      route: 'PUT /api/v1/audit/settings',
      run: () => post('/api/v1/audit/settings', { retentionDays: 365, legalHold: false }, ctx.admin, 'PUT'),
    },
    {
      route: 'POST /api/v1/audit/subjects/erase',
      run: () => post('/api/v1/audit/subjects/erase', { subject: 'someone@example.com' }, ctx.admin),
    },
  ];

  it('has a scenario for every mutating route', () => {
    const mutating = t.routes
      .filter((r) => MUTATING.has(r.method))
      .map((r) => `${r.method} ${r.url}`)
      .filter((r) => !(r in READ_ONLY_POSTS));
    const covered = steps().map((s) => s.route);
    expect([...new Set(mutating)].sort()).toEqual([...new Set(covered)].sort());
  });

  it('writes at least one audit event for each successful mutation, tagged with its request id', async () => {
    for (const step of steps()) {
      const before = await t.count('auditEvents');
      const res = await step.run();
      expect(res.statusCode, `${step.route} should succeed`).toBeLessThan(300);
      const requestId = String(res.headers['x-request-id']);
      const tagged = await t.db
        .selectFrom('auditEvents')
        .select('action')
        .where('requestId', '=', requestId)
        .execute();
      const ingestion = step.route.startsWith('POST /api/v1/audit/events');
      // Host-app events carry the host's request id; there the new rows are the audit events.
      if (ingestion) expect(await t.count('auditEvents'), step.route).toBeGreaterThan(before);
      else expect(tagged.length, `${step.route} wrote no audit event`).toBeGreaterThan(0);
    }
  });
});
