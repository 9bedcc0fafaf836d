import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, PASSWORD, type TestApp, type TestOrg } from '../../../test/harness';
import { identity } from '../identity';
import { totpCodeAt } from '../mfa';
import { disableOrganizationAccessRules } from './break-glass';

const URL = '/api/v1/access-rules';
const OFFICE = '203.0.113.10';
const ELSEWHERE = '198.51.100.7';
const ALL_DAYS = [1, 2, 3, 4, 5, 6, 7];
const MISSING_ID = '01900000-0000-7000-8000-000000000000';

/** HH:MM in UTC of now + `minutes`. */
const utcClock = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString().slice(11, 16);

describe.each(backends)('access rules (%s)', (backend) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(backend);
  });
  afterAll(() => t.close());

  type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  const call = (method: Method, url: string, token: string | undefined, payload?: unknown, ip = OFFICE) =>
    t.inject({ method, url, ...(token ? { token } : {}), payload, remoteAddress: ip });
  const create = (token: string, payload: unknown, ip = OFFICE) => call('POST', URL, token, payload, ip);

  const signInFrom = (email: string, ip: string, organization?: string) =>
    t.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email, password: PASSWORD, tokenType: 'bearer', ...(organization ? { organization } : {}) },
      remoteAddress: ip,
    });

  const accessVersion = async (organizationId: string) =>
    (
      await t.db
        .selectFrom('organizations')
        .select('accessVersion')
        .where('id', '=', organizationId)
        .executeTakeFirstOrThrow()
    ).accessVersion;

  const denials = async (organizationId: string, ruleId: string) =>
    (await t.auditEvents(organizationId)).filter(
      (e) => e.action === 'access.denied' && e.targets.some((target) => target.id === ruleId),
    );

  /** A rule made by the owner from the office; the created rule's id. */
  async function ruleOf(org: TestOrg, payload: Record<string, unknown>): Promise<string> {
    const res = await create(org.owner.token, payload);
    if (res.statusCode !== 201) throw new Error(`create failed: ${res.statusCode} ${res.body}`);
    return res.json().id;
  }

  describe('the editor', () => {
    let org: TestOrg;
    let other: TestOrg;

    beforeAll(async () => {
      org = await t.createOrganization('Rules Co');
      other = await t.createOrganization('Other Rules Co');
    });

    it('lists no rules, UTC, and your own request with its country', async () => {
      const res = await call('GET', URL, org.owner.token, undefined, '8.8.8.8');
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        timeZone: 'UTC',
        rules: [],
        yourRequest: { ip: '8.8.8.8', country: 'US' },
      });
      const local = await call('GET', URL, org.owner.token, undefined, '10.1.2.3');
      expect(local.json().yourRequest).toEqual({ ip: '10.1.2.3', country: null });
    });

    it('creates, changes and deletes rules, normalised, audited with the request, bumping the access version', async () => {
      const v0 = await accessVersion(org.id);
      const created = await create(org.owner.token, {
        kind: 'ip',
        effect: 'allow',
        cidrs: ['203.0.113.77/24', '2001:DB8::1'],
        description: 'Office',
      });
      expect(created.statusCode).toBe(201);
      const rule = created.json();
      expect(rule).toMatchObject({
        kind: 'ip',
        effect: 'allow',
        target: 'everyone',
        role: null,
        cidrs: ['203.0.113.0/24', '2001:db8::1/128'],
        countries: null,
        windows: null,
        description: 'Office',
        enabled: true,
      });
      expect(await accessVersion(org.id)).toBe(v0 + 1);
      const createdEvent = await t.lastAuditEvent(org.id);
      expect(createdEvent).toMatchObject({
        action: 'access_rule.created',
        requestId: created.headers['x-request-id'],
        // Named in the record, so the audit log shows what the rule was, not a cut id.
        targets: [{ type: 'access_rule', id: rule.id, name: 'Office' }],
        metadata: { rule: { kind: 'ip', cidrs: ['203.0.113.0/24', '2001:db8::1/128'] } },
      });

      const changed = await call('PATCH', `${URL}/${rule.id}`, org.owner.token, {
        cidrs: ['203.0.113.0/24', '127.0.0.1/8'],
        description: 'Office and loopback',
      });
      expect(changed.statusCode).toBe(200);
      expect(changed.json()).toMatchObject({
        cidrs: ['203.0.113.0/24', '127.0.0.0/8'],
        description: 'Office and loopback',
      });
      expect(await t.lastAuditEvent(org.id)).toMatchObject({
        action: 'access_rule.updated',
        requestId: changed.headers['x-request-id'],
        changes: {
          cidrs: [
            ['203.0.113.0/24', '2001:db8::1/128'],
            ['203.0.113.0/24', '127.0.0.0/8'],
          ],
          description: ['Office', 'Office and loopback'],
        },
      });

      const country = await create(org.owner.token, {
        kind: 'country',
        effect: 'deny',
        countries: ['kp', 'IR'],
        target: 'role',
        role: 'member',
      });
      expect(country.statusCode).toBe(201);
      expect(country.json()).toMatchObject({
        countries: ['KP', 'IR'],
        target: 'role',
        role: 'member',
        cidrs: null,
      });
      const time = await create(org.owner.token, {
        kind: 'time',
        effect: 'deny',
        windows: [{ days: [7, 6, 6], start: '22:00', end: '06:00' }],
        target: 'api_keys',
      });
      expect(time.statusCode).toBe(201);
      expect(time.json().windows).toEqual([{ days: [6, 7], start: '22:00', end: '06:00' }]);

      const listed = await call('GET', URL, org.owner.token);
      expect(listed.json().rules.map((r: { id: string }) => r.id)).toEqual([
        rule.id,
        country.json().id,
        time.json().id,
      ]);

      // A role rule aimed at everyone drops its role; naming one again needs target 'role'.
      const retarget = await call('PATCH', `${URL}/${country.json().id}`, org.owner.token, {
        target: 'members',
      });
      expect(retarget.json()).toMatchObject({ target: 'members', role: null });

      const removed = await call('DELETE', `${URL}/${time.json().id}`, org.owner.token);
      expect(removed.statusCode).toBe(200);
      expect(removed.json()).toEqual({ ok: true });
      expect(await t.lastAuditEvent(org.id)).toMatchObject({
        action: 'access_rule.deleted',
        requestId: removed.headers['x-request-id'],
        targets: [{ type: 'access_rule', id: time.json().id }],
        metadata: { rule: { kind: 'time', effect: 'deny' } },
      });
      expect((await call('DELETE', `${URL}/${time.json().id}`, org.owner.token)).statusCode).toBe(404);
    });

    it('sets the time zone, audited', async () => {
      const res = await call('PUT', `${URL}/time-zone`, org.owner.token, { timeZone: 'Europe/Berlin' });
      expect(res.statusCode).toBe(200);
      expect(res.json().timeZone).toBe('Europe/Berlin');
      expect(await t.lastAuditEvent(org.id)).toMatchObject({
        action: 'access_rules.time_zone_changed',
        requestId: res.headers['x-request-id'],
        targets: [{ type: 'organization', id: org.id }],
        changes: { timeZone: ['UTC', 'Europe/Berlin'] },
      });
      // Every member reads it from /me, access rules permission or not (the console shows times in it).
      const member = await t.addMember(org, ['member']);
      const me = await t.inject({ url: '/api/v1/me', token: member.token });
      expect(me.json().organizationTimeZone).toBe('Europe/Berlin');
      expect((await call('PUT', `${URL}/time-zone`, org.owner.token, { timeZone: 'UTC' })).statusCode).toBe(
        200,
      );
    });

    it('answers bad input with a clear 400, writing nothing', async () => {
      const rows = await t.count('accessRules');
      const events = await t.count('auditEvents');
      const version = await accessVersion(org.id);
      const [existing] = (await call('GET', URL, org.owner.token)).json().rules as {
        id: string;
        kind: string;
      }[];
      if (existing?.kind !== 'ip') throw new Error('expected the IP rule of the earlier test');
      const expectError = async (
        res: Awaited<ReturnType<typeof call>>,
        code: string,
        details?: Record<string, unknown>,
      ) => {
        expect(res.statusCode, res.body).toBe(400);
        expect(res.json().error.code).toBe(code);
        expect(typeof res.json().error.message).toBe('string');
        if (details) expect(res.json().error.details).toMatchObject(details);
      };
      const token = org.owner.token;
      await expectError(
        await create(token, {
          kind: 'ip',
          effect: 'allow',
          cidrs: ['10.0.0.0/8', '192.0.2.0/24', '10.0.0.300/8'],
        }),
        'ACCESS_RULE_INVALID',
        { field: 'cidrs', index: 2, value: '10.0.0.300/8' },
      );
      await expectError(
        await create(token, { kind: 'ip', effect: 'allow', cidrs: ['10.0.0.0/33'] }),
        'ACCESS_RULE_INVALID',
      );
      await expectError(
        await create(token, { kind: 'country', effect: 'deny', countries: ['DE', 'EU'] }),
        'ACCESS_RULE_INVALID',
        { field: 'countries', index: 1, value: 'EU' },
      );
      await expectError(
        await create(token, {
          kind: 'time',
          effect: 'allow',
          windows: [{ days: [1], start: '09:00', end: '09:00' }],
        }),
        'ACCESS_RULE_INVALID',
        { field: 'windows', index: 0 },
      );
      await expectError(
        await create(token, {
          kind: 'time',
          effect: 'allow',
          windows: [{ days: [8], start: '09:00', end: '10:00' }],
        }),
        'VALIDATION_FAILED',
      );
      await expectError(
        await create(token, {
          kind: 'time',
          effect: 'allow',
          windows: [{ days: [1], start: '9:00', end: '25:00' }],
        }),
        'VALIDATION_FAILED',
      );
      await expectError(
        await create(token, { kind: 'geo', effect: 'allow', cidrs: ['10.0.0.0/8'] }),
        'VALIDATION_FAILED',
      );
      await expectError(
        await create(token, { kind: 'ip', effect: 'maybe', cidrs: ['10.0.0.0/8'] }),
        'VALIDATION_FAILED',
      );
      await expectError(await create(token, { kind: 'ip', effect: 'allow', cidrs: [] }), 'VALIDATION_FAILED');
      await expectError(await create(token, [1, 2]), 'VALIDATION_FAILED');
      await expectError(
        await create(token, { kind: 'ip', effect: 'deny', cidrs: ['192.0.2.0/24'], target: 'role' }),
        'ACCESS_RULE_INVALID',
        { field: 'role' },
      );
      await expectError(
        await create(token, {
          kind: 'ip',
          effect: 'deny',
          cidrs: ['192.0.2.0/24'],
          target: 'role',
          role: 'no_such_role',
        }),
        'ROLE_NOT_FOUND',
        { role: 'no_such_role' },
      );
      await expectError(
        await create(token, { kind: 'ip', effect: 'deny', cidrs: ['192.0.2.0/24'], role: 'admin' }),
        'ACCESS_RULE_INVALID',
        { field: 'role' },
      );
      const patch = (payload: unknown, id = existing.id) => call('PATCH', `${URL}/${id}`, token, payload);
      await expectError(await patch({ countries: ['DE'] }), 'ACCESS_RULE_INVALID', { field: 'countries' });
      await expectError(await patch({ cidrs: ['nope'] }), 'ACCESS_RULE_INVALID', {
        field: 'cidrs',
        index: 0,
      });
      await expectError(await patch({ target: 'role' }), 'ACCESS_RULE_INVALID', { field: 'role' });
      await expectError(await patch({ target: 'role', role: 'ghost' }), 'ROLE_NOT_FOUND');
      await expectError(await patch({}), 'VALIDATION_FAILED');
      await expectError(await patch({ enabled: 'yes' }), 'VALIDATION_FAILED');
      await expectError(await patch({ enabled: false }, 'not-a-uuid'), 'VALIDATION_FAILED');
      await expectError(await call('DELETE', `${URL}/not-a-uuid`, token), 'VALIDATION_FAILED');
      await expectError(
        await call('PUT', `${URL}/time-zone`, token, { timeZone: 'Mars/Olympus' }),
        'TIME_ZONE_INVALID',
        { timeZone: 'Mars/Olympus' },
      );
      await expectError(
        await call('PUT', `${URL}/time-zone`, token, { timeZone: 'europe/berlin' }),
        'TIME_ZONE_INVALID',
      );
      await expectError(await call('PUT', `${URL}/time-zone`, token, {}), 'VALIDATION_FAILED');
      const test = (payload: unknown) => call('POST', `${URL}/test`, token, payload);
      await expectError(await test({ ip: 'not-an-ip' }), 'ACCESS_RULE_INVALID', { field: 'ip' });
      await expectError(await test({ ip: '10.0.0.0/8' }), 'ACCESS_RULE_INVALID', { field: 'ip' });
      await expectError(await test({ ip: '192.0.2.1', roles: ['ghost'] }), 'ROLE_NOT_FOUND');
      await expectError(await test({ ip: '192.0.2.1', at: 'yesterday' }), 'VALIDATION_FAILED');
      await expectError(await test({}), 'VALIDATION_FAILED');
      expect(await t.count('accessRules')).toBe(rows);
      expect(await t.count('auditEvents')).toBe(events);
      expect(await accessVersion(org.id)).toBe(version);
    });

    it("answers 404 for another organization's rules and never lists them", async () => {
      const [mine] = (await call('GET', URL, org.owner.token)).json().rules as { id: string }[];
      if (!mine) throw new Error('expected a rule');
      const theirs = other.owner.token;
      for (const res of [
        await call('PATCH', `${URL}/${mine.id}`, theirs, { enabled: false }),
        await call('DELETE', `${URL}/${mine.id}`, theirs),
        await call('PATCH', `${URL}/${MISSING_ID}`, org.owner.token, { enabled: false }),
        await call('DELETE', `${URL}/${MISSING_ID}`, org.owner.token),
      ]) {
        expect(res.statusCode).toBe(404);
        expect(res.json().error.code).toBe('ACCESS_RULE_NOT_FOUND');
      }
      expect((await call('GET', URL, theirs)).json().rules).toEqual([]);
      expect((await call('GET', URL, org.owner.token)).json().rules[0]).toMatchObject({
        id: mine.id,
        enabled: true,
      });
      // The other organization's own rules and tests see only its rules.
      const tested = await call('POST', `${URL}/test`, theirs, { ip: '192.0.2.1' });
      expect(tested.json()).toMatchObject({ allowed: true, rule: null });
    });

    it('refuses callers without the permission: members, auditors, read-only analysts, keys, anonymous', async () => {
      const member = await t.addMember(org, ['member']);
      const auditor = await t.addMember(org, ['auditor']);
      const analyst = await t.addMember(org, ['security_analyst']);
      const [rule] = (await call('GET', URL, org.owner.token)).json().rules as { id: string }[];
      const writes = (token: string | undefined) => [
        create(token as string, { kind: 'ip', effect: 'deny', cidrs: ['192.0.2.0/24'] }),
        call('PATCH', `${URL}/${rule?.id}`, token, { enabled: false }),
        call('DELETE', `${URL}/${rule?.id}`, token),
        call('PUT', `${URL}/time-zone`, token, { timeZone: 'Asia/Tokyo' }),
      ];
      const reads = (token: string | undefined) => [
        call('GET', URL, token),
        call('POST', `${URL}/test`, token, { ip: '192.0.2.1' }),
      ];
      for (const token of [member.token, auditor.token]) {
        for (const res of await Promise.all([...writes(token), ...reads(token)])) {
          expect(res.statusCode).toBe(403);
          expect(res.json().error).toMatchObject({ code: 'FORBIDDEN' });
        }
      }
      for (const res of await Promise.all(reads(analyst.token))) expect(res.statusCode).toBe(200);
      for (const res of await Promise.all(writes(analyst.token))) {
        expect(res.statusCode).toBe(403);
        expect(res.json().error.details).toEqual({ permission: 'access:manage' });
      }
      const key = await call('POST', '/api/v1/api-keys', org.owner.token, {
        name: 'reader',
        permissions: ['access:read'],
      });
      expect(key.statusCode).toBe(201);
      for (const res of await Promise.all(reads(key.json().secret))) expect(res.statusCode).toBe(200);
      for (const res of await Promise.all(writes(key.json().secret))) expect(res.statusCode).toBe(403);
      for (const res of await Promise.all([...reads(undefined), ...writes(undefined)]))
        expect(res.statusCode).toBe(401);
      expect((await call('GET', URL, org.owner.token)).json().rules[0]).toMatchObject({
        id: rule?.id,
        enabled: true,
      });
    });

    it('needs a recent step-up for every change', async () => {
      const token = await t.signIn(org.owner.email);
      await t.expireStepUp(token);
      const [rule] = (await call('GET', URL, token)).json().rules as { id: string }[];
      const before = await t.count('accessRules');
      for (const res of [
        await create(token, { kind: 'ip', effect: 'deny', cidrs: ['192.0.2.0/24'] }),
        await call('PATCH', `${URL}/${rule?.id}`, token, { enabled: false }),
        await call('DELETE', `${URL}/${rule?.id}`, token),
        await call('PUT', `${URL}/time-zone`, token, { timeZone: 'Asia/Tokyo' }),
      ]) {
        expect(res.statusCode).toBe(403);
        expect(res.json().error.code).toBe('STEP_UP_REQUIRED');
      }
      expect(await t.count('accessRules')).toBe(before);
      // Reading and testing are no sensitive actions.
      expect((await call('POST', `${URL}/test`, token, { ip: '192.0.2.1' })).statusCode).toBe(200);
    });
  });

  describe('the lockout safeguard', () => {
    let org: TestOrg;

    beforeAll(async () => {
      org = await t.createOrganization('Careful Co');
    });

    const expectLockout = async (res: Awaited<ReturnType<typeof call>>, messagePart: string) => {
      expect(res.statusCode, res.body).toBe(409);
      const { error } = res.json();
      expect(error.code).toBe('ACCESS_RULE_LOCKOUT');
      expect(error.message).toContain(messagePart);
      expect(error.details.rule).toMatchObject({
        id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
        kind: expect.stringMatching(/^(ip|country|time)$/),
      });
      return error;
    };

    it("refuses a rule that would refuse the admin's own request, naming it and what to do; nothing is written", async () => {
      const rows = await t.count('accessRules');
      const version = await accessVersion(org.id);
      const error = await expectLockout(
        await create(
          org.owner.token,
          { kind: 'ip', effect: 'allow', cidrs: ['203.0.113.0/24'], description: 'Office' },
          ELSEWHERE,
        ),
        ELSEWHERE,
      );
      expect(error.message).toContain("'Office'");
      expect(error.details.rule).toMatchObject({ kind: 'ip', effect: 'allow', description: 'Office' });
      await expectLockout(
        await create(org.owner.token, { kind: 'ip', effect: 'deny', cidrs: [`${OFFICE}/32`] }),
        OFFICE,
      );
      await expectLockout(
        await create(org.owner.token, { kind: 'country', effect: 'allow', countries: ['DE'] }, '8.8.8.8'),
        'United States',
      );
      // A role the admin holds counts; a role they do not hold does not.
      await expectLockout(
        await create(org.owner.token, {
          kind: 'ip',
          effect: 'deny',
          cidrs: ['0.0.0.0/0'],
          target: 'role',
          role: 'owner',
        }),
        'deny list',
      );
      expect(await t.count('accessRules')).toBe(rows);
      expect(await accessVersion(org.id)).toBe(version);
      const fine = await create(org.owner.token, {
        kind: 'ip',
        effect: 'deny',
        cidrs: ['0.0.0.0/0', '::/0'],
        target: 'role',
        role: 'auditor',
      });
      expect(fine.statusCode).toBe(201);
      // API keys are not members: a rule for them alone cannot lock a signed-in admin out.
      const keysOnly = await create(org.owner.token, {
        kind: 'ip',
        effect: 'allow',
        cidrs: ['192.0.2.0/24'],
        target: 'api_keys',
      });
      expect(keysOnly.statusCode).toBe(201);
    });

    it('guards changes and deletions too, and a time-zone change that moves the hours away from now', async () => {
      const office = await ruleOf(org, {
        kind: 'ip',
        effect: 'allow',
        cidrs: ['203.0.113.0/24'],
        description: 'Office',
      });
      const vpn = await ruleOf(org, {
        kind: 'ip',
        effect: 'allow',
        cidrs: ['192.0.2.0/24'],
        description: 'VPN',
      });
      await expectLockout(
        await call('PATCH', `${URL}/${office}`, org.owner.token, { cidrs: ['10.0.0.0/8'] }),
        OFFICE,
      );
      await expectLockout(
        await call('PATCH', `${URL}/${office}`, org.owner.token, { enabled: false }),
        OFFICE,
      );
      // Without the office rule only the VPN would let anyone in.
      await expectLockout(await call('DELETE', `${URL}/${office}`, org.owner.token), "'VPN'");
      expect((await call('DELETE', `${URL}/${vpn}`, org.owner.token)).statusCode).toBe(200);

      // Hours around now in UTC: moving the zone to Tokyo (UTC+9) would put now outside them.
      const hours = await ruleOf(org, {
        kind: 'time',
        effect: 'allow',
        windows: [{ days: ALL_DAYS, start: utcClock(-60), end: utcClock(60) }],
        description: 'Around now',
      });
      const error = await expectLockout(
        await call('PUT', `${URL}/time-zone`, org.owner.token, { timeZone: 'Asia/Tokyo' }),
        'Asia/Tokyo',
      );
      expect(error.details.rule.id).toBe(hours);
      expect((await call('GET', URL, org.owner.token)).json().timeZone).toBe('UTC');
      // From elsewhere, the admin's own request is already refused by the office rule.
      const away = await call('GET', URL, org.owner.token, undefined, ELSEWHERE);
      expect(away.statusCode).toBe(403);
      expect(away.json().error.code).toBe('ACCESS_RULE_DENIED');
      // Break-glass: the CLI's service switches everything off, audited as the system.
      const { disabled } = await disableOrganizationAccessRules(t.deps, org.id);
      expect(disabled).toContain(office);
      expect(await t.lastAuditEvent(org.id)).toMatchObject({
        action: 'access_rule.updated',
        actor: { type: 'system' },
        metadata: { reason: 'break_glass' },
      });
      expect((await call('GET', URL, org.owner.token, undefined, ELSEWHERE)).statusCode).toBe(200);
    });
  });

  describe('the tester', () => {
    let org: TestOrg;
    let office: string;

    beforeAll(async () => {
      org = await t.createOrganization('Tester Co');
      office = await ruleOf(org, {
        kind: 'ip',
        effect: 'allow',
        cidrs: ['203.0.113.0/24', '2001:db8::/32'],
        target: 'members',
        description: 'Office',
      });
      await ruleOf(org, {
        kind: 'country',
        effect: 'deny',
        countries: ['US'],
        target: 'api_keys',
        description: 'No US keys',
      });
      await ruleOf(org, {
        kind: 'time',
        effect: 'allow',
        windows: [{ days: [1, 2, 3, 4, 5], start: '08:00', end: '18:00' }],
        target: 'role',
        role: 'auditor',
        description: 'Auditors in office hours',
      });
      expect(
        (await call('PUT', `${URL}/time-zone`, org.owner.token, { timeZone: 'Europe/Berlin' })).statusCode,
      ).toBe(200);
    });

    const test = (payload: unknown) => call('POST', `${URL}/test`, org.owner.token, payload);

    it('says whether an IP would be let in, which rule refuses it, its country and the local time; it writes nothing', async () => {
      const events = await t.count('auditEvents');
      const inside = await test({ ip: '203.0.113.99' });
      expect(inside.statusCode).toBe(200);
      expect(inside.json()).toMatchObject({
        allowed: true,
        ip: '203.0.113.99',
        country: null,
        rule: null,
        timeZone: 'Europe/Berlin',
      });
      expect(inside.json().localTime).toMatch(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d:\d\d$/);
      const outside = await test({ ip: '8.8.8.8' });
      expect(outside.json()).toMatchObject({
        allowed: false,
        country: 'US',
        rule: { id: office, kind: 'ip', effect: 'allow', description: 'Office' },
        message: "Your IP address (8.8.8.8) is not in the allow list 'Office'",
      });
      expect((await test({ ip: '2001:db8:1::1' })).json().allowed).toBe(true);
      expect((await test({ ip: '::ffff:203.0.113.5' })).json().allowed).toBe(true);
      // As an API key the members' rule does not apply, the keys' country rule does.
      expect((await test({ ip: '8.8.8.8', apiKey: true })).json()).toMatchObject({
        allowed: false,
        rule: { kind: 'country', effect: 'deny' },
        message: "Requests from United States (US) are denied by 'No US keys'",
      });
      expect((await test({ ip: '81.169.145.1', apiKey: true })).json()).toMatchObject({
        allowed: true,
        country: 'DE',
      });
      // At a chosen instant, with roles: Saturday noon in Berlin is outside the auditors' hours.
      const saturday = await test({ ip: '203.0.113.5', at: '2025-06-07T10:00:00Z', roles: ['auditor'] });
      expect(saturday.json()).toMatchObject({
        allowed: false,
        at: '2025-06-07T10:00:00.000Z',
        localTime: 'Sat 12:00',
        rule: { kind: 'time', description: 'Auditors in office hours' },
      });
      const monday = await test({ ip: '203.0.113.5', at: '2025-06-09T07:30:00+01:00', roles: ['auditor'] });
      expect(monday.json()).toMatchObject({ allowed: true, localTime: 'Mon 08:30' });
      expect(await t.count('auditEvents')).toBe(events);
    });
  });

  describe('enforcement', () => {
    let org: TestOrg;

    beforeAll(async () => {
      org = await t.createOrganization('Enforced Co');
    });

    it('refuses a sign-in from outside the allow list before any session exists, recorded with the rule', async () => {
      const member = await t.addMember(org, ['member']);
      const rule = await ruleOf(org, {
        kind: 'ip',
        effect: 'allow',
        cidrs: ['203.0.113.0/24'],
        target: 'role',
        role: 'member',
        description: 'Office',
      });
      const sessions = await t.count('sessions');
      const refused = await signInFrom(member.email, ELSEWHERE);
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error).toMatchObject({
        code: 'ACCESS_RULE_DENIED',
        details: { rule: { id: rule, kind: 'ip', effect: 'allow', description: 'Office' } },
      });
      expect(refused.json().error.message).toContain("not in the allow list 'Office'");
      expect(refused.json().error.message).toContain('Ask an admin');
      expect(await t.count('sessions')).toBe(sessions);
      const [event] = await denials(org.id, rule);
      expect(event).toMatchObject({
        outcome: 'denied',
        actor: { type: 'user', id: member.id },
        metadata: {
          reason: 'access_rule',
          stage: 'sign_in',
          rule: { id: rule, kind: 'ip' },
          ip: ELSEWHERE,
          country: null,
        },
      });
      expect((await signInFrom(member.email, OFFICE)).statusCode).toBe(200);
    });

    it('refuses every request of a session that moves outside, recording it once a minute, and still signs out', async () => {
      const member = await t.addMember(org, ['auditor']);
      const rule = await ruleOf(org, {
        kind: 'ip',
        effect: 'allow',
        cidrs: ['2001:db8:aa::/48', '203.0.113.0/24'],
        target: 'role',
        role: 'auditor',
        description: 'Auditor desks',
      });
      const signedIn = await signInFrom(member.email, '2001:db8:aa::10');
      expect(signedIn.statusCode).toBe(200);
      const token = signedIn.json().token as string;
      expect((await call('GET', '/api/v1/me', token, undefined, '2001:db8:aa::10')).statusCode).toBe(200);
      expect((await call('GET', '/api/v1/me', token, undefined, '::ffff:203.0.113.4')).statusCode).toBe(200);
      for (let i = 0; i < 3; i++) {
        const res = await call('GET', '/api/v1/me', token, undefined, '2001:db8:bb::10');
        expect(res.statusCode).toBe(403);
        expect(res.json().error).toMatchObject({
          code: 'ACCESS_RULE_DENIED',
          details: { rule: { id: rule } },
        });
      }
      const recorded = await denials(org.id, rule);
      expect(recorded).toHaveLength(1);
      expect(recorded[0]).toMatchObject({
        actor: { type: 'user', id: member.id },
        metadata: { ip: '2001:db8:bb::10' },
      });
      // Only this one event: the generic 403 recorder does not record the same refusal again.
      const all = (await t.auditEvents(org.id)).filter(
        (e) => e.action === 'access.denied' && e.actor.id === member.id,
      );
      expect(all).toHaveLength(1);
      const out = await call('POST', '/api/v1/auth/sign-out', token, undefined, '2001:db8:bb::10');
      expect(out.statusCode).toBe(200);
      expect((await call('GET', '/api/v1/me', token, undefined, '2001:db8:aa::10')).statusCode).toBe(401);
    });

    it('applies rules to API keys', async () => {
      const key = await call('POST', '/api/v1/api-keys', org.owner.token, {
        name: 'ci',
        permissions: ['access:read'],
      });
      const secret = key.json().secret as string;
      const rule = await ruleOf(org, {
        kind: 'ip',
        effect: 'allow',
        cidrs: ['192.0.2.0/24'],
        target: 'api_keys',
        description: 'CI runners',
      });
      expect((await call('GET', URL, secret, undefined, '192.0.2.50')).statusCode).toBe(200);
      const refused = await call('GET', URL, secret, undefined, ELSEWHERE);
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error).toMatchObject({
        code: 'ACCESS_RULE_DENIED',
        details: { rule: { id: rule } },
      });
      const [event] = await denials(org.id, rule);
      expect(event).toMatchObject({ actor: { type: 'api_key', id: key.json().apiKey.id } });
      // Members are not affected by a keys-only rule.
      expect((await call('GET', URL, org.owner.token, undefined, ELSEWHERE)).statusCode).toBe(200);
    });

    it('applies country rules by the GeoIP database', async () => {
      const member = await t.addMember(org, ['privacy_officer']);
      const rule = await ruleOf(org, {
        kind: 'country',
        effect: 'deny',
        countries: ['US'],
        target: 'role',
        role: 'privacy_officer',
        description: 'Not from the US',
      });
      const refused = await signInFrom(member.email, '8.8.8.8');
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.message).toContain('United States');
      expect((await denials(org.id, rule))[0]).toMatchObject({ metadata: { country: 'US' } });
      const german = await signInFrom(member.email, '81.169.145.1');
      expect(german.statusCode).toBe(200);
      expect((await call('GET', '/api/v1/me', german.json().token, undefined, '8.8.8.8')).statusCode).toBe(
        403,
      );
      // A private address has no country: a deny list does not match it.
      expect((await call('GET', '/api/v1/me', german.json().token, undefined, '10.0.0.1')).statusCode).toBe(
        200,
      );
    });

    it('applies time windows in the organization zone', async () => {
      const member = await t.addMember(org, ['security_analyst']);
      const token = (await signInFrom(member.email, OFFICE)).json().token as string;
      const rule = await ruleOf(org, {
        kind: 'time',
        effect: 'allow',
        windows: [{ days: ALL_DAYS, start: utcClock(-60), end: utcClock(60) }],
        target: 'role',
        role: 'security_analyst',
        description: 'Around now',
      });
      expect((await call('GET', '/api/v1/me', token)).statusCode).toBe(200);
      // Read in Tokyo, the same hours lie nine hours away from now.
      expect(
        (await call('PUT', `${URL}/time-zone`, org.owner.token, { timeZone: 'Asia/Tokyo' })).statusCode,
      ).toBe(200);
      const refused = await call('GET', '/api/v1/me', token);
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error).toMatchObject({
        code: 'ACCESS_RULE_DENIED',
        details: { rule: { id: rule, kind: 'time' } },
      });
      expect(refused.json().error.message).toContain('(Asia/Tokyo)');
      expect((await signInFrom(member.email, OFFICE)).statusCode).toBe(403);
      expect((await call('PATCH', `${URL}/${rule}`, org.owner.token, { enabled: false })).statusCode).toBe(
        200,
      );
      expect((await call('GET', '/api/v1/me', token)).statusCode).toBe(200);
    });

    it('does not exempt super admins, and applies to switching into an organization', async () => {
      const admin = await t.createOrganization('Super Co', { superAdmin: true });
      const rule = await ruleOf(admin, {
        kind: 'ip',
        effect: 'allow',
        cidrs: ['203.0.113.0/24'],
        description: 'Office',
      });
      const refused = await signInFrom(admin.owner.email, ELSEWHERE);
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.details.rule.id).toBe(rule);

      // Its members may not work from the office network; a member of two organizations switches
      // from one that lets them in (from the office) into this one, which does not.
      const rules = await create(admin.owner.token, {
        kind: 'ip',
        effect: 'deny',
        cidrs: ['203.0.113.0/24'],
        target: 'role',
        role: 'member',
        description: 'Members not from the office',
      });
      expect(rules.statusCode).toBe(201);
      const vpnOnly = rules.json().id as string;
      // Joining is refused from outside the rules too, so the member joins an organization without any.
      const member = await t.addMember(await t.createOrganization('No rules'), ['member']);
      await identity.insertMembership(t.db, org.id, member.id, ['member']);
      await identity.insertMembership(t.db, admin.id, member.id, ['member']);
      const signedIn = await signInFrom(member.email, OFFICE, org.id);
      expect(signedIn.statusCode).toBe(200);
      const switched = await call('POST', '/api/v1/auth/switch-organization', signedIn.json().token, {
        organizationId: admin.id,
      });
      expect(switched.statusCode).toBe(403);
      expect(switched.json().error).toMatchObject({
        code: 'ACCESS_RULE_DENIED',
        details: { rule: { id: vpnOnly } },
      });
      expect((await call('GET', '/api/v1/me', signedIn.json().token)).json().organization.id).toBe(org.id);
      // Recorded once, in the organization refusing it, with the rule; not again as an ordinary 403.
      expect(await denials(admin.id, vpnOnly)).toHaveLength(1);
      const elsewhere = (await t.auditEvents(org.id)).filter(
        (e) => e.action === 'access.denied' && e.actor.id === member.id,
      );
      expect(elsewhere).toEqual([]);
    });

    it('applies to an invitation finished with the second factor, from where the factor is given', async () => {
      const home = await t.createOrganization('Home');
      const target = await t.createOrganization('Guarded');
      const person = await t.addMember(home, ['member']);
      const { secret } = await t.enrollTotp(person.token);
      const invited = await call('POST', '/api/v1/invitations', target.owner.token, {
        email: person.email,
        roles: ['member'],
      });
      const token = String(invited.json().inviteUrl).split('#token=')[1];
      const rule = await create(target.owner.token, {
        kind: 'ip',
        effect: 'allow',
        cidrs: ['203.0.113.0/24'],
        target: 'role',
        role: 'member',
        description: 'Members from the office only',
      });
      expect(rule.statusCode, rule.body).toBe(201);
      const accepted = await call(
        'POST',
        '/api/v1/invitations/accept',
        undefined,
        { token, password: PASSWORD, tokenType: 'bearer' },
        OFFICE,
      );
      expect(accepted.json().mfaRequired, accepted.body).toBe(true);
      const verify = await call(
        'POST',
        '/api/v1/auth/mfa/verify',
        undefined,
        {
          challenge: accepted.json().challenge,
          method: 'totp',
          code: totpCodeAt(secret, Date.now() + 30_000),
          tokenType: 'bearer',
        },
        ELSEWHERE,
      );
      expect(verify.statusCode, verify.body).toBe(403);
      expect(verify.json().error.code).toBe('ACCESS_RULE_DENIED');
      const joined = await t.db
        .selectFrom('memberships')
        .select('userId')
        .where('organizationId', '=', target.id)
        .where('userId', '=', person.id)
        .executeTakeFirst();
      expect(joined).toBeUndefined();
    });

    it('leaves rules that can refuse owners to owners, so an admin or a key cannot lock them out', async () => {
      const o = await t.createOrganization('Owners first');
      const admin = await t.addMember(o, ['admin']);
      const attack = { kind: 'ip', effect: 'deny', cidrs: ['0.0.0.0/0', '::/0'], description: 'All' };
      for (const target of [
        { target: 'everyone' },
        { target: 'members' },
        { target: 'role', role: 'owner' },
      ]) {
        const res = await create(admin.token, { ...attack, ...target });
        expect(res.statusCode, JSON.stringify(target)).toBe(403);
        expect(res.json().error.code).toBe('OWNER_REQUIRED');
      }
      const keyRes = await call('POST', '/api/v1/api-keys', o.owner.token, {
        name: 'rules',
        permissions: ['access:manage'],
      });
      const key = String(keyRes.json().secret);
      expect((await create(key, { ...attack, target: 'everyone' })).json().error.code).toBe('OWNER_REQUIRED');
      const aimed = await create(admin.token, { ...attack, target: 'role', role: 'auditor' });
      expect(aimed.statusCode, aimed.body).toBe(201);
      const widen = await call('PATCH', `${URL}/${aimed.json().id}`, admin.token, { target: 'everyone' });
      expect(widen.json().error.code).toBe('OWNER_REQUIRED');
      expect((await call('GET', URL, o.owner.token)).statusCode).toBe(200);
    });

    it('applies to joining through an invitation: refused before anything is written', async () => {
      const joining = await t.createOrganization('Joining');
      const email = t.uniqueEmail('joiner');
      const invited = await call('POST', '/api/v1/invitations', joining.owner.token, {
        email,
        roles: ['member'],
      });
      expect(invited.statusCode, invited.body).toBe(201);
      const token = String(invited.json().inviteUrl).split('#token=')[1];
      const rule = await create(joining.owner.token, {
        kind: 'ip',
        effect: 'allow',
        cidrs: ['203.0.113.0/24'],
        target: 'role',
        role: 'member',
        description: 'Members from the office only',
      });
      expect(rule.statusCode, rule.body).toBe(201);
      const accept = (ip: string) =>
        call(
          'POST',
          '/api/v1/invitations/accept',
          undefined,
          { token, name: 'Joiner', password: PASSWORD, tokenType: 'bearer' },
          ip,
        );
      const refused = await accept(ELSEWHERE);
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error).toMatchObject({
        code: 'ACCESS_RULE_DENIED',
        details: { rule: { id: rule.json().id } },
      });
      expect(
        await t.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst(),
      ).toBeUndefined();
      const joined = await accept(OFFICE);
      expect(joined.statusCode, joined.body).toBe(200);
    });
  });
});
