import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCodeAt } from '../src/modules/mfa';
import { backends, createTestApp, PASSWORD, type TestApp, type TestOrg } from './harness';
import { SoftAuthenticator } from './soft-authenticator';

/**
 * Completeness of the audit trail: every registered route that can change state is exercised here
 * until it succeeds, and the success must have written at least one audit event. A new mutating
 * route without a scenario below fails the first test, so nobody can add one and forget its event.
 */
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Routes that use POST without changing anything, each with the reason. */
const READ_ONLY_POSTS: Record<string, string> = {
  'POST /api/v1/invitations/preview': 'shows who invited you; the token travels in the body, not the URL',
  'POST /api/v1/auth/passkey/options':
    'only stores a short-lived WebAuthn challenge for passwordless sign-in; the sign-in itself is audited',
  'POST /api/v1/auth/mfa/passkey-options':
    'only attaches a WebAuthn challenge to a pending sign-in challenge; mfa/verify is audited',
  'POST /api/v1/me/factors/passkeys/options':
    'only stores a short-lived WebAuthn registration challenge; adding the passkey is audited',
  'POST /api/v1/access-rules/test': 'evaluates the access rules for a given IP and time; stores nothing',
  'POST /api/v1/authorize': 'answers a question; only its denies are recorded (as access.denied)',
  'POST /api/v1/authorize/batch': 'answers questions; only their denies are recorded (as access.denied)',
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
  const authenticator = new SoftAuthenticator({ origin: 'http://custos.test' });
  /** A value an earlier step left behind (a missing one is a broken walk, not a test of the route). */
  const need = (key: string): string => {
    const value = ctx[key];
    if (!value) throw new Error(`an earlier step did not set ${key}`);
    return value;
  };

  beforeAll(async () => {
    t = await createTestApp(backend, { config: { CUSTOS_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' } });
  });
  afterAll(() => t.close());

  const post = (
    url: string,
    payload: unknown,
    token?: string,
    method: 'POST' | 'PUT' | 'PATCH' | 'DELETE' = 'POST',
  ) => t.inject({ method, url, payload, ...(token ? { token } : {}) });

  /** A new member of the walked organization, signed in by accepting the invitation. */
  const join = async (prefix: string) => {
    const email = t.uniqueEmail(prefix);
    const invited = await post('/api/v1/invitations', { email, roles: ['member'] }, need('admin'));
    const token = new URL(invited.json().inviteUrl).hash.replace('#token=', '');
    const res = await post('/api/v1/invitations/accept', {
      token,
      name: 'Walker',
      password: PASSWORD,
      tokenType: 'bearer',
    });
    if (res.statusCode !== 200) throw new Error(`accept failed: ${res.statusCode} ${res.body}`);
    return { email, id: String(res.json().user.id), token: String(res.json().token) };
  };

  /** The reset mail goes out after the answer; wait for its link. */
  const resetLinkToken = async (email: string): Promise<string> => {
    for (let i = 0; i < 100; i++) {
      const row = await t.db
        .selectFrom('outbox')
        .select('bodyText')
        .where('recipient', '=', email)
        .where('subject', '=', 'Reset your Custos password')
        .executeTakeFirst();
      const token = /#token=([A-Za-z0-9_-]+)/.exec(row?.bodyText ?? '')?.[1];
      if (token) return token;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no reset mail for ${email}`);
  };

  /** The public request page's code mail goes out after the answer; wait for its code. */
  const publicCode = async (email: string): Promise<string> => {
    for (let i = 0; i < 100; i++) {
      const row = await t.db
        .selectFrom('outbox')
        .select('bodyText')
        .where('recipient', '=', email)
        .executeTakeFirst();
      const code = /Your code: (\d{6,8})/.exec(row?.bodyText ?? '')?.[1];
      if (code) return code;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no code mail for ${email}`);
  };

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
      route: 'POST /api/v1/invitations/:id/resend',
      run: () => post(`/api/v1/invitations/${ctx.invitationId}/resend`, {}, ctx.admin),
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
      route: 'POST /api/v1/members/:userId/unlock',
      run: () => post(`/api/v1/members/${ctx.memberId}/unlock`, undefined, ctx.admin),
    },
    {
      route: 'POST /api/v1/members/:userId/mfa/reset',
      run: () => post(`/api/v1/members/${ctx.memberId}/mfa/reset`, undefined, ctx.admin),
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
      route: 'PUT /api/v1/app-permissions',
      run: async () => {
        const key = await post(
          '/api/v1/api-keys',
          { name: 'host app', permissions: ['access:register', 'access:check'] },
          ctx.admin,
        );
        ctx.hostKey = key.json().secret;
        return post(
          '/api/v1/app-permissions',
          { permissions: [{ key: 'walks:take', description: 'Take a walk' }, { key: 'walks:skip' }] },
          need('hostKey'),
          'PUT',
        );
      },
    },
    {
      route: 'DELETE /api/v1/app-permissions/:key',
      run: () => post('/api/v1/app-permissions/walks:skip', undefined, need('hostKey'), 'DELETE'),
    },
    {
      route: 'POST /api/v1/roles',
      run: () =>
        post(
          '/api/v1/roles',
          { key: 'walker', name: 'Walker', permissions: ['members:read'], ownPermissions: ['walks:take'] },
          ctx.admin,
        ),
    },
    {
      route: 'PATCH /api/v1/roles/:key',
      run: () => post('/api/v1/roles/walker', { permissions: ['walks:take'] }, ctx.admin, 'PATCH'),
    },
    {
      route: 'DELETE /api/v1/roles/:key',
      run: () => post('/api/v1/roles/walker', undefined, ctx.admin, 'DELETE'),
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
    // ---- sign-in hardening: step-up, policy, factors, MFA sign-in, sessions, users, impersonation ----
    {
      route: 'POST /api/v1/auth/step-up',
      run: async () => {
        const res = await post(
          '/api/v1/auth/step-up',
          { method: 'password', password: PASSWORD },
          need('admin'),
        );
        ctx.admin = res.json().token ?? ctx.admin;
        return res;
      },
    },
    {
      route: 'PATCH /api/v1/security/policy',
      run: () => post('/api/v1/security/policy', { stepUpMinutes: 30 }, need('admin'), 'PATCH'),
    },
    // ---- access rules (the admin's step-up above still holds) ----
    {
      route: 'POST /api/v1/access-rules',
      run: async () => {
        const res = await post(
          '/api/v1/access-rules',
          { kind: 'ip', effect: 'deny', cidrs: ['192.0.2.0/24'], target: 'role', role: 'auditor' },
          need('admin'),
        );
        ctx.accessRuleId = res.json().id;
        return res;
      },
    },
    {
      route: 'PATCH /api/v1/access-rules/:id',
      run: () =>
        post(
          `/api/v1/access-rules/${need('accessRuleId')}`,
          { description: 'walked' },
          need('admin'),
          'PATCH',
        ),
    },
    {
      route: 'PUT /api/v1/access-rules/time-zone',
      run: () => post('/api/v1/access-rules/time-zone', { timeZone: 'Europe/Berlin' }, need('admin'), 'PUT'),
    },
    {
      route: 'DELETE /api/v1/access-rules/:id',
      run: () => post(`/api/v1/access-rules/${need('accessRuleId')}`, undefined, need('admin'), 'DELETE'),
    },
    // ---- threat detection: settings, triage, responses, alert channels and deliveries ----
    {
      route: 'PUT /api/v1/security/settings',
      run: () =>
        post(
          '/api/v1/security/settings',
          { detectors: { off_hours: { enabled: false, severity: 'low', thresholds: {} } } },
          need('admin'),
          'PUT',
        ),
    },
    {
      route: 'PATCH /api/v1/security/events/:id',
      run: async () => {
        // A detection raises the event (the pipeline writes no request's id), then an admin triages it.
        const raised = await t.services.threats.events.recordDetection(
          {
            type: 'brute_force_ip',
            severity: 'medium',
            organizationId: org.id,
            dedupKey: 'brute_force_ip:ip:192.0.2.200',
            subject: { type: 'ip', id: '192.0.2.200', label: '192.0.2.200' },
            sourceIp: '192.0.2.200',
            country: null,
            explanation: 'walked',
            details: {},
            evidence: [],
            userId: null,
          },
          await t.services.threats.settings.settingsFor(org.id),
        );
        return post(
          `/api/v1/security/events/${raised.event.id}`,
          { status: 'acknowledged' },
          need('admin'),
          'PATCH',
        );
      },
    },
    {
      route: 'POST /api/v1/security/responses',
      run: async () => {
        const res = await post(
          '/api/v1/security/responses',
          { kind: 'block_ip', ip: '192.0.2.201', durationMinutes: 30 },
          need('admin'),
        );
        ctx.responseId = res.json().id;
        return res;
      },
    },
    {
      route: 'POST /api/v1/security/responses/:id/lift',
      run: () => post(`/api/v1/security/responses/${need('responseId')}/lift`, undefined, need('admin')),
    },
    {
      route: 'POST /api/v1/alerts/channels',
      run: async () => {
        const res = await post(
          '/api/v1/alerts/channels',
          {
            kind: 'webhook',
            name: 'Walked hook',
            // Nothing listens there: deliveries fail, which is all the walk needs.
            url: 'http://127.0.0.1:9/hook',
            routing: { minSeverity: 'critical', types: null, digestLow: false },
          },
          need('admin'),
        );
        ctx.channelId = res.json().id;
        return res;
      },
    },
    {
      route: 'PATCH /api/v1/alerts/channels/:id',
      run: () =>
        post(
          `/api/v1/alerts/channels/${need('channelId')}`,
          { name: 'Renamed hook' },
          need('admin'),
          'PATCH',
        ),
    },
    {
      route: 'POST /api/v1/alerts/channels/:id/rotate-secret',
      run: () => post(`/api/v1/alerts/channels/${need('channelId')}/rotate-secret`, undefined, need('admin')),
    },
    {
      route: 'POST /api/v1/alerts/channels/:id/test',
      run: async () => {
        const res = await post(`/api/v1/alerts/channels/${need('channelId')}/test`, undefined, need('admin'));
        ctx.deliveryId = res.json().id;
        return res;
      },
    },
    {
      route: 'POST /api/v1/alerts/deliveries/:id/replay',
      run: () => post(`/api/v1/alerts/deliveries/${need('deliveryId')}/replay`, undefined, need('admin')),
    },
    {
      route: 'DELETE /api/v1/alerts/channels/:id',
      run: () => post(`/api/v1/alerts/channels/${need('channelId')}`, undefined, need('admin'), 'DELETE'),
    },
    {
      route: 'POST /api/v1/privacy/categories',
      run: async () => {
        const res = await post(
          '/api/v1/privacy/categories',
          { slug: 'walked', name: 'Walked' },
          need('admin'),
        );
        ctx.privacyCategoryId = res.json().id;
        return res;
      },
    },
    {
      route: 'PATCH /api/v1/privacy/categories/:id',
      run: () =>
        post(
          `/api/v1/privacy/categories/${need('privacyCategoryId')}`,
          { name: 'Walked 2' },
          need('admin'),
          'PATCH',
        ),
    },
    {
      route: 'DELETE /api/v1/privacy/categories/:id',
      run: () =>
        post(`/api/v1/privacy/categories/${need('privacyCategoryId')}`, undefined, need('admin'), 'DELETE'),
    },
    {
      route: 'POST /api/v1/privacy/systems',
      run: async () => {
        const res = await post('/api/v1/privacy/systems', { name: 'Walked system' }, need('admin'));
        ctx.privacySystemId = res.json().id;
        return res;
      },
    },
    {
      route: 'PATCH /api/v1/privacy/systems/:id',
      run: () =>
        post(
          `/api/v1/privacy/systems/${need('privacySystemId')}`,
          { owner: 'Walkers' },
          need('admin'),
          'PATCH',
        ),
    },
    {
      route: 'PUT /api/v1/privacy/systems/:id/categories',
      run: () =>
        post(
          `/api/v1/privacy/systems/${need('privacySystemId')}/categories`,
          {
            categories: [
              { categoryKey: 'contact.email', purposes: [{ purpose: 'Walk', lawfulBasis: 'contract' }] },
            ],
          },
          need('admin'),
          'PUT',
        ),
    },
    {
      route: 'DELETE /api/v1/privacy/systems/:id',
      run: () =>
        post(`/api/v1/privacy/systems/${need('privacySystemId')}`, undefined, need('admin'), 'DELETE'),
    },
    {
      route: 'PUT /api/v1/privacy/settings',
      run: () => post('/api/v1/privacy/settings', { reminderDaysBefore: [7, 2] }, need('admin'), 'PUT'),
    },
    {
      route: 'POST /api/v1/privacy/requests',
      run: async () => {
        ctx.privacySubjectEmail = t.uniqueEmail('walked-subject');
        const res = await post(
          '/api/v1/privacy/requests',
          { type: 'access', regime: 'gdpr', email: ctx.privacySubjectEmail },
          need('admin'),
        );
        ctx.privacyRequestId = res.json().id;
        const other = await post(
          '/api/v1/privacy/requests',
          { type: 'erasure', regime: 'gdpr', subjectRef: 'walked-2' },
          need('admin'),
        );
        ctx.privacyRequest2 = other.json().id;
        const third = await post(
          '/api/v1/privacy/requests',
          { type: 'objection', regime: 'gdpr', subjectRef: 'walked-3' },
          need('admin'),
        );
        ctx.privacyRequest3 = third.json().id;
        return res;
      },
    },
    {
      route: 'POST /api/v1/privacy/requests/:id/extend',
      run: () =>
        post(
          `/api/v1/privacy/requests/${need('privacyRequestId')}/extend`,
          { reason: 'A walked-through reason' },
          need('admin'),
        ),
    },
    {
      route: 'POST /api/v1/privacy/requests/:id/verify',
      run: () => post(`/api/v1/privacy/requests/${need('privacyRequestId')}/verify`, {}, need('admin')),
    },
    {
      route: 'POST /api/v1/privacy/requests/:id/approve',
      run: async () => {
        // A polling system keeps the request's tasks open, so it does not complete by itself.
        const poller = await post(
          '/api/v1/privacy/systems',
          {
            name: 'Walked poller',
            connector: { webhookUrl: null, polling: true },
            categories: [{ categoryKey: 'contact.email' }],
          },
          need('admin'),
        );
        ctx.privacyPollerId = poller.json().id;
        return post(`/api/v1/privacy/requests/${need('privacyRequestId')}/approve`, {}, need('admin'));
      },
    },
    {
      route: 'POST /api/v1/privacy/requests/:id/complete',
      run: () => post(`/api/v1/privacy/requests/${need('privacyRequestId')}/complete`, {}, need('admin')),
    },
    {
      route: 'POST /api/v1/privacy/requests/:id/package/resend',
      run: async () => {
        // The completed access request's package (the job makes one a manual completion missed).
        await t.services.privacy.packages.runDue();
        const pkg = await t.db
          .selectFrom('privacyAccessPackages')
          .select('id')
          .where('requestId', '=', need('privacyRequestId'))
          .executeTakeFirstOrThrow();
        ctx.privacyPackageId = pkg.id;
        return post(`/api/v1/privacy/requests/${need('privacyRequestId')}/package/resend`, {}, need('admin'));
      },
    },
    {
      route: 'POST /api/v1/public/privacy/:slug/packages/:packageId/code',
      run: async () => {
        const row = await t.db
          .selectFrom('organizations')
          .select('slug')
          .where('id', '=', org.id)
          .executeTakeFirstOrThrow();
        ctx.packageBase = `/api/v1/public/privacy/${row.slug}/packages/${need('privacyPackageId')}`;
        const res = await post(`${need('packageBase')}/code`, {});
        ctx.packageToken = res.json().downloadToken;
        return res;
      },
    },
    {
      route: 'POST /api/v1/public/privacy/:slug/packages/:packageId/download',
      run: async () => {
        let code = '';
        for (let i = 0; i < 100 && !code; i++) {
          const rows = await t.db
            .selectFrom('outbox')
            .select('bodyText')
            .where('recipient', '=', need('privacySubjectEmail'))
            .execute();
          code = rows.map((r) => /Your code: (\d{8})/.exec(r.bodyText ?? '')?.[1]).find((c) => c) ?? '';
          if (!code) await new Promise((resolve) => setTimeout(resolve, 20));
        }
        return post(`${need('packageBase')}/download`, { downloadToken: need('packageToken'), code });
      },
    },
    {
      route: 'POST /api/v1/privacy/requests/:id/cancel',
      run: () => post(`/api/v1/privacy/requests/${need('privacyRequest2')}/cancel`, {}, need('admin')),
    },
    {
      route: 'POST /api/v1/privacy/requests/:id/deny',
      run: () =>
        post(
          `/api/v1/privacy/requests/${need('privacyRequest3')}/deny`,
          { reason: 'Manifestly unfounded walk', legalGround: 'GDPR Art. 12(5)(b)' },
          need('admin'),
        ),
    },
    {
      route: 'POST /api/v1/privacy/tasks/claim',
      run: async () => {
        const request = await post(
          '/api/v1/privacy/requests',
          { type: 'access', regime: 'gdpr', subjectRef: 'walked-4', verified: true },
          need('admin'),
        );
        ctx.privacyRequest4 = request.json().id;
        await post(`/api/v1/privacy/requests/${need('privacyRequest4')}/approve`, {}, need('admin'));
        const key = await post(
          '/api/v1/api-keys',
          { name: 'walked poller', permissions: ['privacy:process'] },
          need('admin'),
        );
        ctx.processKey = key.json().secret;
        const res = await post(
          '/api/v1/privacy/tasks/claim',
          { systemId: need('privacyPollerId'), limit: 1 },
          need('processKey'),
        );
        ctx.privacyTaskId = res.json().tasks[0]?.id;
        return res;
      },
    },
    {
      route: 'POST /api/v1/privacy/tasks/:taskId/heartbeat',
      run: () =>
        post(
          `/api/v1/privacy/tasks/${need('privacyTaskId')}/heartbeat`,
          { leaseSeconds: 60 },
          need('processKey'),
        ),
    },
    {
      route: 'POST /api/v1/privacy/tasks/:taskId/fail',
      run: () =>
        post(
          `/api/v1/privacy/tasks/${need('privacyTaskId')}/fail`,
          { reason: 'walked failure' },
          need('processKey'),
        ),
    },
    {
      route: 'POST /api/v1/privacy/requests/:id/tasks/:taskId/retry',
      run: async () => {
        const task = need('privacyTaskId');
        const { requestId } = await t.db
          .selectFrom('privacyTasks')
          .select('requestId')
          .where('id', '=', task)
          .executeTakeFirstOrThrow();
        ctx.privacyTaskRequest = requestId ?? '';
        return post(
          `/api/v1/privacy/requests/${need('privacyTaskRequest')}/tasks/${task}/retry`,
          {},
          need('admin'),
        );
      },
    },
    {
      route: 'POST /api/v1/privacy/tasks/:taskId/complete',
      run: async () => {
        await post('/api/v1/privacy/tasks/claim', { systemId: need('privacyPollerId') }, need('processKey'));
        return post(
          `/api/v1/privacy/tasks/${need('privacyTaskId')}/complete`,
          { result: { walked: true } },
          need('processKey'),
        );
      },
    },
    {
      route: 'POST /api/v1/privacy/retention/rules',
      run: async () => {
        const res = await post(
          '/api/v1/privacy/retention/rules',
          {
            systemId: need('privacyPollerId'),
            categoryKey: 'contact.email',
            periodDays: 365,
            trigger: 'since_last_activity',
            action: 'delete',
          },
          need('admin'),
        );
        ctx.retentionRuleId = res.json().id;
        return res;
      },
    },
    {
      route: 'PATCH /api/v1/privacy/retention/rules/:id',
      run: () =>
        post(
          `/api/v1/privacy/retention/rules/${need('retentionRuleId')}`,
          { periodDays: 400 },
          need('admin'),
          'PATCH',
        ),
    },
    {
      route: 'POST /api/v1/privacy/retention/runs',
      run: () => post('/api/v1/privacy/retention/runs', { dryRun: false }, need('admin')),
    },
    {
      route: 'DELETE /api/v1/privacy/retention/rules/:id',
      run: () =>
        post(
          `/api/v1/privacy/retention/rules/${need('retentionRuleId')}`,
          undefined,
          need('admin'),
          'DELETE',
        ),
    },
    {
      route: 'POST /api/v1/public/privacy/:slug/requests',
      run: async () => {
        const row = await t.db
          .selectFrom('organizations')
          .select('slug')
          .where('id', '=', org.id)
          .executeTakeFirstOrThrow();
        ctx.publicSlug = row.slug;
        ctx.publicEmail = t.uniqueEmail('public');
        const res = await post(`/api/v1/public/privacy/${row.slug}/requests`, {
          type: 'access',
          email: ctx.publicEmail,
        });
        ctx.publicToken = res.json().requestToken;
        return res;
      },
    },
    {
      route: 'POST /api/v1/public/privacy/:slug/requests/verify',
      run: async () =>
        post(`/api/v1/public/privacy/${need('publicSlug')}/requests/verify`, {
          requestToken: need('publicToken'),
          code: await publicCode(need('publicEmail')),
        }),
    },
    {
      route: 'POST /api/v1/me/factors/totp',
      run: async () => {
        const user = await join('mfa');
        ctx.mfaEmail = user.email;
        ctx.mfa = user.token;
        const res = await post('/api/v1/me/factors/totp', { name: 'Phone' }, user.token);
        ctx.totpId = res.json().factorId;
        ctx.totpSecret = res.json().secret;
        return res;
      },
    },
    {
      route: 'POST /api/v1/me/factors/totp/:id/confirm',
      run: async () => {
        const res = await post(
          `/api/v1/me/factors/totp/${need('totpId')}/confirm`,
          { code: totpCodeAt(need('totpSecret')) },
          need('mfa'),
        );
        ctx.mfa = res.json().token ?? ctx.mfa;
        return res;
      },
    },
    {
      route: 'PATCH /api/v1/me/factors/:id',
      run: () => post(`/api/v1/me/factors/${need('totpId')}`, { name: 'Work phone' }, need('mfa'), 'PATCH'),
    },
    {
      route: 'POST /api/v1/me/recovery-codes',
      run: () => post('/api/v1/me/recovery-codes', undefined, need('mfa')),
    },
    {
      route: 'POST /api/v1/auth/mfa/verify',
      run: async () => {
        const first = await post('/api/v1/auth/sign-in', {
          email: need('mfaEmail'),
          password: PASSWORD,
          tokenType: 'bearer',
        });
        // The confirmation used this time step; a sign-in code must be a later one.
        const res = await post('/api/v1/auth/mfa/verify', {
          challenge: first.json().challenge,
          method: 'totp',
          code: totpCodeAt(need('totpSecret'), Date.now() + 30_000),
          tokenType: 'bearer',
        });
        ctx.mfa = res.json().token ?? ctx.mfa;
        return res;
      },
    },
    {
      route: 'POST /api/v1/me/factors/passkeys',
      run: async () => {
        const options = await post('/api/v1/me/factors/passkeys/options', undefined, need('mfa'));
        const response = authenticator.register(options.json().options);
        const res = await post(
          '/api/v1/me/factors/passkeys',
          { ceremony: options.json().ceremony, response, name: 'Laptop' },
          need('mfa'),
        );
        ctx.mfa = res.json().token ?? ctx.mfa;
        ctx.passkeyId = res.json().factor?.id;
        return res;
      },
    },
    {
      route: 'POST /api/v1/auth/passkey/sign-in',
      run: async () => {
        const options = await post('/api/v1/auth/passkey/options', undefined);
        const response = authenticator.authenticate(options.json().options);
        return post('/api/v1/auth/passkey/sign-in', {
          ceremony: options.json().ceremony,
          response,
          tokenType: 'bearer',
        });
      },
    },
    {
      route: 'DELETE /api/v1/me/factors/:id',
      run: async () => {
        const res = await post(`/api/v1/me/factors/${need('passkeyId')}`, undefined, need('mfa'), 'DELETE');
        ctx.mfa = res.json().token ?? ctx.mfa;
        return res;
      },
    },
    {
      route: 'DELETE /api/v1/me/sessions/:id',
      run: async () => {
        const other = await t.signIn(need('adminEmail'));
        const mine = await t.inject({ url: '/api/v1/me/sessions', token: other });
        const id = mine.json().sessions.find((s: { current: boolean }) => s.current)?.id;
        return post(`/api/v1/me/sessions/${id}`, undefined, need('admin'), 'DELETE');
      },
    },
    {
      route: 'POST /api/v1/me/sessions/revoke-others',
      run: async () => {
        await t.signIn(need('adminEmail'));
        return post('/api/v1/me/sessions/revoke-others', undefined, need('admin'));
      },
    },
    {
      route: 'DELETE /api/v1/sessions/:id',
      run: async () => {
        const user = await join('session');
        const list = await t.inject({ url: `/api/v1/sessions?userId=${user.id}`, token: need('admin') });
        const id = list.json().sessions[0]?.id;
        return post(`/api/v1/sessions/${id}`, undefined, need('admin'), 'DELETE');
      },
    },
    {
      route: 'POST /api/v1/sessions/revoke',
      run: async () => {
        const user = await join('force');
        return post('/api/v1/sessions/revoke', { userId: user.id }, need('admin'));
      },
    },
    {
      route: 'POST /api/v1/admin/users/:id/disable',
      run: async () => {
        const user = await join('target');
        ctx.targetId = user.id;
        ctx.targetEmail = user.email;
        return post(
          `/api/v1/admin/users/${user.id}/disable`,
          { reason: 'walking every route' },
          need('admin'),
        );
      },
    },
    {
      route: 'POST /api/v1/admin/users/:id/enable',
      run: () => post(`/api/v1/admin/users/${need('targetId')}/enable`, undefined, need('admin')),
    },
    {
      route: 'POST /api/v1/impersonation',
      run: async () => {
        const res = await post(
          '/api/v1/impersonation',
          { userId: need('targetId'), reason: 'walking every route' },
          need('admin'),
        );
        ctx.impersonation = res.json().token;
        return res;
      },
    },
    {
      route: 'POST /api/v1/impersonation/stop',
      run: async () => {
        const res = await post('/api/v1/impersonation/stop', undefined, need('impersonation'));
        ctx.admin = res.json().token ?? ctx.admin;
        return res;
      },
    },
    {
      route: 'POST /api/v1/auth/password-reset/request',
      run: () => post('/api/v1/auth/password-reset/request', { email: need('targetEmail') }),
    },
    {
      route: 'POST /api/v1/auth/password-reset/complete',
      run: async () =>
        post('/api/v1/auth/password-reset/complete', {
          token: await resetLinkToken(need('targetEmail')),
          newPassword: 'a walked-through new passphrase',
        }),
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
