import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backends,
  createTestApp,
  openTestDatabase,
  PASSWORD,
  type TestApp,
  testConfig,
} from '../../../test/harness';
import { buildApp } from '../../app';
import { createLogger } from '../../platform/log';

describe.each(backends)('platform HTTP behaviour (%s)', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend);
  });
  afterAll(() => t.close());

  it('reports health including the database', async () => {
    const res = await t.inject({ url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', database: 'ok', auditIntegrity: 'ok', warnings: [] });
  });

  it("shows the server's background jobs through services.jobs, not in the documented health answer", async () => {
    const names = t.services.jobs.states().map((job) => job.name);
    expect(names.sort()).toEqual([
      'alerts.deliveries',
      'alerts.digests',
      'audit.checkpoints',
      // SQLite's full-text index takes in new events in batches; PostgreSQL's needs no job.
      ...(backend === 'sqlite' ? ['audit.search-index'] : []),
      'audit.tail-poll',
      'privacy.clocks',
      'privacy.packages',
      'privacy.retention',
      'privacy.tasks',
    ]);
    for (const job of t.services.jobs.states()) {
      expect(job).toMatchObject({
        everyMs: expect.any(Number),
        // The privacy clock sweep runs on one server at a time (its overdue alert must be raised once),
        // and so does the daily retention run.
        leaderOnly: ['privacy.clocks', 'privacy.retention', 'privacy.packages'].includes(job.name),
        failures: 0,
        lastError: null,
      });
    }
    const health = await t.inject({ url: '/api/health' });
    expect(Object.keys(health.json()).sort()).toEqual(['auditIntegrity', 'database', 'status', 'warnings']);
  });

  it('names a background job whose last run failed among the health warnings, without new fields', async () => {
    let fail = true;
    const job = t.services.jobs.add({
      name: 'test.flaky',
      everyMs: 3_600_000,
      run: async () => {
        if (fail) throw new Error('boom');
      },
    });
    await job.runNow();
    const failing = (await t.inject({ url: '/api/health' })).json();
    expect(failing.status).toBe('ok');
    expect(failing.warnings).toEqual([
      expect.stringContaining('The background job test.flaky failed on its last run'),
    ]);
    expect(JSON.stringify(failing)).not.toContain('boom');
    fail = false;
    await job.runNow();
    expect((await t.inject({ url: '/api/health' })).json().warnings).toEqual([]);
    await job.stop();
  });

  it('sets strict security headers and echoes a request id', async () => {
    const res = await t.inject({ url: '/api/health', headers: { 'x-request-id': 'trace-123' } });
    expect(res.headers['x-request-id']).toBe('trace-123');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cache-control']).toBe('no-store');
    const weird = await t.inject({ url: '/api/health', headers: { 'x-request-id': 'bad id with spaces\n' } });
    expect(weird.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown routes with the standard error shape', async () => {
    const res = await t.inject({ url: '/api/v1/nothing-here?token=secret' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: { code: 'NOT_FOUND', message: 'No route GET /api/v1/nothing-here' },
    });
  });

  it('publishes OpenAPI 3.1 covering every route, and the docs UI', async () => {
    const res = await t.inject({ url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const spec = res.json();
    expect(spec.openapi).toBe('3.1.0');
    const documented = new Set<string>();
    for (const [path, ops] of Object.entries(spec.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(ops))
        documented.add(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`);
    }
    const expected = [
      'GET /api/health',
      'GET /api/v1/system/capabilities',
      'GET /api/v1/setup',
      'POST /api/v1/setup',
      'POST /api/v1/auth/sign-in',
      'POST /api/v1/auth/sign-out',
      'POST /api/v1/auth/switch-organization',
      'GET /api/v1/me',
      'PATCH /api/v1/me',
      'POST /api/v1/me/password',
      'GET /api/v1/members',
      'PATCH /api/v1/members/:userId',
      'DELETE /api/v1/members/:userId',
      'GET /api/v1/roles',
      'GET /api/v1/invitations',
      'POST /api/v1/invitations',
      'DELETE /api/v1/invitations/:id',
      'POST /api/v1/invitations/preview',
      'POST /api/v1/invitations/accept',
      'GET /api/v1/api-keys',
      'POST /api/v1/api-keys',
      'DELETE /api/v1/api-keys/:id',
      'PATCH /api/v1/organization',
      'GET /api/v1/admin/organizations',
      'POST /api/v1/admin/organizations',
      'GET /api/v1/admin/outbox',
      'POST /api/v1/audit/events',
      'POST /api/v1/audit/events/batch',
      'GET /api/v1/audit/events',
      'GET /api/v1/audit/events/:id',
      'GET /api/v1/audit/events/:id/proof',
      'GET /api/v1/audit/checkpoint',
      'GET /api/v1/audit/checkpoints',
      'GET /api/v1/audit/proofs/consistency',
      'GET /api/v1/audit/saved-searches',
      'POST /api/v1/audit/saved-searches',
      'DELETE /api/v1/audit/saved-searches/:id',
      'GET /api/v1/audit/settings',
      'PUT /api/v1/audit/settings',
      'POST /api/v1/audit/subjects/erase',
      'GET /api/v1/audit/tail',
      'GET /.well-known/custos/audit-keys',
      'GET /api/v1/audit/export',
    ];
    for (const route of expected) expect(documented, route).toContain(route);
    // Every registered API route is documented, not just the ones listed above.
    const registered = t.routes
      .filter((r) => r.method !== 'HEAD' && /^\/(api\/v1\/|api\/health|\.well-known\/)/.test(r.url))
      .map((r) => `${r.method} ${r.url}`);
    expect([...documented].sort()).toEqual([...new Set(registered)].sort());
    const docs = await t.inject({ url: '/api/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
  });
});

describe('logs', () => {
  it('never contain passwords, tokens, cookies or API keys', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const database = await openTestDatabase('sqlite');
    const { app, services } = await buildApp({
      config: testConfig(),
      database,
      logger: createLogger('trace', sink),
      webRoot: null,
    });
    await services.setup.createAdminFromCli({
      email: 'log@example.com',
      name: 'Log',
      password: PASSWORD,
      organizationName: 'Logs',
    });
    const signIn = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: 'log@example.com', password: PASSWORD, tokenType: 'bearer' },
    });
    const token = signIn.json().token as string;
    const key = await app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: { authorization: `Bearer ${token}` },
      payload: { name: 'k', permissions: ['members:read'] },
    });
    const secret = key.json().secret as string;
    await app.inject({
      url: '/api/v1/members',
      headers: { authorization: `Bearer ${secret}`, cookie: 'custos_session=cookie-secret-value' },
    });
    await app.close();
    await database.destroy();
    const all = lines.join('');
    expect(all.length).toBeGreaterThan(0);
    for (const needle of [PASSWORD, token, secret, 'cookie-secret-value']) expect(all).not.toContain(needle);
  });
});
