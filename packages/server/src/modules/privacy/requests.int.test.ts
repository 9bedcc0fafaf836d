import {
  addBusinessDays,
  addCalendarDays,
  addCalendarMonths,
  dueAt as dueInstant,
  nextWorkingDay,
} from '@custos/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, type TestApp, type TestOrg, type TestUser } from '../../../test/harness';

/** The latest 31 January at or before today (UTC): within the year a receipt may be backdated. */
function lastJanuary31(): string {
  const now = new Date();
  const year =
    now.getUTCMonth() === 0 && now.getUTCDate() < 31 ? now.getUTCFullYear() - 1 : now.getUTCFullYear();
  return `${year}-01-31`;
}

describe.each(backends)('privacy requests (%s)', (backend) => {
  let t: TestApp;
  let org: TestOrg;
  let other: TestOrg;
  let member: TestUser;

  beforeAll(async () => {
    t = await createTestApp(backend, { config: { CUSTOS_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' } });
    org = await t.createOrganization('Requests Org');
    other = await t.createOrganization('Other Requests Org');
    member = await t.addMember(org, ['member']);
  });
  afterAll(() => t.close());

  const call = (method: 'GET' | 'POST' | 'PUT', url: string, token?: string, payload?: unknown) =>
    t.inject({ method, url, ...(token ? { token } : {}), ...(payload !== undefined ? { payload } : {}) });
  const create = (payload: Record<string, unknown>, token = org.owner.token) =>
    call('POST', '/api/v1/privacy/requests', token, payload);
  const act = (id: string, action: string, payload: unknown = {}, token = org.owner.token) =>
    call('POST', `/api/v1/privacy/requests/${id}/${action}`, token, payload);
  const setZone = (o: TestOrg, timeZone: string) =>
    t.db.updateTable('organizations').set({ timeZone }).where('id', '=', o.id).execute();

  /** Nothing at all was written by `work`: no request row, no timeline entry, no audit event. */
  async function expectNothingWritten(work: () => Promise<unknown>) {
    const before = [
      await t.count('privacyRequests'),
      await t.count('privacyRequestEvents'),
      await t.count('auditEvents'),
    ];
    await work();
    const after = [
      await t.count('privacyRequests'),
      await t.count('privacyRequestEvents'),
      await t.count('auditEvents'),
    ];
    expect(after).toEqual(before);
  }

  it('runs a request through every transition, refusing illegal ones with 409 and no write', async () => {
    const email = t.uniqueEmail('subject');
    const res = await create({
      type: 'access',
      regime: 'gdpr',
      email,
      subjectName: 'Sam Subject',
      details: 'All of it',
    });
    expect(res.statusCode).toBe(201);
    const request = res.json();
    expect(request).toMatchObject({
      state: 'received',
      source: 'console',
      email,
      subjectName: 'Sam Subject',
      duplicate: null,
    });
    // The address is stored sealed, never in the clear.
    const row = await t.db
      .selectFrom('privacyRequests')
      .selectAll()
      .where('id', '=', request.id)
      .executeTakeFirstOrThrow();
    expect(row.emailSealed).not.toContain(email);
    expect(row.emailSealed).toMatch(/^custos:enc:v1:/);

    for (const action of ['approve', 'complete']) {
      await expectNothingWritten(async () => {
        const refused = await act(request.id, action);
        expect(refused.statusCode, action).toBe(409);
        expect(refused.json().error.code).toBe('PRIVACY_REQUEST_TRANSITION_INVALID');
      });
    }
    const verified = await act(request.id, 'verify', { method: 'ID card checked at the desk' });
    expect(verified.json()).toMatchObject({ state: 'awaiting_approval' });
    expect(verified.json().verifiedAt).not.toBeNull();
    expect((await t.lastAuditEvent(org.id))?.action).toBe('privacy_request.verified');
    await expectNothingWritten(async () => expect((await act(request.id, 'verify')).statusCode).toBe(409));
    // A polled host system keeps the request in progress (its task waits for a claim); without one,
    // Custos' own task would complete the request by itself (tasks/).
    await call('POST', '/api/v1/privacy/systems', org.owner.token, {
      name: 'Polled host',
      connector: { webhookUrl: null, polling: true },
      categories: [{ categoryKey: 'contact.email' }],
    });
    expect((await act(request.id, 'approve')).json().state).toBe('in_progress');
    const recent = (await t.auditEvents(org.id, 20)).map((e) => e.action);
    expect(recent).toContain('privacy_request.approved');
    await t.services.privacy.tasks.idle();
    const done = await act(request.id, 'complete', { note: 'Sent the export' });
    expect(done.json()).toMatchObject({ state: 'completed' });
    expect(done.json().closedAt).not.toBeNull();
    expect((await t.lastAuditEvent(org.id))?.action).toBe('privacy_request.completed');
    for (const action of ['cancel', 'verify', 'approve', 'complete']) {
      await expectNothingWritten(async () => expect((await act(request.id, action)).statusCode).toBe(409));
    }
    await expectNothingWritten(async () =>
      expect(
        (await act(request.id, 'deny', { reason: 'Too late to deny this', legalGround: 'Art. 12(5)' }))
          .statusCode,
      ).toBe(409),
    );

    const detail = await call('GET', `/api/v1/privacy/requests/${request.id}`, org.owner.token);
    expect(detail.json().details).toBe('All of it');
    // Task entries (tasks/) come between; the request's own transitions are these.
    expect(
      detail
        .json()
        .timeline.map((e: { kind: string }) => e.kind)
        .filter((kind: string) => !kind.startsWith('task_')),
    ).toEqual(['created', 'verified', 'approved', 'completed']);
  });

  it('cancels an open request, and denies only with a reason and the legal ground', async () => {
    const a = (await create({ type: 'objection', regime: 'gdpr', subjectRef: 'user-cancel' })).json();
    expect((await act(a.id, 'cancel')).json().state).toBe('canceled');
    expect((await t.lastAuditEvent(org.id))?.action).toBe('privacy_request.canceled');

    const b = (await create({ type: 'erasure', regime: 'ccpa', subjectRef: 'user-deny' })).json();
    await expectNothingWritten(async () => {
      expect((await act(b.id, 'deny', {})).statusCode).toBe(400);
      expect((await act(b.id, 'deny', { reason: 'Manifestly unfounded, repeated' })).statusCode).toBe(400);
      expect((await act(b.id, 'deny', { legalGround: 'GDPR Art. 12(5)(b)' })).statusCode).toBe(400);
    });
    const denied = await act(b.id, 'deny', {
      reason: 'The records must be kept for tax law',
      legalGround: 'Cal. Civ. Code §1798.105(d)(8)',
    });
    expect(denied.json()).toMatchObject({
      state: 'denied',
      denialReason: 'The records must be kept for tax law',
      denialGround: 'Cal. Civ. Code §1798.105(d)(8)',
    });
    expect((await t.lastAuditEvent(org.id))?.action).toBe('privacy_request.denied');
  });

  it('links a duplicate of an open request of the same subject and type', async () => {
    const email = t.uniqueEmail('dup');
    const first = (await create({ type: 'erasure', regime: 'gdpr', email })).json();
    const byEmail = await create({ type: 'erasure', regime: 'gdpr', email: email.toUpperCase() });
    expect(byEmail.json().duplicateOf).toBe(first.id);
    expect(byEmail.json().duplicate).toMatchObject({ of: first.id });
    // Another type, or another organization, is not a duplicate.
    expect((await create({ type: 'access', regime: 'gdpr', email })).json().duplicate).toBeNull();
    expect(
      (await create({ type: 'erasure', regime: 'gdpr', email }, other.owner.token)).json().duplicate,
    ).toBeNull();

    const byRef = (await create({ type: 'rectification', regime: 'gdpr', subjectRef: 'u-42' })).json();
    expect(
      (await create({ type: 'rectification', regime: 'gdpr', subjectRef: 'u-42' })).json().duplicateOf,
    ).toBe(byRef.id);
  });

  it('takes a host app’s verified request straight past identity verification', async () => {
    const key = await call('POST', '/api/v1/api-keys', org.owner.token, {
      name: 'host app',
      permissions: ['privacy:manage'],
    });
    const res = await create(
      { type: 'portability', regime: 'gdpr', subjectRef: 'host-user-1', verified: true },
      key.json().secret,
    );
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      state: 'awaiting_approval',
      source: 'api',
      subjectRef: 'host-user-1',
    });
    expect(res.json().verifiedAt).not.toBeNull();
  });

  it('computes the GDPR due date of a request received on 31 January in the organization’s zone', async () => {
    const zoned = await t.createOrganization('Berlin Org');
    await setZone(zoned, 'Europe/Berlin');
    const jan31 = lastJanuary31();
    const year = jan31.slice(0, 4);
    const res = await create(
      { type: 'access', regime: 'gdpr', subjectRef: 'jan', receivedAt: `${jan31}T10:00:00Z` },
      zoned.owner.token,
    );
    expect(res.statusCode).toBe(201);
    const { clock } = res.json();
    expect(clock.startDate).toBe(jan31);
    // One calendar month from 31 January is the last day of February, rolled to a working day.
    const monthEnd = addCalendarMonths(jan31, 1);
    expect(monthEnd.slice(5, 7)).toBe('02');
    expect(clock.dueDate).toBe(nextWorkingDay(monthEnd));
    expect(clock.dueAt).toBe(dueInstant(clock.dueDate, 'Europe/Berlin'));
    expect(clock.timeZone).toBe('Europe/Berlin');
    expect(clock.overdue).toBe(true);

    // 23:30 UTC on 31 January is already 1 February in Berlin.
    const late = await create(
      { type: 'access', regime: 'gdpr', subjectRef: 'feb', receivedAt: `${jan31}T23:30:00Z` },
      zoned.owner.token,
    );
    expect(late.json().clock.startDate).toBe(`${year}-02-01`);
    expect(late.json().clock.dueDate).toBe(nextWorkingDay(`${year}-03-01`));
  });

  it('computes CCPA acknowledgement and due dates in the organization’s zone', async () => {
    const zoned = await t.createOrganization('LA Org');
    await setZone(zoned, 'America/Los_Angeles');
    const jan31 = lastJanuary31();
    // 03:00 UTC on 31 January is still 30 January in Los Angeles.
    const res = await create(
      { type: 'erasure', regime: 'ccpa', subjectRef: 'ca', receivedAt: `${jan31}T03:00:00Z` },
      zoned.owner.token,
    );
    const { clock } = res.json();
    const local = addCalendarDays(jan31, -1);
    expect(clock.startDate).toBe(local);
    expect(clock.acknowledgeBy).toBe(addBusinessDays(local, 10));
    expect(clock.dueDate).toBe(addCalendarDays(local, 45));
    expect(clock.dueAt).toBe(dueInstant(clock.dueDate, 'America/Los_Angeles'));
  });

  it('extends twice under GDPR, refuses a third, and tells the subject the reason', async () => {
    const email = t.uniqueEmail('extend');
    const request = (await create({ type: 'access', regime: 'gdpr', email })).json();
    const first = await act(request.id, 'extend', { reason: 'Records are spread over many archives' });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({
      extensions: 1,
      extensionReason: 'Records are spread over many archives',
    });
    expect(first.json().clock.dueDate).toBe(nextWorkingDay(addCalendarMonths(request.clock.startDate, 2)));
    expect((await t.lastAuditEvent(org.id))?.action).toBe('privacy_request.extended');
    const second = await act(request.id, 'extend', { reason: 'Still gathering the archives' });
    expect(second.json().extensions).toBe(2);
    await expectNothingWritten(async () => {
      const third = await act(request.id, 'extend', { reason: 'One more month please' });
      expect(third.statusCode).toBe(409);
      expect(third.json().error).toMatchObject({
        code: 'PRIVACY_EXTENSION_REFUSED',
        details: { reason: 'max_extensions' },
      });
    });
    expect((await act(request.id, 'extend', { reason: 'short' })).statusCode).toBe(400);

    const mail = await t.db.selectFrom('outbox').selectAll().where('recipient', '=', email).execute();
    expect(mail).toHaveLength(2);
    expect(mail[0]?.bodyText).toContain('Records are spread over many archives');
    const detail = (await call('GET', `/api/v1/privacy/requests/${request.id}`, org.owner.token)).json();
    const extended = detail.timeline.filter((e: { kind: string }) => e.kind === 'extended');
    expect(extended[0].data).toMatchObject({ noticeRequired: true });
    expect(detail.timeline.filter((e: { kind: string }) => e.kind === 'notice_sent')).toHaveLength(2);

    // CCPA allows one extension.
    const ccpa = (await create({ type: 'access', regime: 'ccpa', subjectRef: 'ccpa-ext' })).json();
    expect(
      (await act(ccpa.id, 'extend', { reason: 'Complex request, many systems' })).json().clock.dueDate,
    ).toBe(addCalendarDays(ccpa.clock.startDate, 90));
    expect((await act(ccpa.id, 'extend', { reason: 'Complex request, many systems' })).statusCode).toBe(409);
  });

  it('lists by due date with filters', async () => {
    const res = await call(
      'GET',
      '/api/v1/privacy/requests?state=received,awaiting_approval&limit=500',
      org.owner.token,
    );
    expect(res.statusCode).toBe(200);
    const list = res.json().requests as { state: string; clock: { dueAt: string } }[];
    expect(list.length).toBeGreaterThan(0);
    expect(list.every((r) => ['received', 'awaiting_approval'].includes(r.state))).toBe(true);
    const dues = list.map((r) => r.clock.dueAt);
    expect(dues).toEqual([...dues].sort());
    const erasures = (await call('GET', '/api/v1/privacy/requests?type=erasure', org.owner.token)).json()
      .requests;
    expect(erasures.every((r: { type: string }) => r.type === 'erasure')).toBe(true);
    const overdue = (await call('GET', '/api/v1/privacy/requests?overdue=true', org.owner.token)).json()
      .requests;
    expect(overdue.every((r: { clock: { overdue: boolean } }) => r.clock.overdue)).toBe(true);
    expect(
      (await call('GET', '/api/v1/privacy/requests?dueBefore=2020-01-01', org.owner.token)).json().requests,
    ).toEqual([]);
    expect((await call('GET', '/api/v1/privacy/requests?state=nonsense', org.owner.token)).statusCode).toBe(
      400,
    );
    expect(
      (await call('GET', '/api/v1/privacy/requests?dueBefore=tomorrow', org.owner.token)).statusCode,
    ).toBe(400);
  });

  it('refuses bad input, members without the permission, anonymous callers and other organizations', async () => {
    await expectNothingWritten(async () => {
      expect((await create({ type: 'access', regime: 'gdpr' })).statusCode).toBe(400);
      expect((await create({ type: 'teleport', regime: 'gdpr', subjectRef: 'x' })).statusCode).toBe(400);
      expect((await create({ type: 'access', regime: 'lgpd', subjectRef: 'x' })).statusCode).toBe(400);
      expect((await create({ type: 'access', regime: 'gdpr', email: 'not-an-address' })).statusCode).toBe(
        400,
      );
      const future = await create({
        type: 'access',
        regime: 'gdpr',
        subjectRef: 'x',
        receivedAt: '2999-01-01T00:00:00Z',
      });
      expect(future.statusCode).toBe(400);
      expect(future.json().error.code).toBe('PRIVACY_REQUEST_INVALID');
    });
    // A refusal is itself audited (access.denied), so only the privacy tables are compared here.
    const requests = await t.count('privacyRequests');
    expect((await create({ type: 'access', regime: 'gdpr', subjectRef: 'x' }, member.token)).statusCode).toBe(
      403,
    );
    expect(
      (
        await call('POST', '/api/v1/privacy/requests', undefined, {
          type: 'access',
          regime: 'gdpr',
          subjectRef: 'x',
        })
      ).statusCode,
    ).toBe(401);
    expect(await t.count('privacyRequests')).toBe(requests);
    expect((await call('GET', '/api/v1/privacy/requests', member.token)).statusCode).toBe(403);
    expect((await call('GET', '/api/v1/privacy/requests')).statusCode).toBe(401);

    const mine = (await create({ type: 'access', regime: 'gdpr', subjectRef: 'tenant-test' })).json();
    expect((await call('GET', `/api/v1/privacy/requests/${mine.id}`, other.owner.token)).statusCode).toBe(
      404,
    );
    await expectNothingWritten(async () => {
      for (const [action, body] of [
        ['verify', {}],
        ['approve', {}],
        ['cancel', {}],
        ['complete', {}],
        ['extend', { reason: 'a reason long enough' }],
        ['deny', { reason: 'a reason long enough', legalGround: 'Art. 12(5)' }],
      ] as const) {
        const res = await act(mine.id, action, body, other.owner.token);
        expect(res.statusCode, action).toBe(404);
        expect(res.json().error.code).toBe('PRIVACY_REQUEST_NOT_FOUND');
      }
    });
    expect((await act(mine.id, 'verify', {}, member.token)).statusCode).toBe(403);
    expect((await call('GET', `/api/v1/privacy/requests/${mine.id}`, org.owner.token)).json().state).toBe(
      'received',
    );
    expect((await call('GET', '/api/v1/privacy/requests/not-a-uuid', org.owner.token)).statusCode).toBe(400);
  });

  it('keeps per-organization clock settings, refusing members and bad input', async () => {
    const got = await call('GET', '/api/v1/privacy/settings', org.owner.token);
    expect(got.json().clockWaitsForVerification).toEqual({ gdpr: false, ccpa: false });
    expect(got.json().regimes[0].clockWaitsForVerificationSource).toMatch(/EDPB/);
    const put = await call('PUT', '/api/v1/privacy/settings', org.owner.token, {
      clockWaitsForVerification: { gdpr: true },
      reminderDaysBefore: [2, 10],
    });
    expect(put.json()).toMatchObject({
      clockWaitsForVerification: { gdpr: true, ccpa: false },
      reminderDaysBefore: [10, 2],
    });
    expect((await t.lastAuditEvent(org.id))?.action).toBe('privacy_settings.updated');
    expect(
      (await call('PUT', '/api/v1/privacy/settings', org.owner.token, { reminderDaysBefore: [0] }))
        .statusCode,
    ).toBe(400);
    expect((await call('PUT', '/api/v1/privacy/settings', member.token, {})).statusCode).toBe(403);
    expect(
      (await call('GET', '/api/v1/privacy/settings', other.owner.token)).json().clockWaitsForVerification
        .gdpr,
    ).toBe(false);

    // A request received now waits for verification; verifying it starts the clock.
    const waiting = (await create({ type: 'access', regime: 'gdpr', subjectRef: 'waits' })).json();
    expect(waiting.clock).toMatchObject({ waitingForVerification: true, overdue: false });
    const verified = (await act(waiting.id, 'verify')).json();
    expect(verified.clock.waitingForVerification).toBe(false);
    await call('PUT', '/api/v1/privacy/settings', org.owner.token, {
      clockWaitsForVerification: { gdpr: false },
      reminderDaysBefore: [7, 2],
    });
  });
});
