import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CustosClient,
  createPrivacyConnector,
  type PrivacyConnector,
  verifyPrivacyWebhook,
} from '@custos/sdk';
import type { PrivacyTaskOut } from '@custos/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, type TestApp, type TestOrg, type TestUser } from '../../../../test/harness';
import { createSubjectSeal } from '../subject-seal';
import { readResult } from './results';

interface HostRecord {
  email: string;
  orders: string[];
}

/**
 * Two real host systems started here: "Shop" receives signed webhooks through the SDK's connector
 * helper and completes tasks with an API key; "CRM" polls the task queue with its API key. Plus a
 * disabled system and a flaky webhook one (down, then up).
 */
describe.each(backends)('privacy tasks: connectors end to end (%s)', (backend) => {
  let t: TestApp;
  let org: TestOrg;
  let other: TestOrg;
  let subject: TestUser;
  let baseUrl: string;
  let hostServer: http.Server;
  let processKey: string;
  let readKey: string;
  let otherKey: string;
  let client: CustosClient;
  let owner: CustosClient;
  const connectors = new Map<string, PrivacyConnector>();
  const secrets = new Map<string, string>();
  const shopData = new Map<string, HostRecord>();
  const crmData = new Map<string, HostRecord>();
  let flakyDown = true;
  const systems: Record<string, string> = {};
  const hostCalls: string[] = [];
  let hostUrl = '';

  const inject = (method: 'GET' | 'POST' | 'PATCH', url: string, token: string, payload?: unknown) =>
    t.inject({ method, url, token, ...(payload !== undefined ? { payload } : {}) });

  async function apiKey(o: TestOrg, permissions: string[]): Promise<string> {
    const res = await inject('POST', '/api/v1/api-keys', o.owner.token, {
      name: `key ${permissions}`,
      permissions,
    });
    expect(res.statusCode).toBe(201);
    return res.json().secret;
  }

  function connectorFor(name: string, data: Map<string, HostRecord>) {
    return createPrivacyConnector({
      ...(secrets.get(name) ? { secret: secrets.get(name) as string } : {}),
      handlers: {
        access: async (task) => {
          hostCalls.push(`${name}:access`);
          const record = data.get(task.subject.email ?? '');
          return { system: name, record: record ?? null };
        },
        erasure: async (task) => {
          hostCalls.push(`${name}:erasure`);
          data.delete(task.subject.email ?? '');
        },
        recipient_notice: async (task) => {
          hostCalls.push(`${name}:notice:${String(task.payload.recipient)}`);
        },
      },
      complete: (taskId, result) => client.privacy.tasks.complete(taskId, result ? { result } : {}),
    });
  }

  async function createSystem(
    body: Record<string, unknown>,
  ): Promise<{ id: string; webhookSecret: string | null }> {
    const res = await inject('POST', '/api/v1/privacy/systems', org.owner.token, {
      categories: [
        { categoryKey: 'contact.email', erasureStrategy: 'delete' },
        { categoryKey: 'identifiers.name', erasureStrategy: 'fixed_string' },
      ],
      ...body,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  }

  /** Runs the worker and the poller until `done` holds (the webhook host answers within the POST). */
  async function settle(done: () => Promise<boolean>, poll = true) {
    const tasks = t.services.privacy.tasks;
    for (let i = 0; i < 100; i++) {
      await tasks.runDue();
      await tasks.idle();
      if (poll) await connectors.get('CRM')?.pollOnce(client, systems.CRM as string);
      if (await done()) return;
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    throw new Error('the tasks did not settle');
  }

  const detail = async (id: string) =>
    (await inject('GET', `/api/v1/privacy/requests/${id}`, org.owner.token)).json();
  const taskOf = (d: { tasks: PrivacyTaskOut[] }, system: string, kind?: string): PrivacyTaskOut => {
    const found = d.tasks.find((x) => x.systemName === system && (kind === undefined || x.kind === kind));
    if (!found) throw new Error(`no ${kind ?? ''} task for ${system}`);
    return found;
  };

  async function openRequest(type: string, email = subject.email): Promise<string> {
    const res = await inject('POST', '/api/v1/privacy/requests', org.owner.token, {
      type,
      regime: 'gdpr',
      email,
      details: type === 'rectification' ? 'My name is Sam, not Sal' : undefined,
      verified: true,
    });
    expect(res.statusCode, res.body).toBe(201);
    const approved = await inject(
      'POST',
      `/api/v1/privacy/requests/${res.json().id}/approve`,
      org.owner.token,
      {},
    );
    expect(approved.statusCode, approved.body).toBe(200);
    return res.json().id;
  }

  beforeAll(async () => {
    t = await createTestApp(backend, {
      config: { CUSTOS_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', CUSTOS_ALERT_RETRY_SECONDS: '0.05' },
    });
    org = await t.createOrganization('Connectors Org');
    other = await t.createOrganization('Other Connectors Org');
    subject = await t.addMember(org, ['member']);
    baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
    processKey = await apiKey(org, ['privacy:process']);
    readKey = await apiKey(org, ['privacy:read']);
    otherKey = await apiKey(other, ['privacy:process']);
    client = new CustosClient({ baseUrl, token: processKey });
    owner = new CustosClient({ baseUrl, token: org.owner.token });

    hostServer = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const name = (req.url ?? '/').slice(1);
        if (name === 'Flaky' && flakyDown) {
          res.statusCode = 503;
          return res.end();
        }
        if (name === 'Later') {
          const body = Buffer.concat(chunks).toString('utf8');
          const ok = await verifyPrivacyWebhook(secrets.get('Later') as string, req.headers, body).then(
            () => true,
            () => false,
          );
          res.statusCode = ok ? 204 : 401;
          return res.end();
        }
        const connector = connectors.get(name);
        if (!connector) {
          res.statusCode = 404;
          return res.end();
        }
        const answer = await connector.handleWebhook(req.headers, Buffer.concat(chunks).toString('utf8'));
        res.statusCode = answer.status;
        res.end();
      });
    });
    await new Promise<void>((resolve) => hostServer.listen(0, '127.0.0.1', resolve));
    hostUrl = `http://127.0.0.1:${(hostServer.address() as AddressInfo).port}`;

    const shop = await createSystem({
      name: 'Shop',
      connector: { webhookUrl: `${hostUrl}/Shop`, polling: false },
      recipients: ['Parcel Co'],
    });
    const crm = await createSystem({ name: 'CRM', connector: { webhookUrl: null, polling: true } });
    const flaky = await createSystem({
      name: 'Flaky',
      connector: { webhookUrl: `${hostUrl}/Flaky`, polling: false },
    });
    const disabled = await createSystem({
      name: 'Archive',
      enabled: false,
      connector: { webhookUrl: null, polling: true },
    });
    Object.assign(systems, { Shop: shop.id, CRM: crm.id, Flaky: flaky.id, Archive: disabled.id });
    secrets.set('Shop', shop.webhookSecret as string);
    secrets.set('Flaky', flaky.webhookSecret as string);
    connectors.set('Shop', connectorFor('Shop', shopData));
    connectors.set('Flaky', connectorFor('Flaky', new Map()));
    connectors.set('CRM', connectorFor('CRM', crmData));
    shopData.set(subject.email, { email: subject.email, orders: ['A-1'] });
    crmData.set(subject.email, { email: subject.email, orders: ['lead'] });
  });
  afterAll(async () => {
    await t.services.privacy.tasks.idle();
    await new Promise((resolve) => hostServer.close(resolve));
    await t.close();
  });

  let accessId = '';
  let builtinAccessTask = '';

  it('runs an access request on every system: webhook, polling, Custos itself; a disabled one skipped, a down one failed then retried', async () => {
    accessId = await openRequest('access');
    let d = await detail(accessId);
    expect(taskOf(d, 'Archive')).toMatchObject({
      state: 'skipped',
      lastError: expect.stringContaining('disabled'),
    });
    expect(taskOf(d, 'CRM')).toMatchObject({ state: 'queued', delivery: 'polling' });
    expect(taskOf(d, 'Shop')).toMatchObject({ delivery: 'webhook' });
    expect(taskOf(d, 'Custos')).toMatchObject({ delivery: 'builtin' });

    // Flaky answers 503: after the retry schedule (one retry here) its task fails alone.
    await settle(async () => taskOf(await detail(accessId), 'Flaky').state === 'failed');
    d = await detail(accessId);
    expect(taskOf(d, 'Flaky')).toMatchObject({ state: 'failed', attempts: 2, lastError: 'HTTP 503' });
    expect(d.state).toBe('in_progress');
    for (const name of ['Shop', 'CRM', 'Custos']) expect(taskOf(d, name).state).toBe('done');
    expect(taskOf(d, 'Shop').result?.sizeBytes).toBeGreaterThan(0);
    expect(taskOf(d, 'CRM').result?.sha256).toMatch(/^[0-9a-f]{64}$/);

    // Up again: the one failed task is retried alone (SDK), and the request completes by itself.
    flakyDown = false;
    const retried = await owner.privacy.requests.retryTask(accessId, taskOf(d, 'Flaky').id);
    expect(retried.state).toBe('queued');
    await settle(async () => (await detail(accessId)).state === 'completed');
    d = await detail(accessId);
    expect(taskOf(d, 'Flaky').state).toBe('done');
    const kinds = d.timeline.map((e: { kind: string }) => e.kind);
    // (The webhook host completes inside its delivery, so no separate task_delivered entry here.)
    expect(kinds).toEqual(
      expect.arrayContaining([
        'task_queued',
        'task_skipped',
        'task_claimed',
        'task_failed',
        'task_retried',
        'task_completed',
        'completed',
      ]),
    );
    // After completion only the access package's entry may follow (packages/).
    const last = d.timeline.filter((e: { kind: string }) => e.kind !== 'package_created').at(-1);
    expect(last).toMatchObject({ kind: 'completed', data: { automatic: true } });
    const actions = (await t.auditEvents(org.id)).map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'privacy_task.queued',
        'privacy_task.claimed',
        'privacy_task.failed',
        'privacy_task.retried',
        'privacy_task.completed',
        'privacy_request.completed',
      ]),
    );
    expect(hostCalls.filter((c) => c === 'Shop:access')).toHaveLength(1);

    // Custos' own answer: the subject's audit events (decrypted), membership, sessions.
    builtinAccessTask = taskOf(d, 'Custos').id;
    const seal = createSubjectSeal(t.deps.keyring);
    const own = (await readResult(
      t.db,
      seal,
      { id: accessId, organizationId: org.id },
      builtinAccessTask,
    )) as {
      auditEvents: { action: string }[];
      member: { account: { email: string }; membership: { roles: string[] }; sessions: unknown[] };
    };
    expect(own.member.account.email).toBe(subject.email);
    expect(own.member.membership.roles).toEqual(['member']);
    expect(own.member.sessions.length).toBeGreaterThan(0);
    expect(own.auditEvents.length).toBeGreaterThan(0);
    const shopResult = await readResult(
      t.db,
      seal,
      { id: accessId, organizationId: org.id },
      taskOf(d, 'Shop').id,
    );
    expect(shopResult).toEqual({ system: 'Shop', record: { email: subject.email, orders: ['A-1'] } });
  });

  it('refuses an oversized or malformed result with 413/400, failing only that task; a retry then succeeds', async () => {
    flakyDown = false;
    const id = await openRequest('portability');
    await t.services.privacy.tasks.runDue();
    const { tasks } = await client.privacy.tasks.claim({ systemId: systems.CRM as string });
    const task = tasks.find((x) => x.requestId === id);
    if (!task) throw new Error('no CRM task claimed');
    const resultsBefore = await t.count('privacyTaskResults');
    const huge = await inject('POST', `/api/v1/privacy/tasks/${task.id}/complete`, processKey, {
      result: { blob: 'x'.repeat(5 * 1024 * 1024) },
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error.code).toBe('PRIVACY_TASK_RESULT_TOO_LARGE');
    expect(await t.count('privacyTaskResults')).toBe(resultsBefore);
    let d = await detail(id);
    expect(taskOf(d, 'CRM')).toMatchObject({
      state: 'failed',
      lastError: expect.stringContaining('Result refused'),
    });

    await owner.privacy.requests.retryTask(id, task.id);
    const again = await client.privacy.tasks.claim({ systemId: systems.CRM as string });
    expect(again.tasks.map((x) => x.id)).toContain(task.id);
    const malformed = await inject('POST', `/api/v1/privacy/tasks/${task.id}/complete`, processKey, {
      result: 'rows',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe('PRIVACY_TASK_RESULT_INVALID');
    d = await detail(id);
    expect(taskOf(d, 'CRM').state).toBe('failed');

    // Past the route's body limit the framework refuses it; the task still fails with a reason.
    await owner.privacy.requests.retryTask(id, task.id);
    await client.privacy.tasks.claim({ systemId: systems.CRM as string });
    const wire = await t.app.inject({
      method: 'POST',
      url: `/api/v1/privacy/tasks/${task.id}/complete`,
      headers: { authorization: `Bearer ${processKey}`, 'content-type': 'application/json' },
      payload: `{"result":{"blob":"${'y'.repeat(5 * 1024 * 1024 + 70 * 1024)}"}}`,
    });
    expect(wire.statusCode).toBe(413);
    expect(taskOf(await detail(id), 'CRM').state).toBe('failed');

    await owner.privacy.requests.retryTask(id, task.id);
    await client.privacy.tasks.claim({ systemId: systems.CRM as string });
    await client.privacy.tasks.heartbeat(task.id, 120);
    await client.privacy.tasks.complete(task.id, { result: [{ ok: true }] });
    await settle(async () => (await detail(id)).state === 'completed', false);
  });

  it('never hands the same task to two concurrent pollers', async () => {
    await openRequest('access');
    await openRequest('restriction');
    const claim = () =>
      inject('POST', '/api/v1/privacy/tasks/claim', processKey, { systemId: systems.CRM, limit: 10 });
    const [a, b] = await Promise.all([claim(), claim()]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    const ids = [...a.json().tasks, ...b.json().tasks].map((x: { id: string }) => x.id);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    // The restriction task carries what the subject asked; the other claim finds nothing left.
    const again = await claim();
    expect(again.json().tasks).toEqual([]);
    for (const id of ids) await client.privacy.tasks.complete(id);
  });

  it('answers 404 for another organization, 403 without privacy:process, 400 for bad input — writing nothing', async () => {
    const id = await openRequest('access', t.uniqueEmail('someone'));
    const { tasks } = await client.privacy.tasks.claim({ systemId: systems.CRM as string });
    const task = tasks.find((x) => x.requestId === id);
    if (!task) throw new Error('no task');
    await t.services.privacy.tasks.runDue();
    await t.services.privacy.tasks.idle();
    const before = [await t.count('auditEvents'), await t.count('privacyRequestEvents')];
    const theirs = [
      await inject('POST', '/api/v1/privacy/tasks/claim', otherKey, { systemId: systems.CRM }),
      await inject('POST', `/api/v1/privacy/tasks/${task.id}/heartbeat`, otherKey, {}),
      await inject('POST', `/api/v1/privacy/tasks/${task.id}/complete`, otherKey, {}),
      await inject('POST', `/api/v1/privacy/tasks/${task.id}/fail`, otherKey, { reason: 'nope' }),
      await inject('POST', `/api/v1/privacy/requests/${id}/tasks/${task.id}/retry`, other.owner.token, {}),
    ];
    expect(theirs.map((r) => r.statusCode)).toEqual([404, 404, 404, 404, 404]);
    const denied = [
      await inject('POST', '/api/v1/privacy/tasks/claim', readKey, { systemId: systems.CRM }),
      await inject('POST', `/api/v1/privacy/tasks/${task.id}/complete`, readKey, {}),
      await inject('POST', `/api/v1/privacy/tasks/${task.id}/fail`, readKey, { reason: 'nope' }),
      await inject('POST', `/api/v1/privacy/requests/${id}/tasks/${task.id}/retry`, subject.token, {}),
    ];
    expect(denied.map((r) => r.statusCode)).toEqual([403, 403, 403, 403]);
    const bad = [
      await inject('POST', '/api/v1/privacy/tasks/claim', processKey, { systemId: 'not an id' }),
      await inject('POST', '/api/v1/privacy/tasks/claim', processKey, { systemId: systems.CRM, limit: 0 }),
      await inject('POST', `/api/v1/privacy/tasks/${task.id}/fail`, processKey, { reason: '' }),
      await inject('POST', `/api/v1/privacy/tasks/${task.id}/heartbeat`, processKey, { leaseSeconds: 1 }),
      await inject('POST', '/api/v1/privacy/tasks/nope!/complete', processKey, {}),
    ];
    expect(bad.map((r) => r.statusCode)).toEqual([400, 400, 400, 400, 400]);
    for (const r of [...theirs, ...denied, ...bad]) expect(r.json().error.code).toEqual(expect.any(String));
    // Denials are audited (access.denied); nothing else was written and the task is untouched.
    expect(await t.count('privacyRequestEvents')).toBe(before[1]);
    expect(taskOf(await detail(id), 'CRM').state).toBe('claimed');
    // A retry of a task that has not failed is a 409; a claim on a webhook system too.
    const notFailed = await inject(
      'POST',
      `/api/v1/privacy/requests/${id}/tasks/${task.id}/retry`,
      org.owner.token,
      {},
    );
    expect(notFailed.statusCode).toBe(409);
    const notPolling = await inject('POST', '/api/v1/privacy/tasks/claim', processKey, {
      systemId: systems.Shop,
    });
    expect(notPolling.json().error.code).toBe('PRIVACY_SYSTEM_NOT_POLLING');
    await client.privacy.tasks.complete(task.id);
  });

  it('runs an erasure everywhere, Custos last: audit keys shredded (events read as erased, log still verifies), sessions ended, results unreadable', async () => {
    const subjectEvent = (await t.auditEvents(org.id)).find((e) => e.actor?.id === subject.id);
    if (!subjectEvent) throw new Error('the subject has no audit event to erase');
    flakyDown = false;
    const id = await openRequest('erasure');
    let d = await detail(id);
    // Art. 19: one notice per recipient of the system.
    expect(taskOf(d, 'Shop', 'recipient_notice').state).toBeDefined();
    expect(taskOf(d, 'Custos').state).toBe('queued');
    await settle(async () => (await detail(id)).state === 'completed');
    d = await detail(id);
    expect(d.tasks.every((x: { state: string }) => ['done', 'skipped'].includes(x.state))).toBe(true);
    expect(shopData.has(subject.email)).toBe(false);
    expect(crmData.has(subject.email)).toBe(false);
    expect(hostCalls).toContain('Shop:notice:Parcel Co');
    // Custos ran after every host system had its address.
    const order = d.timeline
      .filter((e: { kind: string }) => e.kind === 'task_completed')
      .map((e: { data: { taskId: string } }) => e.data.taskId);
    expect(order.at(-1)).toBe(taskOf(d, 'Custos').id);

    // The subject's events read as erased, and the proofs of the log still verify.
    await t.services.audit.checkpoints.signGrownLogs();
    const event = await inject('GET', `/api/v1/audit/events/${subjectEvent.id}`, org.owner.token);
    expect(event.statusCode).toBe(200);
    expect(event.json().event.erased.length).toBeGreaterThan(0);
    expect(event.json().proof.verified).toBe(true);
    const integrity = await inject('GET', '/api/v1/audit/integrity', org.owner.token);
    expect(integrity.json().status).toBe('ok');
    // Sessions ended; the earlier access results (sealed under the subject's key) are unreadable.
    expect((await t.inject({ url: '/api/v1/me', token: subject.token })).statusCode).toBe(401);
    const seal = createSubjectSeal(t.deps.keyring);
    expect(
      await readResult(t.db, seal, { id: accessId, organizationId: org.id }, builtinAccessTask),
    ).toBeNull();
    expect((await detail(id)).email).toBeNull();
  });

  it('marks a webhook task delivered on a 2xx; the host completes it later through the API', async () => {
    flakyDown = false;
    const later = await createSystem({
      name: 'Later',
      connector: { webhookUrl: `${hostUrl}/Later`, polling: false },
    });
    secrets.set('Later', later.webhookSecret as string);
    const id = await openRequest('access', t.uniqueEmail('later'));
    await settle(async () => taskOf(await detail(id), 'Later').state === 'delivered');
    const task = taskOf(await detail(id), 'Later');
    expect(task.attempts).toBe(1);
    expect((await t.auditEvents(org.id)).map((e) => e.action)).toContain('privacy_task.delivered');
    await client.privacy.tasks.complete(task.id, { result: { found: false } });
    await settle(async () => (await detail(id)).state === 'completed');
    await inject('PATCH', `/api/v1/privacy/systems/${later.id}`, org.owner.token, { enabled: false });
  });
});
