import { randomInt } from 'node:crypto';
import { addCalendarMonths, localDate, nextWorkingDay } from '@custos/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, type TestApp, type TestOrg } from '../../../../test/harness';

/**
 * A fresh client address per call site, so one test's per-IP window never throttles another (nor a
 * run's, when the limiter is a shared Redis).
 */
const freshIp = () => `10.${[0, 0, 0].map(() => randomInt(1, 255)).join('.')}`;

describe.each(backends)('public privacy request page (%s)', (backend) => {
  let t: TestApp;
  let org: TestOrg;
  let other: TestOrg;
  let slug: string;
  let otherSlug: string;

  const slugOf = async (o: TestOrg) =>
    (await t.db.selectFrom('organizations').select('slug').where('id', '=', o.id).executeTakeFirstOrThrow())
      .slug;

  beforeAll(async () => {
    t = await createTestApp(backend);
    org = await t.createOrganization('Public Intake Org');
    other = await t.createOrganization('Other Intake Org');
    slug = await slugOf(org);
    otherSlug = await slugOf(other);
  });
  afterAll(() => t.close());

  const base = (s: string) => `/api/v1/public/privacy/${s}`;
  const submit = (s: string, payload: unknown, ip: string) =>
    t.inject({ method: 'POST', url: `${base(s)}/requests`, payload, remoteAddress: ip });
  const verify = (s: string, payload: unknown, ip: string) =>
    t.inject({ method: 'POST', url: `${base(s)}/requests/verify`, payload, remoteAddress: ip });

  /** The code in the newest mail to `email` (the mail goes out after the answer: wait for it). */
  async function codeFor(email: string, after = 0): Promise<string> {
    for (let i = 0; i < 200; i++) {
      const rows = await t.db
        .selectFrom('outbox')
        .select('bodyText')
        .where('recipient', '=', email)
        .orderBy('createdAt', 'asc')
        .execute();
      const code = /Your code: (\d{6,8})/.exec(rows[after]?.bodyText ?? '')?.[1];
      if (code) return code;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no code mail for ${email}`);
  }

  async function mailsTo(email: string, expected: number): Promise<number> {
    for (let i = 0; i < 200; i++) {
      const n = Number(
        (
          await t.db
            .selectFrom('outbox')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('recipient', '=', email)
            .executeTakeFirst()
        )?.n ?? 0,
      );
      if (n >= expected) return n;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return 0;
  }

  const counts = async () => [
    await t.count('privacyRequests'),
    await t.count('privacyRequestEvents'),
    await t.count('privacyVerificationCodes'),
    await t.count('auditEvents'),
  ];

  it('describes the page: the organization, the request types in words, both regimes', async () => {
    const res = await t.inject({ url: base(slug), remoteAddress: freshIp() });
    expect(res.statusCode).toBe(200);
    const page = res.json();
    expect(page.organization).toEqual({ name: 'Public Intake Org', slug });
    expect(page.requestTypes.map((r: { type: string }) => r.type)).toEqual([
      'access',
      'portability',
      'erasure',
      'rectification',
      'restriction',
      'objection',
    ]);
    expect(page.requestTypes[0]).toMatchObject({ name: 'Access', citation: 'GDPR Art. 15' });
    expect(page.regimes.map((r: { regime: string }) => r.regime)).toEqual(['gdpr', 'ccpa']);
    expect(page.defaultRegime).toBe('gdpr');
    expect(page.codeValidMinutes).toBe(15);
  });

  it('answers known and unknown addresses alike, and mails a code either way', async () => {
    // Known: a member of the organization and a subject with an open request already.
    const known = org.owner.email;
    await t.inject({
      method: 'POST',
      url: '/api/v1/privacy/requests',
      token: org.owner.token,
      payload: { type: 'access', regime: 'gdpr', email: known },
    });
    const unknown = t.uniqueEmail('stranger');
    const ip = freshIp();
    const a = await submit(slug, { type: 'access', email: known }, ip);
    const b = await submit(slug, { type: 'access', email: unknown }, ip);
    expect(a.statusCode).toBe(202);
    expect(b.statusCode).toBe(a.statusCode);
    const masked = (body: string) => body.replace(/"requestToken":"[A-Za-z0-9_-]+"/, '"requestToken":"T"');
    expect(masked(a.body)).toBe(masked(b.body));
    expect(a.body.length).toBe(b.body.length);
    expect(a.headers['content-type']).toBe(b.headers['content-type']);
    expect(Object.keys(a.headers).sort()).toEqual(Object.keys(b.headers).sort());
    expect(a.json().requestToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.json().requestToken).not.toBe(b.json().requestToken);
    expect(await mailsTo(known, 1)).toBeGreaterThanOrEqual(1);
    expect(await mailsTo(unknown, 1)).toBe(1);
    // Either way a request waits in `verifying`; the code is stored only as a keyed hash.
    const code = await codeFor(unknown);
    const stored = await t.db
      .selectFrom('privacyVerificationCodes')
      .selectAll()
      .where('organizationId', '=', org.id)
      .execute();
    expect(stored.some((r) => r.codeHash.includes(code) || r.tokenHash === b.json().requestToken)).toBe(
      false,
    );
  });

  it('verifies with the right code: the request is listed with source public and its due date from receipt', async () => {
    const email = t.uniqueEmail('subject');
    const ip = freshIp();
    const before = new Date().toISOString();
    const res = await submit(
      slug,
      { type: 'erasure', regime: 'gdpr', email, name: 'Pat Public', details: 'Delete my account' },
      ip,
    );
    expect(res.statusCode).toBe(202);
    const pending = (
      await t.inject({ url: '/api/v1/privacy/requests?state=verifying', token: org.owner.token })
    ).json().requests;
    expect(pending.some((r: { email: string }) => r.email === email)).toBe(true);
    const ok = await verify(slug, { requestToken: res.json().requestToken, code: await codeFor(email) }, ip);
    expect(ok.statusCode).toBe(200);
    const answer = ok.json();
    expect(answer).toMatchObject({ type: 'erasure', regime: 'gdpr', organization: { name: org.name } });
    expect(answer.receivedAt >= before).toBe(true);
    const receivedDay = localDate(answer.receivedAt, 'UTC');
    expect(answer.dueDate).toBe(nextWorkingDay(addCalendarMonths(receivedDay, 1)));

    const list = (await t.inject({ url: '/api/v1/privacy/requests', token: org.owner.token })).json()
      .requests;
    const listed = list.find((r: { id: string }) => r.id === answer.reference);
    expect(listed).toMatchObject({
      source: 'public',
      state: 'awaiting_approval',
      email,
      subjectName: 'Pat Public',
      receivedAt: answer.receivedAt,
    });
    expect(listed.clock.dueDate).toBe(answer.dueDate);
    const detail = (
      await t.inject({ url: `/api/v1/privacy/requests/${answer.reference}`, token: org.owner.token })
    ).json();
    expect(detail.details).toBe('Delete my account');
    expect(detail.timeline.map((e: { kind: string }) => e.kind)).toEqual(['created', 'verified']);
    expect(detail.timeline[1].actor).toEqual({ type: 'requester', id: null, name: 'The requester' });
    const audit = await t.auditEvents(org.id, 5);
    const verified = audit.find((e) => e.action === 'privacy_request.verified');
    expect(verified?.actor.type).toBe('anonymous');
    expect(verified?.targets).toEqual([{ type: 'privacy_request', id: answer.reference }]);
    expect(audit.some((e) => e.action === 'privacy_request.created')).toBe(true);

    // The code works once.
    const again = await verify(slug, { requestToken: res.json().requestToken, code: '00000000' }, ip);
    expect(again.statusCode).toBe(400);
    expect(again.json().error.details.reason).toBe('used');
    // Another organization never sees it.
    const theirs = (await t.inject({ url: '/api/v1/privacy/requests', token: other.owner.token })).json()
      .requests;
    expect(theirs.some((r: { id: string }) => r.id === answer.reference)).toBe(false);
  });

  it('links a duplicate of an open request of the same subject and type', async () => {
    const email = t.uniqueEmail('twice');
    const ip = freshIp();
    const first = await submit(slug, { type: 'access', email }, ip);
    const second = await submit(slug, { type: 'access', email }, ip);
    expect(second.statusCode).toBe(202);
    const one = await verify(
      slug,
      { requestToken: first.json().requestToken, code: await codeFor(email, 0) },
      ip,
    );
    const two = await verify(
      slug,
      { requestToken: second.json().requestToken, code: await codeFor(email, 1) },
      ip,
    );
    const detail = (
      await t.inject({ url: `/api/v1/privacy/requests/${two.json().reference}`, token: org.owner.token })
    ).json();
    expect(detail.duplicateOf).toBe(one.json().reference);
  });

  it('refuses a wrong code with 400, counts attempts and kills the code after five', async () => {
    const email = t.uniqueEmail('guesser');
    const ip = freshIp();
    const res = await submit(slug, { type: 'access', email }, ip);
    const requestToken = res.json().requestToken;
    const code = await codeFor(email);
    const wrong = code === '00000000' ? '11111111' : '00000000';
    for (let i = 1; i <= 4; i++) {
      const bad = await verify(slug, { requestToken, code: wrong }, ip);
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toMatchObject({
        code: 'PRIVACY_PUBLIC_CODE_INVALID',
        details: { reason: 'wrong', attemptsLeft: 5 - i },
      });
    }
    const fifth = await verify(slug, { requestToken, code: wrong }, ip);
    expect(fifth.json().error.details.reason).toBe('too_many_attempts');
    const right = await verify(slug, { requestToken, code }, ip);
    expect(right.statusCode).toBe(400);
    expect(right.json().error.details.reason).toBe('too_many_attempts');
  });

  it('refuses an expired code and an unknown token with 400', async () => {
    const email = t.uniqueEmail('late');
    const ip = freshIp();
    const res = await submit(slug, { type: 'access', email }, ip);
    const code = await codeFor(email);
    await t.db
      .updateTable('privacyVerificationCodes')
      .set({ expiresAt: new Date(Date.now() - 1000).toISOString() })
      .where('organizationId', '=', org.id)
      .where('usedAt', 'is', null)
      .execute();
    const late = await verify(slug, { requestToken: res.json().requestToken, code }, ip);
    expect(late.statusCode).toBe(400);
    expect(late.json().error).toMatchObject({
      code: 'PRIVACY_PUBLIC_CODE_INVALID',
      details: { reason: 'expired' },
    });
    const unknown = await verify(slug, { requestToken: 'A'.repeat(43), code: '12345678' }, ip);
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.code).toBe('PRIVACY_PUBLIC_CODE_INVALID');
  });

  it("never lets one organization's slug verify another's request", async () => {
    const email = t.uniqueEmail('crossed');
    const ip = freshIp();
    const res = await submit(slug, { type: 'access', email }, ip);
    const code = await codeFor(email);
    const crossed = await verify(otherSlug, { requestToken: res.json().requestToken, code }, ip);
    expect(crossed.statusCode).toBe(400);
    const theirs = (await t.inject({ url: '/api/v1/privacy/requests', token: other.owner.token })).json()
      .requests;
    expect(theirs.some((r: { email: string }) => r.email === email)).toBe(false);
  });

  it('rate limits per address and per IP with 429, Retry-After and the error shape', async () => {
    const email = t.uniqueEmail('flood');
    for (let i = 0; i < 5; i++)
      expect((await submit(slug, { type: 'access', email }, freshIp())).statusCode).toBe(202);
    const limited = await submit(slug, { type: 'access', email }, freshIp());
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);

    const ip = freshIp();
    for (let i = 0; i < 20; i++)
      expect((await submit(slug, { type: 'access', email: t.uniqueEmail('ip') }, ip)).statusCode).toBe(202);
    const byIp = await submit(slug, { type: 'access', email: t.uniqueEmail('ip') }, ip);
    expect(byIp.statusCode).toBe(429);
    expect(byIp.headers['retry-after']).toBeDefined();
  });

  it('answers 404 alike for an unknown slug, an organization id, and an organization with intake off', async () => {
    const ip = freshIp();
    const unknown = await t.inject({ url: base('no-such-organization'), remoteAddress: ip });
    expect(unknown.statusCode).toBe(404);
    expect((await t.inject({ url: base(other.id), remoteAddress: ip })).statusCode).toBe(404);
    const off = await t.inject({
      method: 'PUT',
      url: '/api/v1/privacy/settings',
      token: other.owner.token,
      payload: { publicIntake: false },
    });
    expect(off.statusCode).toBe(200);
    expect(off.json().publicIntake).toBe(false);
    const disabled = await t.inject({ url: base(otherSlug), remoteAddress: ip });
    expect(disabled.statusCode).toBe(404);
    expect(disabled.body).toBe(unknown.body);
    const before = await counts();
    const posted = await submit(otherSlug, { type: 'access', email: t.uniqueEmail('off') }, ip);
    expect(posted.statusCode).toBe(404);
    expect(posted.json().error.code).toBe('PRIVACY_PUBLIC_NOT_FOUND');
    expect(await counts()).toEqual(before);
    const settings = await t.inject({ url: '/api/v1/privacy/settings', token: org.owner.token });
    expect(settings.json().publicIntake).toBe(true);
    await t.inject({
      method: 'PUT',
      url: '/api/v1/privacy/settings',
      token: other.owner.token,
      payload: { publicIntake: true },
    });
    expect((await t.inject({ url: base(otherSlug), remoteAddress: ip })).statusCode).toBe(200);
  });

  it('refuses bad input with 400 and writes nothing', async () => {
    const ip = freshIp();
    const before = await counts();
    for (const payload of [
      {},
      { type: 'access' },
      { type: 'access', email: 'not-an-address' },
      { type: 'everything', email: 'a@example.com' },
      { type: 'access', regime: 'lgpd', email: 'a@example.com' },
      { type: 'access', email: 'a@example.com', details: 'x'.repeat(5001) },
      { type: 'access', email: 'a@example.com', name: 'bad\u0000name' },
    ]) {
      const res = await submit(slug, payload, ip);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    }
    const form = await t.inject({
      method: 'POST',
      url: `${base(slug)}/requests`,
      payload: 'type=access&email=a@example.com',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      remoteAddress: ip,
    });
    expect(form.statusCode).toBe(415);
    for (const payload of [
      {},
      { requestToken: 'short', code: '12345678' },
      { requestToken: 'A'.repeat(43), code: '12ab' },
    ]) {
      const res = await verify(slug, payload, ip);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    }
    expect((await t.inject({ url: base('Bad Slug!'), remoteAddress: ip })).statusCode).toBe(400);
    expect(await counts()).toEqual(before);
  });
});
