import { randomBytes, randomUUID } from 'node:crypto';
import { CustosClient } from '@custos/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, type TestApp, type TestOrg, type TestUser } from '../../../../test/harness';

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

describe.each(backends)('privacy retention (%s)', (backend) => {
  let t: TestApp;
  let org: TestOrg;
  let other: TestOrg;
  let member: TestUser;
  let hostId: string;
  let readKey: string;
  let processKey: string;

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, token: string, payload?: unknown) =>
    t.inject({ method, url, token, ...(payload !== undefined ? { payload } : {}) });

  async function apiKey(permissions: string[]): Promise<string> {
    const res = await call('POST', '/api/v1/api-keys', org.owner.token, {
      name: `key ${permissions}`,
      permissions,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().secret;
  }

  async function seedSession(organizationId: string, userId: string, set: Record<string, string | null>) {
    const id = randomUUID();
    await t.db
      .insertInto('sessions')
      .values({
        id,
        tokenHash: randomBytes(16).toString('hex'),
        userId,
        organizationId,
        createdAt: ago(400),
        expiresAt: ago(-30),
        lastSeenAt: ago(400),
        revokedAt: null,
        ...set,
      })
      .execute();
    return id;
  }

  async function seedMail(organizationId: string, createdAt: string, status = 'sent') {
    const id = randomUUID();
    await t.db
      .insertInto('outbox')
      .values({
        id,
        organizationId,
        recipient: 'x@example.com',
        subject: 'Hi',
        bodyText: null,
        status,
        error: null,
        createdAt,
      })
      .execute();
    return id;
  }

  const exists = async (table: 'sessions' | 'outbox', id: string) =>
    (await t.db.selectFrom(table).select('id').where('id', '=', id).executeTakeFirst()) !== undefined;

  beforeAll(async () => {
    t = await createTestApp(backend);
    org = await t.createOrganization('Retention Org');
    other = await t.createOrganization('Other Retention Org');
    member = await t.addMember(org, ['member']);
    const host = await call('POST', '/api/v1/privacy/systems', org.owner.token, {
      name: 'Shop',
      connector: { webhookUrl: null, polling: true },
      categories: [
        { categoryKey: 'contact.email', erasureStrategy: 'delete' },
        { categoryKey: 'identifiers.name', erasureStrategy: 'fixed_string' },
      ],
    });
    expect(host.statusCode, host.body).toBe(201);
    hostId = host.json().id;
    readKey = await apiKey(['privacy:read']);
    processKey = await apiKey(['privacy:process']);
  });
  afterAll(() => t.close());

  it("lists Custos' own data kinds as rules with their documented defaults", async () => {
    const res = await call('GET', '/api/v1/privacy/retention/rules', org.owner.token);
    expect(res.statusCode, res.body).toBe(200);
    const rules = res.json().rules as { categoryKey: string; periodDays: number; builtIn: boolean }[];
    const byKey = Object.fromEntries(rules.map((r) => [r.categoryKey, r]));
    expect(byKey['custos.ended_sessions']).toMatchObject({
      periodDays: 90,
      builtIn: true,
      defaultPeriodDays: 90,
    });
    expect(byKey['custos.outbox_mail']).toMatchObject({ periodDays: 30, builtIn: true });
    expect(byKey['custos.alert_deliveries']).toBeDefined();
    expect(byKey['custos.task_results']).toBeDefined();
    // A second read adds none.
    const again = await call('GET', '/api/v1/privacy/retention/rules', org.owner.token);
    expect(again.json().rules).toHaveLength(rules.length);
  });

  it('creates, changes and removes a host rule, each audited; refuses bad input with 400 and nothing written', async () => {
    const created = await call('POST', '/api/v1/privacy/retention/rules', org.owner.token, {
      systemId: hostId,
      categoryKey: 'contact.email',
      periodDays: 365,
      trigger: 'since_last_activity',
      action: 'anonymize',
    });
    expect(created.statusCode, created.body).toBe(201);
    const rule = created.json();
    expect(rule).toMatchObject({
      systemName: 'Shop',
      categoryName: expect.any(String),
      builtIn: false,
      enabled: true,
    });
    expect((await t.lastAuditEvent(org.id))?.action).toBe('privacy_retention_rule.created');

    const patched = await call('PATCH', `/api/v1/privacy/retention/rules/${rule.id}`, org.owner.token, {
      periodDays: 730,
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().periodDays).toBe(730);
    const updated = await t.lastAuditEvent(org.id);
    expect(updated?.action).toBe('privacy_retention_rule.updated');

    const before = await t.count('privacyRetentionRules');
    const audits = await t.count('auditEvents');
    const bad = [
      {
        systemId: hostId,
        categoryKey: 'health.diagnosis',
        periodDays: 30,
        trigger: 'since_creation',
        action: 'delete',
      },
      {
        systemId: hostId,
        categoryKey: 'identifiers.name',
        periodDays: 0,
        trigger: 'since_creation',
        action: 'delete',
      },
      {
        systemId: hostId,
        categoryKey: 'identifiers.name',
        periodDays: 36_501,
        trigger: 'since_creation',
        action: 'delete',
      },
      {
        systemId: hostId,
        categoryKey: 'identifiers.name',
        periodDays: 30,
        trigger: 'whenever',
        action: 'delete',
      },
      {
        systemId: hostId,
        categoryKey: 'identifiers.name',
        periodDays: 30,
        trigger: 'since_creation',
        action: 'burn',
      },
      {
        systemId: 'not-an-id',
        categoryKey: 'identifiers.name',
        periodDays: 30,
        trigger: 'since_creation',
        action: 'delete',
      },
    ];
    for (const body of bad) {
      const res = await call('POST', '/api/v1/privacy/retention/rules', org.owner.token, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.code).toEqual(expect.any(String));
    }
    const dup = await call('POST', '/api/v1/privacy/retention/rules', org.owner.token, {
      systemId: hostId,
      categoryKey: 'contact.email',
      periodDays: 30,
      trigger: 'since_creation',
      action: 'delete',
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe('PRIVACY_RETENTION_RULE_EXISTS');
    const emptyPatch = await call('PATCH', `/api/v1/privacy/retention/rules/${rule.id}`, org.owner.token, {});
    expect(emptyPatch.statusCode).toBe(400);
    expect(await t.count('privacyRetentionRules')).toBe(before);
    expect(await t.count('auditEvents')).toBe(audits);

    const removed = await call('DELETE', `/api/v1/privacy/retention/rules/${rule.id}`, org.owner.token);
    expect(removed.statusCode).toBe(200);
    expect((await t.lastAuditEvent(org.id))?.action).toBe('privacy_retention_rule.deleted');
  });

  it("lets Custos' own rules change period and on/off only, and never be removed", async () => {
    const rules = (await call('GET', '/api/v1/privacy/retention/rules', org.owner.token)).json().rules;
    const mail = rules.find((r: { categoryKey: string }) => r.categoryKey === 'custos.outbox_mail');
    const trigger = await call('PATCH', `/api/v1/privacy/retention/rules/${mail.id}`, org.owner.token, {
      trigger: 'since_account_closure',
    });
    expect(trigger.statusCode).toBe(409);
    expect(trigger.json().error.code).toBe('PRIVACY_RETENTION_RULE_BUILT_IN');
    const del = await call('DELETE', `/api/v1/privacy/retention/rules/${mail.id}`, org.owner.token);
    expect(del.statusCode).toBe(409);
    const bad = await call('POST', '/api/v1/privacy/retention/rules', org.owner.token, {
      systemId: mail.systemId,
      categoryKey: 'contact.email',
      periodDays: 30,
      trigger: 'since_creation',
      action: 'delete',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('PRIVACY_RETENTION_CATEGORY_INVALID');
    const period = await call('PATCH', `/api/v1/privacy/retention/rules/${mail.id}`, org.owner.token, {
      periodDays: 45,
    });
    expect(period.statusCode).toBe(200);
    expect(period.json()).toMatchObject({ periodDays: 45, defaultPeriodDays: 30 });
    await call('PATCH', `/api/v1/privacy/retention/rules/${mail.id}`, org.owner.token, { periodDays: 30 });
  });

  it('refuses without privacy:manage (403) and hides another organization (404)', async () => {
    const rules = (await call('GET', '/api/v1/privacy/retention/rules', org.owner.token)).json().rules;
    const rule = rules[0];
    expect((await call('GET', '/api/v1/privacy/retention/rules', member.token)).statusCode).toBe(403);
    expect((await call('GET', '/api/v1/privacy/retention/runs', member.token)).statusCode).toBe(403);
    expect((await call('GET', '/api/v1/privacy/retention/rules', readKey)).statusCode).toBe(200);
    const writes = [
      call('PATCH', `/api/v1/privacy/retention/rules/${rule.id}`, readKey, { periodDays: 5 }),
      call('DELETE', `/api/v1/privacy/retention/rules/${rule.id}`, readKey),
      call('POST', '/api/v1/privacy/retention/runs', readKey, { dryRun: true }),
      call('POST', '/api/v1/privacy/retention/rules', readKey, {
        systemId: hostId,
        categoryKey: 'identifiers.name',
        periodDays: 30,
        trigger: 'since_creation',
        action: 'delete',
      }),
    ];
    for (const res of await Promise.all(writes)) expect(res.statusCode).toBe(403);

    const theirs = [
      call('PATCH', `/api/v1/privacy/retention/rules/${rule.id}`, other.owner.token, { periodDays: 5 }),
      call('DELETE', `/api/v1/privacy/retention/rules/${rule.id}`, other.owner.token),
      call('POST', '/api/v1/privacy/retention/rules', other.owner.token, {
        systemId: hostId,
        categoryKey: 'identifiers.name',
        periodDays: 30,
        trigger: 'since_creation',
        action: 'delete',
      }),
    ];
    for (const res of await Promise.all(theirs)) expect(res.statusCode).toBe(404);
    const run = await call('POST', '/api/v1/privacy/retention/runs', org.owner.token, { dryRun: true });
    expect(
      (await call('GET', `/api/v1/privacy/retention/runs/${run.json().id}`, other.owner.token)).statusCode,
    ).toBe(404);
    const otherRuns = (await call('GET', '/api/v1/privacy/retention/runs', other.owner.token)).json().runs;
    expect(otherRuns.map((r: { id: string }) => r.id)).not.toContain(run.json().id);
  });

  it('a dry run changes nothing and reports exactly what the real run then removes', async () => {
    const u = org.owner.id;
    const oldRevoked = await seedSession(org.id, u, { revokedAt: ago(120) });
    const oldExpired = await seedSession(org.id, u, { expiresAt: ago(100) });
    const newRevoked = await seedSession(org.id, u, { revokedAt: ago(10) });
    const live = await seedSession(org.id, u, {});
    const theirOld = await seedSession(other.id, other.owner.id, { revokedAt: ago(300) });
    const oldMail = await seedMail(org.id, ago(40));
    const oldFailed = await seedMail(org.id, ago(40), 'failed');
    const newMail = await seedMail(org.id, ago(5));
    const theirMail = await seedMail(other.id, ago(300));

    const sessionsBefore = await t.count('sessions');
    const outboxBefore = await t.count('outbox');
    const dry = await call('POST', '/api/v1/privacy/retention/runs', org.owner.token, { dryRun: true });
    expect(dry.statusCode, dry.body).toBe(201);
    const report = dry.json();
    expect(report.dryRun).toBe(true);
    const of = (r: typeof report, key: string) =>
      r.rules.find((x: { categoryKey: string }) => x.categoryKey === key);
    expect(of(report, 'custos.ended_sessions')).toMatchObject({ outcome: 'would_remove', count: 2 });
    expect(of(report, 'custos.outbox_mail')).toMatchObject({ outcome: 'would_remove', count: 2 });
    expect(of(report, 'identifiers.name')).toBeUndefined();
    expect(await t.count('sessions')).toBe(sessionsBefore);
    expect(await t.count('outbox')).toBe(outboxBefore);
    expect((await t.lastAuditEvent(org.id))?.action).toBe('privacy_retention.dry_run');

    const real = await call('POST', '/api/v1/privacy/retention/runs', org.owner.token, { dryRun: false });
    expect(real.statusCode, real.body).toBe(201);
    expect(of(real.json(), 'custos.ended_sessions')).toMatchObject({ outcome: 'removed', count: 2 });
    expect(of(real.json(), 'custos.outbox_mail')).toMatchObject({ outcome: 'removed', count: 2 });
    expect(await t.count('sessions')).toBe(sessionsBefore - 2);
    expect(await t.count('outbox')).toBe(outboxBefore - 2);
    for (const id of [oldRevoked, oldExpired]) expect(await exists('sessions', id)).toBe(false);
    for (const id of [newRevoked, live, theirOld]) expect(await exists('sessions', id)).toBe(true);
    for (const id of [oldMail, oldFailed]) expect(await exists('outbox', id)).toBe(false);
    for (const id of [newMail, theirMail]) expect(await exists('outbox', id)).toBe(true);
    const event = await t.lastAuditEvent(org.id);
    expect(event?.action).toBe('privacy_retention.ran');

    const runs = (await call('GET', '/api/v1/privacy/retention/runs', org.owner.token)).json().runs;
    expect(runs[0]).toMatchObject({ id: real.json().id, dryRun: false, state: 'completed' });
    expect(runs[1]).toMatchObject({ id: report.id, dryRun: true });
    // The owner's own sign-in still works: live sessions are untouched.
    expect((await call('GET', '/api/v1/privacy/retention/rules', org.owner.token)).statusCode).toBe(200);
  });

  it('sends a polling host one retention task per rule, with no request, completable through the queue', async () => {
    const created = await call('POST', '/api/v1/privacy/retention/rules', org.owner.token, {
      systemId: hostId,
      categoryKey: 'identifiers.name',
      periodDays: 400,
      trigger: 'since_account_closure',
      action: 'delete',
    });
    expect(created.statusCode, created.body).toBe(201);
    const dry = (
      await call('POST', '/api/v1/privacy/retention/runs', org.owner.token, { dryRun: true })
    ).json();
    const planned = dry.rules.find((r: { categoryKey: string }) => r.categoryKey === 'identifiers.name');
    expect(planned).toMatchObject({ outcome: 'would_issue_task', count: null, taskId: null });
    expect(
      await t.db.selectFrom('privacyTasks').select('id').where('kind', '=', 'retention').execute(),
    ).toHaveLength(0);

    const run = (
      await call('POST', '/api/v1/privacy/retention/runs', org.owner.token, { dryRun: false })
    ).json();
    const issued = run.rules.find((r: { categoryKey: string }) => r.categoryKey === 'identifiers.name');
    expect(issued).toMatchObject({ outcome: 'task_issued', taskState: 'queued' });
    const row = await t.db
      .selectFrom('privacyTasks')
      .selectAll()
      .where('id', '=', issued.taskId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      requestId: null,
      retentionRunId: run.id,
      kind: 'retention',
      delivery: 'polling',
    });

    // A second run while the task is open sends no second task for the rule.
    const again = (
      await call('POST', '/api/v1/privacy/retention/runs', org.owner.token, { dryRun: false })
    ).json();
    expect(again.rules.find((r: { ruleId: string }) => r.ruleId === created.json().id)).toMatchObject({
      outcome: 'skipped',
      taskId: null,
    });

    // The host's SDK client, its HTTP carried by inject (no port needed).
    const client = new CustosClient({
      baseUrl: 'http://custos.test',
      token: processKey,
      fetch: async (input, init) => {
        const url = new URL(String(input));
        const res = await t.app.inject({
          method: (init?.method ?? 'GET') as 'GET' | 'POST',
          url: url.pathname + url.search,
          headers: init?.headers as Record<string, string>,
          ...(typeof init?.body === 'string' ? { payload: init.body } : {}),
        });
        return new Response(res.body || null, { status: res.statusCode });
      },
    });
    const claimed = await client.privacy.tasks.claim({ systemId: hostId });
    expect(claimed.tasks).toHaveLength(1);
    const [task] = claimed.tasks;
    expect(task).toMatchObject({ id: issued.taskId, kind: 'retention', requestId: null, regime: null });
    expect(task?.payload).toMatchObject({
      categoryKey: 'identifiers.name',
      periodDays: 400,
      action: 'delete',
      cutoff: issued.cutoff,
    });
    const done = await client.privacy.tasks.complete(issued.taskId, { note: 'removed 3 closed accounts' });
    expect(done.state).toBe('done');
    expect((await t.lastAuditEvent(org.id))?.action).toBe('privacy_task.completed');
    const report = (await call('GET', `/api/v1/privacy/retention/runs/${run.id}`, org.owner.token)).json();
    expect(report.rules.find((r: { taskId: string | null }) => r.taskId === issued.taskId).taskState).toBe(
      'done',
    );
  });

  it('the daily job runs every organization using privacy', async () => {
    const before = await t.count('privacyRetentionRuns');
    const ran = await t.services.privacy.retention.runScheduled();
    expect(ran).toBeGreaterThanOrEqual(1);
    expect(await t.count('privacyRetentionRuns')).toBe(before + ran);
    const scheduled = await t.db
      .selectFrom('privacyRetentionRuns')
      .selectAll()
      .where('organizationId', '=', org.id)
      .orderBy('startedAt', 'desc')
      .executeTakeFirstOrThrow();
    expect(scheduled).toMatchObject({ startedBy: null, dryRun: 0, state: 'completed' });
  });
});
