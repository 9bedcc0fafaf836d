import {
  DETECTOR_TYPES,
  type MemberWithSecurity,
  matchesMemberFilter,
  SecurityOverview,
  type Severity,
} from '@custos/shared';
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, PASSWORD, type TestApp, type TestOrg } from '../../../test/harness';
import { newId } from '../../platform/crypto/tokens';
import { toJson } from '../../platform/db/json';
import type { RequestMeta, UserCaller } from '../../platform/http/caller';
import { registerErrorHandler } from '../../platform/http/error-handler';
import { FIXED_DETECTORS } from '../threats/detect';
import { createOverviewService, type OverviewService, overviewRoutes } from '.';

const URL = '/api/v1/security/overview';
const US_IP = '8.8.8.8';
const GB_IP = '81.2.69.142';
const META: RequestMeta = { ip: null, userAgent: null, requestId: null, source: 'api' };
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

describe.each(backends)('security overview (%s)', (backend) => {
  let t: TestApp;
  let overview: OverviewService;

  beforeAll(async () => {
    t = await createTestApp(backend);
    overview = createOverviewService({ ...t.deps, accessPolicies: t.services.accessPolicies });
  });
  afterAll(() => t.close());

  async function callerOf(token: string): Promise<UserCaller> {
    const caller = await t.services.sessions.authenticate(token, META, { touch: false });
    if (!caller) throw new Error('no live session for that token');
    return caller;
  }

  /**
   * The overview as the holder of `token` sees it, checked against the response schema. Detection
   * runs beside each request; waiting for it first makes anything it raised (or failed to hold
   * back) show up every time, not only when the race goes that way.
   */
  async function overviewFor(token: string): Promise<SecurityOverview> {
    await t.services.threats.pipeline.flush();
    return SecurityOverview.parse(await overview.get(await callerOf(token)));
  }

  /**
   * Detectors stay off in these organizations: the figures here come from rows the tests write,
   * not from whatever the threats module makes of the sign-ins below (impossible travel between
   * the US and GB sign-ins, brute force from 127.0.0.1, whose counters every organization shares).
   * Switched off through the API: the owner's first sign-in already made detection cache the
   * defaults, and only a settings change through the service clears that cache.
   */
  async function organization(name: string): Promise<TestOrg> {
    const org = await t.createOrganization(name);
    const off = { enabled: false, severity: 'low', thresholds: {} };
    const res = await t.inject({
      method: 'PUT',
      url: '/api/v1/security/settings',
      token: org.owner.token,
      payload: {
        // Alarms Custos raises itself (audit tampering, overdue privacy requests) cannot be switched off.
        detectors: Object.fromEntries(
          DETECTOR_TYPES.filter((type) => !FIXED_DETECTORS.has(type)).map((type) => [type, off]),
        ),
        responses: [],
      },
    });
    expect(res.statusCode).toBe(200);
    const running = await t.services.threats.settings.settingsFor(org.id);
    const enabled = Object.entries(running.detectors).filter(([, d]) => d.enabled);
    expect(enabled.map(([type]) => type)).toEqual([...FIXED_DETECTORS]);
    return org;
  }

  async function insertEvent(
    organizationId: string,
    fields: {
      severity: Severity;
      status?: string;
      lastSeenAt?: string;
      assigneeId?: string | null;
      details?: Record<string, unknown>;
      /** JSON text written as is, for rows no detector would write. */
      rawDetails?: string;
    },
  ): Promise<string> {
    const id = newId();
    const at = fields.lastSeenAt ?? new Date().toISOString();
    await t.db
      .insertInto('securityEvents')
      .values({
        id,
        organizationId,
        type: 'brute_force_account',
        severity: fields.severity,
        status: fields.status ?? 'open',
        subjectType: 'user',
        subjectId: 'someone',
        subjectLabel: 'Some One',
        sourceIp: '203.0.113.9',
        country: null,
        dedupKey: `k-${id}`,
        count: 3,
        explanation: 'Three failed sign-ins in five minutes (threshold 3).',
        details: fields.rawDetails ?? toJson(fields.details ?? { failures: 3, windowMinutes: 5 }),
        firstSeenAt: at,
        lastSeenAt: at,
        assigneeId: fields.assigneeId ?? null,
        createdAt: at,
        updatedAt: at,
      })
      .execute();
    return id;
  }

  async function insertAlertChannel(organizationId: string, enabled: boolean): Promise<void> {
    const at = new Date().toISOString();
    await t.db
      .insertInto('alertChannels')
      .values({
        id: newId(),
        organizationId,
        kind: 'webhook',
        name: 'SOC',
        url: 'https://soc.example.com/hook',
        recipients: null,
        secretSealed: null,
        secretHint: null,
        minSeverity: 'medium',
        types: null,
        digestLow: 0,
        enabled: enabled ? 1 : 0,
        createdAt: at,
        updatedAt: at,
      })
      .execute();
  }

  async function insertAccessRule(organizationId: string): Promise<void> {
    const at = new Date().toISOString();
    await t.db
      .insertInto('accessRules')
      .values({
        id: newId(),
        organizationId,
        kind: 'ip',
        effect: 'deny',
        target: 'everyone',
        role: null,
        value: toJson(['192.0.2.0/24']),
        description: 'documentation range',
        enabled: 1,
        createdBy: null,
        createdAt: at,
        updatedAt: at,
      })
      .execute();
  }

  async function insertResponse(
    organizationId: string,
    fields: { kind: string; expiresAt?: string | null; liftedAt?: string | null },
  ): Promise<void> {
    await t.db
      .insertInto('threatResponses')
      .values({
        id: newId(),
        organizationId,
        securityEventId: null,
        kind: fields.kind,
        scope: fields.kind === 'lock_account' ? 'all' : null,
        userId: null,
        ip: fields.kind === 'block_ip' ? '203.0.113.9' : null,
        createdBy: null,
        createdAt: new Date().toISOString(),
        expiresAt: fields.expiresAt ?? null,
        liftedAt: fields.liftedAt ?? null,
        liftedBy: null,
        liftedByName: null,
      })
      .execute();
  }

  const failSignIn = (email: string, ip = '127.0.0.1') =>
    t.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email, password: 'not the password at all', tokenType: 'bearer' },
      remoteAddress: ip,
    });

  async function signInFrom(email: string, ip: string): Promise<string> {
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email, password: PASSWORD, tokenType: 'bearer' },
      remoteAddress: ip,
    });
    if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
    return res.json().token;
  }

  const item = (o: SecurityOverview, key: string) => {
    const found = o.score.items.find((i) => i.key === key);
    if (!found) throw new Error(`no score item ${key}`);
    return found;
  };

  it('gives an organization with nothing going on a sensible posture, with no NaN anywhere', async () => {
    const org = await organization('Quiet Co');
    const o = await overviewFor(org.owner.token);
    expect(o.threatLevel.level).toBe('low');
    expect(o.threatLevel.reason).toContain('No open security events');
    expect(o.threatLevel.reason).toContain('0 failed sign-ins in the last hour');
    expect(o.openEvents).toEqual({ low: 0, medium: 0, high: 0, critical: 0 });
    expect(o.sessions).toEqual({ active: 1, stale: 0, withMfa: 0 });
    expect(o.mfa).toEqual({ members: 1, enrolled: 0, adminsWithout: 1 });
    expect(o.activeResponses).toBe(0);
    expect(o.recentEvents).toEqual([]);
    // the owner signed in from a local address: one sign-in, country unknown
    expect(o.countries).toEqual([{ country: null, count: 1 }]);
    expect(o.signIns).toHaveLength(24);
    expect(o.signIns.at(-1)).toMatchObject({ failed: 0, succeeded: 1 });

    expect(o.score.items.reduce((sum, i) => sum + i.maxPoints, 0)).toBe(100);
    for (const i of o.score.items) {
      expect(Number.isFinite(i.points)).toBe(true);
      expect(i.points).toBeGreaterThanOrEqual(0);
      expect(i.points).toBeLessThanOrEqual(i.maxPoints);
      expect(i.advice.length).toBeGreaterThan(10);
    }
    expect(o.score.value).toBe(o.score.items.reduce((sum, i) => sum + i.points, 0));
    // defaults: good session, step-up and password rules, no open threats; no MFA, alerts or rules
    expect(Object.fromEntries(o.score.items.map((i) => [i.key, i.points]))).toEqual({
      admins_mfa: 0,
      mfa_adoption: 0,
      mfa_required: 0,
      no_open_threats: 15,
      stale_sessions: 10,
      idle_timeout: 10,
      step_up_window: 5,
      alert_channel: 0,
      access_rules: 0,
      password_length: 5,
    });
    expect(o.score.value).toBe(45);
    expect(item(o, 'alert_channel')).toMatchObject({ link: '/security/alerts' });
  });

  it('puts 24 hourly buckets oldest first, ending with the current hour', async () => {
    const org = await organization('Clock Co');
    const o = await overviewFor(org.owner.token);
    const hours = o.signIns.map((b) => Date.parse(b.at));
    const current = Math.floor(Date.parse(o.generatedAt) / HOUR_MS) * HOUR_MS;
    expect(hours.at(-1)).toBe(current);
    expect(hours[0]).toBe(current - 23 * HOUR_MS);
    for (let i = 1; i < hours.length; i++)
      expect((hours[i] as number) - (hours[i - 1] as number)).toBe(HOUR_MS);
  });

  describe('a seeded organization', () => {
    let org: TestOrg;
    let admin: { id: string; email: string; token: string };
    let auditor: { id: string; email: string; token: string };
    let analyst: { id: string; email: string; token: string };
    let ownerSecret = '';

    beforeAll(async () => {
      org = await organization('Seeded Co');
      // admin: a factor, and a session opened with it
      const joined = await t.addMember(org, ['admin']);
      const { secret } = await t.enrollTotp(joined.token);
      admin = { ...joined, token: await t.signInWithTotp(joined.email, secret) };
      auditor = await t.addMember(org, ['auditor']);
      analyst = await t.addMember(org, ['security_analyst']);
      // the auditor signs in twice from the US and once from Great Britain
      await signInFrom(auditor.email, US_IP);
      await signInFrom(auditor.email, US_IP);
      await signInFrom(auditor.email, GB_IP);
    });

    it('counts members, MFA and privileged members without it, and the score item names them', async () => {
      const o = await overviewFor(org.owner.token);
      // owner, admin, auditor, analyst; privileged are the owner, the admin and the analyst
      // (security:manage changes the security policy), of whom only the admin has a factor
      expect(o.mfa).toEqual({ members: 4, enrolled: 1, adminsWithout: 2 });
      expect(item(o, 'admins_mfa')).toMatchObject({
        points: 6,
        maxPoints: 20,
        link: '/members?filter=privileged-without-mfa',
      });
      expect(item(o, 'admins_mfa').advice).toContain('2 privileged members (who can manage members');
      // The Members page's filter lists exactly the members counted.
      const listed = (await t.inject({ url: '/api/v1/members', token: org.owner.token })).json().members;
      expect(
        listed.filter((m: MemberWithSecurity) => matchesMemberFilter(m, 'privileged-without-mfa')),
      ).toHaveLength(2);
      expect(item(o, 'mfa_adoption')).toMatchObject({
        points: 3,
        maxPoints: 15,
        link: '/members?filter=without-mfa',
      });
      expect(item(o, 'mfa_adoption').advice).toContain('1 of 4 members');
    });

    it('raises the score when an admin adds a factor', async () => {
      const before = await overviewFor(org.owner.token);
      const { secret, token } = await t.enrollTotp(org.owner.token);
      ownerSecret = secret;
      org.owner.token = token;
      const after = await overviewFor(org.owner.token);
      expect(after.mfa).toEqual({ members: 4, enrolled: 2, adminsWithout: 1 });
      expect(item(after, 'admins_mfa').points).toBe(13);
      expect(item(after, 'admins_mfa').advice).toContain('1 privileged member (');
      expect(after.score.value).toBeGreaterThan(before.score.value);
    });

    it('counts sessions: active, opened with MFA, and by country', async () => {
      const o = await overviewFor(admin.token);
      // owner 1, admin 2 (invitation, then TOTP sign-in), auditor 4, analyst 1
      expect(o.sessions).toEqual({ active: 8, stale: 0, withMfa: 1 });
      const us = t.deps.geo.country(US_IP);
      const gb = t.deps.geo.country(GB_IP);
      expect(us).toBe('US');
      expect(o.countries).toEqual([
        { country: null, count: 5 },
        { country: us, count: 2 },
        { country: gb, count: 1 },
      ]);
    });

    it('puts failed sign-ins in the hour they happened', async () => {
      for (let i = 0; i < 3; i++) expect((await failSignIn(auditor.email)).statusCode).toBe(401);
      // move one failure three hours back, as if it had happened then
      const failures = await t.db
        .selectFrom('auditEvents')
        .select(['seq'])
        .where('logId', '=', org.id)
        .where('action', '=', 'user.sign_in_failed')
        .execute();
      expect(failures).toHaveLength(3);
      const threeHoursAgo = new Date(Date.now() - 3 * HOUR_MS).toISOString();
      await t.db
        .updateTable('auditEvents')
        .set({ occurredAt: threeHoursAgo })
        .where('logId', '=', org.id)
        .where('seq', '=', Number(failures[0]?.seq))
        .execute();

      const o = await overviewFor(org.owner.token);
      expect(o.signIns.at(-1)?.failed).toBe(2);
      const bucket = o.signIns.find((b) => b.at.slice(0, 13) === threeHoursAgo.slice(0, 13));
      expect(bucket?.failed).toBe(1);
      expect(o.signIns.reduce((sum, b) => sum + b.failed, 0)).toBe(3);
      // every user.signed_in of the log is in a bucket (they all happened within the hour)
      const signedIn = await t.db
        .selectFrom('auditEvents')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('logId', '=', org.id)
        .where('action', '=', 'user.signed_in')
        .executeTakeFirstOrThrow();
      expect(o.signIns.reduce((sum, b) => sum + b.succeeded, 0)).toBe(Number(signedIn.n));
      expect(o.threatLevel.level).toBe('low');
    });

    it('counts a session idle for more than 7 days as stale once the idle timeout allows it', async () => {
      // under the default 30-minute idle timeout, such a session is already over
      const idle = await t.db
        .selectFrom('sessions')
        .select('id')
        .where('userId', '=', analyst.id)
        .executeTakeFirstOrThrow();
      const res = await t.inject({
        method: 'PATCH',
        url: '/api/v1/security/policy',
        token: await t.signInWithTotp(org.owner.email, ownerSecret),
        payload: { idleTimeoutMinutes: 43_200 },
      });
      expect(res.statusCode).toBe(200);
      await t.db
        .updateTable('sessions')
        .set({ lastSeenAt: new Date(Date.now() - 8 * DAY_MS).toISOString() })
        .where('id', '=', idle.id)
        .execute();
      const o = await overviewFor(admin.token);
      expect(o.sessions.stale).toBe(1);
      expect(o.sessions.active).toBe(9); // the owner's new session too
      expect(item(o, 'stale_sessions')).toMatchObject({ points: 8, maxPoints: 10, link: '/sessions' });
      expect(item(o, 'stale_sessions').advice).toContain('1 active session of 9');
      expect(item(o, 'idle_timeout')).toMatchObject({ points: 0 });
      expect(item(o, 'idle_timeout').advice).toContain(
        'Idle sessions last 30 days: set “Sign out after inactivity”',
      );
    });

    it('counts alert channels and access rules only when enabled', async () => {
      await insertAlertChannel(org.id, false);
      let o = await overviewFor(admin.token);
      expect(item(o, 'alert_channel').points).toBe(0);
      await insertAlertChannel(org.id, true);
      await insertAccessRule(org.id);
      o = await overviewFor(admin.token);
      expect(item(o, 'alert_channel').points).toBe(5);
      expect(item(o, 'access_rules').points).toBe(5);
    });

    it('counts only locks and IP blocks in force', async () => {
      const past = new Date(Date.now() - HOUR_MS).toISOString();
      const future = new Date(Date.now() + HOUR_MS).toISOString();
      await insertResponse(org.id, { kind: 'lock_account' });
      await insertResponse(org.id, { kind: 'block_ip', expiresAt: future });
      await insertResponse(org.id, { kind: 'block_ip', expiresAt: past });
      await insertResponse(org.id, { kind: 'lock_account', liftedAt: past });
      await insertResponse(org.id, { kind: 'end_sessions' });
      expect((await overviewFor(admin.token)).activeResponses).toBe(2);
    });

    it('lists the 10 latest events, newest first, with their assignee and details', async () => {
      const base = Date.now() - DAY_MS;
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) {
        ids.push(
          await insertEvent(org.id, {
            severity: 'low',
            status: 'resolved',
            lastSeenAt: new Date(base + i * 60_000).toISOString(),
            assigneeId: i === 11 ? analyst.id : null,
            details: { n: i },
          }),
        );
      }
      const o = await overviewFor(admin.token);
      expect(o.recentEvents.map((e) => e.id)).toEqual(ids.slice(2).reverse());
      expect(o.recentEvents[0]).toMatchObject({
        type: 'brute_force_account',
        severity: 'low',
        status: 'resolved',
        subject: { type: 'user', id: 'someone', label: 'Some One' },
        details: { n: 11 },
        count: 3,
        assignee: { id: analyst.id, name: 'Member Person' },
      });
      expect(o.recentEvents[1]?.assignee).toBeNull();
      // resolved events are no open events
      expect(o.openEvents).toEqual({ low: 0, medium: 0, high: 0, critical: 0 });
    });

    it('refuses a member without security:read (403) and anonymous callers (401)', async () => {
      await expect(overview.get(await callerOf(auditor.token))).rejects.toMatchObject({
        status: 403,
        code: 'FORBIDDEN',
      });
      await expect(overview.get({ kind: 'anonymous', meta: META })).rejects.toMatchObject({ status: 401 });
    });
  });

  describe('threat level', () => {
    it('follows the rules: guarded, elevated, high, severe; acknowledged counts, resolved does not', async () => {
      const org = await organization('Levels Co');
      const level = async () => (await overviewFor(org.owner.token)).threatLevel;

      await insertEvent(org.id, { severity: 'critical', status: 'resolved' });
      await insertEvent(org.id, { severity: 'high', status: 'false_positive' });
      expect((await level()).level).toBe('low');

      await insertEvent(org.id, { severity: 'low', status: 'acknowledged' });
      expect(await level()).toMatchObject({ level: 'guarded' });
      expect((await level()).reason).toContain('1 open low or medium event needs triage');

      await insertEvent(org.id, { severity: 'medium' });
      await insertEvent(org.id, { severity: 'medium' });
      expect((await level()).level).toBe('guarded');
      await insertEvent(org.id, { severity: 'medium', status: 'acknowledged' });
      expect(await level()).toMatchObject({ level: 'elevated' });
      expect((await level()).reason).toContain('3 medium-severity security events are open');

      await insertEvent(org.id, { severity: 'high' });
      expect(await level()).toMatchObject({ level: 'high' });
      expect((await level()).reason).toContain('1 high-severity security event is open');

      await insertEvent(org.id, { severity: 'critical' });
      await insertEvent(org.id, { severity: 'critical', status: 'acknowledged' });
      const severe = await overviewFor(org.owner.token);
      expect(severe.threatLevel.level).toBe('severe');
      expect(severe.threatLevel.reason).toContain('2 critical security events are open');
      expect(severe.threatLevel.reason).toContain('Open events: 2 critical, 1 high, 3 medium, 1 low');
      expect(severe.openEvents).toEqual({ low: 1, medium: 3, high: 1, critical: 2 });
      expect(item(severe, 'no_open_threats')).toMatchObject({ points: 0, link: '/security/events' });
      expect(item(severe, 'no_open_threats').advice).toContain('3 critical or high-severity events are open');
    });

    it('is elevated by a surge of failed sign-ins in the last hour', async () => {
      const org = await organization('Surge Co');
      const member = await t.addMember(org, ['member']);
      for (let i = 0; i < 10; i++) expect((await failSignIn(member.email)).statusCode).toBe(401);
      const o = await overviewFor(org.owner.token);
      expect(o.signIns.at(-1)?.failed ?? 0).toBeLessThanOrEqual(10);
      expect(o.signIns.reduce((sum, b) => sum + b.failed, 0)).toBe(10);
      expect(o.threatLevel.level).toBe('elevated');
      expect(o.threatLevel.reason).toContain('10 failed sign-ins in the last hour');
      expect(o.threatLevel.reason).toContain('0.4 an hour on average');
    });
  });

  it('shows details that are no JSON object as {} instead of failing', async () => {
    const org = await organization('Odd Rows Co');
    const scalar = await insertEvent(org.id, { severity: 'low', rawDetails: '"just a string"' });
    const list = await insertEvent(org.id, { severity: 'low', rawDetails: '[1, 2]' });
    const o = await overviewFor(org.owner.token);
    const detailsById = Object.fromEntries(o.recentEvents.map((e) => [e.id, e.details]));
    expect(detailsById).toEqual({ [scalar]: {}, [list]: {} });
  });

  it("never counts another organization's data", async () => {
    const mine = await organization('Mine Co');
    const theirs = await organization('Theirs Co');
    const theirMember = await t.addMember(theirs, ['member']);
    await insertEvent(theirs.id, { severity: 'critical' });
    await insertAlertChannel(theirs.id, true);
    await insertAccessRule(theirs.id);
    await insertResponse(theirs.id, { kind: 'block_ip' });
    await signInFrom(theirMember.email, US_IP);
    for (let i = 0; i < 10; i++) await failSignIn(theirMember.email);
    await t.enrollTotp(theirMember.token);

    const o = await overviewFor(mine.owner.token);
    expect(o.threatLevel.level).toBe('low');
    expect(o.openEvents).toEqual({ low: 0, medium: 0, high: 0, critical: 0 });
    expect(o.recentEvents).toEqual([]);
    expect(o.activeResponses).toBe(0);
    expect(o.mfa).toEqual({ members: 1, enrolled: 0, adminsWithout: 1 });
    expect(o.sessions).toEqual({ active: 1, stale: 0, withMfa: 0 });
    expect(o.countries).toEqual([{ country: null, count: 1 }]);
    expect(o.signIns.reduce((sum, b) => sum + b.failed, 0)).toBe(0);
    expect(o.signIns.reduce((sum, b) => sum + b.succeeded, 0)).toBe(1);
    expect(item(o, 'alert_channel').points).toBe(0);
    expect(item(o, 'access_rules').points).toBe(0);

    const their = await overviewFor(theirs.owner.token);
    expect(their.threatLevel.level).toBe('severe');
    expect(their.activeResponses).toBe(1);
  });

  it('counts what detection itself raised, the way it counts any event', async () => {
    // Default settings: every detector on, the default response rules.
    const org = await t.createOrganization('Detected Co');
    const member = await t.addMember(org, ['member']);
    await signInFrom(member.email, US_IP);
    await signInFrom(member.email, GB_IP); // a moment later, thousands of km away
    const o = await overviewFor(org.owner.token);

    const raised = await t.db
      .selectFrom('securityEvents')
      .select(['id', 'type', 'severity', 'status'])
      .where('organizationId', '=', org.id)
      .execute();
    expect(raised).toContainEqual(
      expect.objectContaining({ type: 'impossible_travel', severity: 'high', status: 'open' }),
    );
    expect(raised.filter((e) => e.severity === 'critical')).toEqual([]);
    const open = { low: 0, medium: 0, high: 0, critical: 0 };
    for (const e of raised) if (e.status === 'open') open[e.severity as Severity] += 1;
    expect(o.openEvents).toEqual(open);
    expect(o.threatLevel.level).toBe('high');
    expect(item(o, 'no_open_threats').points).toBe(0);
    expect(o.recentEvents.map((e) => e.id).sort()).toEqual(raised.map((e) => e.id).sort());
    expect(o.recentEvents.find((e) => e.type === 'impossible_travel')?.subject).toMatchObject({
      type: 'user',
      id: member.id,
    });
    // impossible travel asks for step-up and tells the user: one-shot actions, nothing in force
    expect(o.activeResponses).toBe(0);
  });

  describe('the route', () => {
    let app: FastifyInstance;

    beforeAll(async () => {
      // The integrator registers the route in app.ts; here it runs on its own, with the same
      // schema compilers and error handler, and callers from real sessions.
      app = Fastify();
      app.setValidatorCompiler(validatorCompiler);
      app.setSerializerCompiler(serializerCompiler);
      registerErrorHandler(app);
      app.decorateRequest('caller');
      app.addHook('onRequest', async (req) => {
        const token = req.headers.authorization?.replace(/^Bearer /, '');
        const caller = token ? await t.services.sessions.authenticate(token, META, { touch: false }) : null;
        req.caller = caller ?? { kind: 'anonymous', meta: META };
      });
      await app.register(overviewRoutes(overview));
      await app.ready();
    });
    afterAll(() => app.close());

    it('answers the overview in its schema, 403 without security:read, 401 anonymous', async () => {
      const org = await organization('Route Co');
      const member = await t.addMember(org, ['member']);
      const ok = await app.inject({ url: URL, headers: { authorization: `Bearer ${org.owner.token}` } });
      expect(ok.statusCode).toBe(200);
      expect(SecurityOverview.parse(ok.json()).mfa.members).toBe(2);

      const denied = await app.inject({ url: URL, headers: { authorization: `Bearer ${member.token}` } });
      expect(denied.statusCode).toBe(403);
      expect(denied.json()).toMatchObject({
        error: { code: 'FORBIDDEN', details: { permission: 'security:read' } },
      });
      expect((await app.inject({ url: URL })).statusCode).toBe(401);
    });
  });
});
