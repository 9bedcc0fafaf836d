import type { DetectorType, SecurityEventOut, Severity } from '@custos/shared';
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backends, createTestApp, PASSWORD, type TestApp, type TestOrg } from '../../../test/harness';
import { isoAfter, nowIso } from '../../platform/clock';
import { newId, safeEqual } from '../../platform/crypto/tokens';
import { registerAuthHook } from '../../platform/http/auth-hook';
import { registerErrorHandler } from '../../platform/http/error-handler';
import { CSRF_HEADER, csrfTokenFor, SESSION_COOKIE } from '../../platform/http/session-cookies';
import { isApiKeyToken } from '../apikeys';
import type { CommittedAuditEvent } from '../audit';
import { stepUpDetails } from '../mfa';
import { createDetectorEngine, defaultThreatSettings, MemoryDetectionState } from './detect';
import type { Detection, DetectorEngine } from './detection';
import {
  createResponseEffects,
  createThreatPipeline,
  createThreatsModule,
  findSignInBlocks,
  listActiveIpBlocks,
  type SecurityChange,
  type ThreatsModule,
} from './index';
import { createRaiser } from './raise';
import type { Signal } from './signal';
import * as store from './store';

const OFFICE = '203.0.113.10';
const ATTACKER = '198.51.100.66';
const MISSING_ID = '01900000-0000-7000-8000-000000000000';

/** Alerts as the alerts module would hear them; `visible` says whether the change had committed. */
class RecordingAlerts {
  changes: SecurityChange[] = [];
  notify(change: SecurityChange): void {
    this.changes.push(change);
  }
  of(kind: SecurityChange['kind'], change: string) {
    return this.changes.filter((c) => c.kind === kind && c.change === change);
  }
}

/** The effects the integrator wires to sessions and the IP guard, recorded. */
function recordingEffects(t: () => TestApp) {
  const calls: Array<{ effect: string; organizationId: string; userId?: string; committed?: boolean }> = [];
  return {
    calls,
    effects: {
      async endSessions(_trx: unknown, organizationId: string, userId: string) {
        calls.push({ effect: 'endSessions', organizationId, userId });
        return 2;
      },
      async demandStepUp(_trx: unknown, organizationId: string, userId: string) {
        calls.push({ effect: 'demandStepUp', organizationId, userId });
        return 1;
      },
      async ipBlocksChanged(_trx: unknown, organizationId: string) {
        calls.push({ effect: 'ipBlocksChanged', organizationId });
      },
      async notifyUser(organizationId: string, userId: string, event: SecurityEventOut) {
        // Outside the transaction (after commit) the event is there to read; inside, SQLite's one
        // connection would make this wait forever.
        const row = await t()
          .db.selectFrom('securityEvents')
          .select('id')
          .where('id', '=', event.id)
          .executeTakeFirst();
        calls.push({ effect: 'notifyUser', organizationId, userId, committed: row !== undefined });
        return { status: 'sent' as const };
      },
    },
  };
}

/** An engine whose detections the test decides. */
function scriptedEngine() {
  const seen: Signal[] = [];
  let script: (signal: Signal) => Detection[] = () => [];
  const engine: DetectorEngine = {
    async process(signal) {
      seen.push(signal);
      return script(signal);
    },
    async close() {},
  };
  return {
    engine,
    seen,
    set(next: (signal: Signal) => Detection[]) {
      script = next;
    },
  };
}

function detection(
  organizationId: string,
  over: Partial<Detection> & { type?: DetectorType; severity?: Severity } = {},
): Detection {
  const auditEventId = newId();
  return {
    type: 'brute_force_account',
    severity: 'high',
    organizationId,
    dedupKey: `brute_force_account:${over.userId ?? 'nobody'}`,
    subject: { type: 'user', id: over.userId ?? 'nobody', label: 'Member Person' },
    sourceIp: ATTACKER,
    country: 'NL',
    explanation: '12 failed sign-ins from untrusted origins in 15 minutes (threshold 10).',
    details: { observed: 12, threshold: 10, windowMinutes: 15 },
    evidence: [{ auditEventId, seq: 1, action: 'user.sign_in_failed', occurredAt: nowIso() }],
    userId: null,
    ...over,
  };
}

/** Waits (without a deadline of its own) until `done` holds; the test's timeout bounds it. */
async function eventually(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** Like `eventually`, for checks that must ask the database. */
async function eventuallyAsync(done: () => Promise<boolean>): Promise<void> {
  while (!(await done())) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** Whether `done` comes to hold within a generous bound (for waits a missing fix would make endless). */
async function reached(done: () => Promise<boolean>, boundMs = 10_000): Promise<boolean> {
  const until = Date.now() + boundMs;
  while (Date.now() < until) {
    if (await done()) return true;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return false;
}

let seq = 1000;
/** A committed failed sign-in against `userId`, as the audit recorder would publish it. */
function failedSignIn(organizationId: string, userId: string, ip = ATTACKER): CommittedAuditEvent {
  seq += 1;
  const at = nowIso();
  return {
    id: newId(),
    organizationId,
    logId: organizationId,
    seq,
    occurredAt: at,
    receivedAt: at,
    actor: { type: 'anonymous', id: null, name: null, ip, userAgent: 'curl/8.0' },
    impersonator: null,
    action: 'user.sign_in_failed',
    outcome: 'failure',
    targets: [{ type: 'user', id: userId }],
    source: 'console',
    requestId: null,
    changes: null,
    metadata: { reason: 'bad_password' },
    personal: [],
    subjectRef: null,
  };
}

/** The signal's detection for the scripted engine: brute force on the user the sign-in tried. */
const bruteForceOf = (signal: Signal, severity: Severity = 'high'): Detection[] =>
  signal.kind === 'sign_in_failed' && signal.organizationId && signal.userId
    ? [
        detection(signal.organizationId, {
          userId: signal.userId,
          subject: { type: 'user', id: signal.userId, label: signal.userLabel },
          severity,
          sourceIp: signal.ip,
          evidence: [
            {
              auditEventId: signal.auditEventId,
              seq: signal.seq,
              action: signal.action,
              occurredAt: signal.occurredAt,
            },
          ],
        }),
      ]
    : [];

/** The module's routes on an app of their own, authenticated exactly as the real app does. */
async function routeApp(t: TestApp, threats: ThreatsModule): Promise<FastifyInstance> {
  const app = Fastify();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(fastifyCookie);
  registerErrorHandler(app, stepUpDetails(t.services.mfaVerifier));
  registerAuthHook(app, {
    session: (token, meta) => t.services.auth.authenticate(token, meta),
    apiKey: (key, meta) => t.services.apiKeys.authenticate(key, meta),
    csrfTokenFor,
    isApiKey: isApiKeyToken,
    sessionCookie: SESSION_COOKIE,
    csrfHeader: CSRF_HEADER,
    safeEqual,
  });
  await app.register(threats.routes);
  await app.ready();
  return app;
}

describe.each(backends)('threats: events, responses, settings, pipeline (%s)', (backend) => {
  let t: TestApp;
  let app: FastifyInstance;
  let threats: ThreatsModule;
  const alerts = new RecordingAlerts();
  const recorded = recordingEffects(() => t);
  const scripted = scriptedEngine();

  beforeAll(async () => {
    t = await createTestApp(backend);
    threats = createThreatsModule({
      ...t.deps,
      effects: recorded.effects,
      alerts,
      engine: scripted.engine,
      accessPolicies: t.services.accessPolicies,
    });
    app = await routeApp(t, threats);
  });
  afterAll(async () => {
    await app.close();
    await t.close();
  });
  beforeEach(() => {
    scripted.set(() => []);
  });

  type Method = 'GET' | 'POST' | 'PATCH' | 'PUT';
  const call = (method: Method, url: string, token: string, payload?: unknown, ip = OFFICE) =>
    app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      remoteAddress: ip,
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });

  /** Feeds committed events through the pipeline and waits until everything is written. */
  async function feed(events: CommittedAuditEvent[]): Promise<void> {
    threats.pipeline.handle(events);
    await threats.pipeline.flush();
  }

  const eventsOf = async (organizationId: string) =>
    t.db.selectFrom('securityEvents').selectAll().where('organizationId', '=', organizationId).execute();

  const responsesOf = async (organizationId: string) =>
    t.db.selectFrom('threatResponses').selectAll().where('organizationId', '=', organizationId).execute();

  describe('raising and folding', () => {
    let org: TestOrg;
    let member: { id: string };

    /** The scripted attack's events (whatever else the app's own wiring may raise aside). */
    const attackEvents = async () =>
      (await eventsOf(org.id)).filter((e) => e.dedupKey === `brute_force_account:${member.id}`);

    beforeAll(async () => {
      org = await t.createOrganization('Raise Co');
      member = await t.addMember(org, ['member']);
      // No responses here: this block is about events.
      await threats.settings.update(await ownerCaller(org), { responses: [] });
    });

    it('makes one event with evidence, a raised timeline row and an audit event; alerts hear after commit', async () => {
      scripted.set((s) => bruteForceOf(s));
      const first = failedSignIn(org.id, member.id);
      await feed([first]);
      const rows = await attackEvents();
      expect(rows).toHaveLength(1);
      const event = rows[0];
      expect(event).toMatchObject({
        type: 'brute_force_account',
        status: 'open',
        count: 1,
        sourceIp: ATTACKER,
      });
      const detail = await call('GET', `/api/v1/security/events/${event?.id}`, org.owner.token);
      expect(detail.statusCode).toBe(200);
      expect(detail.json()).toMatchObject({
        id: event?.id,
        severity: 'high',
        subject: { type: 'user', id: member.id },
        evidence: [{ auditEventId: first.id, action: 'user.sign_in_failed' }],
        timeline: [{ kind: 'raised', data: { count: 1 } }],
        responses: [],
      });
      const audited = (await t.auditEvents(org.id)).find((e) => e.action === 'security_event.raised');
      expect(audited).toMatchObject({
        actor: { type: 'system' },
        targets: [
          { type: 'security_event', id: event?.id },
          { type: 'user', id: member.id },
        ],
      });
      expect(alerts.of('security_event', 'raised').map((c) => c.organizationId)).toContain(org.id);
      expect(threats.pipeline.stats.raised).toBeGreaterThanOrEqual(1);
    });

    it('folds repeats of one attack into the one event: count, latest explanation, evidence added', async () => {
      scripted.set((s) => bruteForceOf(s));
      const more = Array.from({ length: 5 }, () => failedSignIn(org.id, member.id));
      await feed(more);
      const rows = await attackEvents();
      expect(rows).toHaveLength(1);
      expect(rows[0]?.count).toBe(6);
      const detail = (await call('GET', `/api/v1/security/events/${rows[0]?.id}`, org.owner.token)).json();
      expect(detail.evidence).toHaveLength(6);
      // newest first
      expect(detail.evidence[0].seq).toBeGreaterThan(detail.evidence[5].seq);
      expect(alerts.of('security_event', 'repeated').length).toBeGreaterThanOrEqual(1);
    });

    it('raises the severity to the highest seen and says so on the timeline', async () => {
      scripted.set((s) => bruteForceOf(s, 'critical'));
      await feed([failedSignIn(org.id, member.id)]);
      scripted.set((s) => bruteForceOf(s, 'medium'));
      await feed([failedSignIn(org.id, member.id)]);
      const [row] = await attackEvents();
      expect(row).toMatchObject({ severity: 'critical', count: 8 });
      const detail = (await call('GET', `/api/v1/security/events/${row?.id}`, org.owner.token)).json();
      expect(detail.timeline).toContainEqual(
        expect.objectContaining({
          kind: 'repeated',
          data: expect.objectContaining({ from: 'high', severity: 'critical' }),
        }),
      );
    });

    it('never reopens a resolved event: a new signal makes a new one', async () => {
      const [row] = await attackEvents();
      const resolved = await call('PATCH', `/api/v1/security/events/${row?.id}`, org.owner.token, {
        status: 'resolved',
      });
      expect(resolved.statusCode).toBe(200);
      scripted.set((s) => bruteForceOf(s));
      await feed([failedSignIn(org.id, member.id)]);
      const rows = await attackEvents();
      expect(rows).toHaveLength(2);
      expect(rows.find((r) => r.id === row?.id)).toMatchObject({ status: 'resolved', count: 8 });
      expect(rows.find((r) => r.id !== row?.id)).toMatchObject({ status: 'open', count: 1 });
    });

    it('concurrent detections of one key make one event', async () => {
      const d = detection(org.id, { dedupKey: 'concurrent:1', type: 'brute_force_ip' });
      const settings = await threats.settings.settingsFor(org.id);
      const results = await Promise.all(
        Array.from({ length: 8 }, () => threats.events.recordDetection({ ...d, evidence: [] }, settings)),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      const rows = (await eventsOf(org.id)).filter((r) => r.dedupKey === 'concurrent:1');
      expect(rows).toHaveLength(1);
      expect(rows[0]?.count).toBe(8);
    });

    it('keeps at most 100 evidence rows per event, the newest; details come back as written', async () => {
      const base = detection(org.id, {
        dedupKey: 'evidence:cap',
        details: { per_account: 3, windowMinutes: 5 },
      });
      const settings = await threats.settings.settingsFor(org.id);
      for (let batch = 0; batch < 3; batch++) {
        const evidence = Array.from({ length: 50 }, (_, i) => ({
          auditEventId: newId(),
          seq: batch * 50 + i,
          action: 'user.sign_in_failed',
          occurredAt: isoAfter(batch * 50_000 + i * 1000),
        }));
        await threats.events.recordDetection({ ...base, evidence: [...evidence, ...evidence] }, settings);
      }
      const [row] = (await eventsOf(org.id)).filter((r) => r.dedupKey === 'evidence:cap');
      const detail = (await call('GET', `/api/v1/security/events/${row?.id}`, org.owner.token)).json();
      expect(detail.evidence).toHaveLength(100);
      expect(detail.evidence[0].seq).toBe(149);
      expect(detail.evidence[99].seq).toBe(50);
      expect(detail.details).toEqual({ per_account: 3, windowMinutes: 5 });
    });
  });

  describe('triage', () => {
    let org: TestOrg;
    let other: TestOrg;
    let analyst: { id: string; token: string };
    let auditor: { id: string; token: string };
    let eventId: string;

    beforeAll(async () => {
      org = await t.createOrganization('Triage Co');
      other = await t.createOrganization('Other Triage Co');
      analyst = await t.addMember(org, ['security_analyst']);
      auditor = await t.addMember(org, ['auditor']);
      const settings = await threats.settings.settingsFor(org.id);
      const raised = await threats.events.recordDetection(
        detection(org.id, { dedupKey: 'triage:1', type: 'new_device', severity: 'low', userId: null }),
        settings,
      );
      eventId = raised.event.id;
    });

    const patch = (token: string, body: unknown, id = eventId) =>
      call('PATCH', `/api/v1/security/events/${id}`, token, body);

    it('lists events newest first with filters and keyset pages', async () => {
      const settings = await threats.settings.settingsFor(org.id);
      for (const key of ['page:a', 'page:b', 'page:c']) {
        await threats.events.recordDetection(
          detection(org.id, { dedupKey: key, severity: 'medium' }),
          settings,
        );
      }
      const first = await call('GET', '/api/v1/security/events?limit=2&severity=medium', analyst.token);
      expect(first.statusCode).toBe(200);
      const page1 = first.json();
      expect(page1.events).toHaveLength(2);
      expect(page1.nextCursor).toEqual(expect.stringMatching(/\S/));
      const page2 = (
        await call(
          'GET',
          `/api/v1/security/events?limit=2&severity=medium&cursor=${page1.nextCursor}`,
          analyst.token,
        )
      ).json();
      expect(page2.events).toHaveLength(1);
      expect(page2.nextCursor).toBeNull();
      const all = [...page1.events, ...page2.events];
      expect(new Set(all.map((e: SecurityEventOut) => e.id)).size).toBe(3);
      const seen = all.map((e: SecurityEventOut) => e.lastSeenAt);
      expect([...seen].sort().reverse()).toEqual(seen);
      const byType = (
        await call('GET', '/api/v1/security/events?type=new_device&status=open', analyst.token)
      ).json();
      expect(byType.events.map((e: SecurityEventOut) => e.id)).toEqual([eventId]);
      const none = (await call('GET', `/api/v1/security/events?sourceIp=192.0.2.1`, analyst.token)).json();
      expect(none.events).toEqual([]);
      const badCursor = await call('GET', '/api/v1/security/events?cursor=nope', analyst.token);
      expect(badCursor.statusCode).toBe(400);
      const badStatus = await call('GET', '/api/v1/security/events?status=closed', analyst.token);
      expect(badStatus.json().error.code).toBe('VALIDATION_FAILED');
    });

    it('moves through valid transitions, audited with changes and on the timeline; alerts after commit', async () => {
      const before = alerts.of('security_event', 'updated').length;
      const ack = await patch(analyst.token, { status: 'acknowledged', note: 'Looking into it' });
      expect(ack.statusCode).toBe(200);
      expect(ack.json()).toMatchObject({ id: eventId, status: 'acknowledged' });
      const audited = await t.lastAuditEvent(org.id);
      expect(audited).toMatchObject({
        action: 'security_event.updated',
        actor: { id: analyst.id },
        targets: [{ type: 'security_event', id: eventId }],
        changes: { status: ['open', 'acknowledged'] },
        metadata: { note: 'Looking into it' },
      });
      expect(alerts.of('security_event', 'updated').length).toBe(before + 1);
      expect((await patch(analyst.token, { status: 'resolved' })).json().status).toBe('resolved');
      expect((await patch(analyst.token, { status: 'open' })).json().status).toBe('open');
      const detail = (await call('GET', `/api/v1/security/events/${eventId}`, analyst.token)).json();
      expect(detail.timeline.map((a: { kind: string }) => a.kind)).toEqual([
        'raised',
        'status_changed',
        'note',
        'status_changed',
        'status_changed',
      ]);
      expect(detail.timeline[1]).toMatchObject({
        actor: { id: analyst.id, name: 'Member Person' },
        data: { from: 'open', to: 'acknowledged' },
      });
    });

    it('refuses invalid transitions with 409 and changes nothing', async () => {
      expect((await patch(analyst.token, { status: 'open' })).json().error.code).toBe(
        'SECURITY_EVENT_TRANSITION_INVALID',
      );
      await patch(analyst.token, { status: 'false_positive' });
      const res = await patch(analyst.token, { status: 'acknowledged' });
      expect(res.statusCode).toBe(409);
      expect(res.json().error).toMatchObject({
        code: 'SECURITY_EVENT_TRANSITION_INVALID',
        details: { from: 'false_positive', to: 'acknowledged', allowed: ['open'] },
      });
      const [row] = (await eventsOf(org.id)).filter((r) => r.id === eventId);
      expect(row?.status).toBe('false_positive');
      expect((await patch(analyst.token, { status: 'open' })).statusCode).toBe(200);
      expect((await patch(analyst.token, {})).statusCode).toBe(400);
    });

    it('assigns only members who can see security events', async () => {
      const ok = await patch(org.owner.token, { assigneeId: analyst.id });
      expect(ok.statusCode).toBe(200);
      expect(ok.json().assignee).toEqual({ id: analyst.id, name: 'Member Person' });
      const byAssignee = (
        await call('GET', `/api/v1/security/events?assigneeId=${analyst.id}`, analyst.token)
      ).json();
      expect(byAssignee.events.map((e: SecurityEventOut) => e.id)).toEqual([eventId]);
      for (const assigneeId of [auditor.id, other.owner.id, MISSING_ID]) {
        const refused = await patch(org.owner.token, { assigneeId });
        expect(refused.statusCode).toBe(400);
        expect(refused.json().error.details).toEqual([expect.objectContaining({ path: 'assigneeId' })]);
      }
      const unassigned = await patch(org.owner.token, { assigneeId: null });
      expect(unassigned.json().assignee).toBeNull();
      expect((await t.lastAuditEvent(org.id))?.changes).toEqual({ assigneeId: [analyst.id, null] });
    });

    it("answers 404 for another organization's event, and for an unknown id", async () => {
      for (const token of [other.owner.token]) {
        expect((await call('GET', `/api/v1/security/events/${eventId}`, token)).json().error.code).toBe(
          'SECURITY_EVENT_NOT_FOUND',
        );
        const res = await patch(token, { status: 'resolved' });
        expect(res.statusCode).toBe(404);
      }
      expect((await call('GET', `/api/v1/security/events/${MISSING_ID}`, org.owner.token)).statusCode).toBe(
        404,
      );
      expect((await call('GET', '/api/v1/security/events/not-a-uuid', org.owner.token)).statusCode).toBe(400);
      const otherList = (await call('GET', '/api/v1/security/events', other.owner.token)).json();
      expect(otherList.events).toEqual([]);
    });

    it('needs security:read to read and security:manage to triage', async () => {
      for (const url of ['/api/v1/security/events', `/api/v1/security/events/${eventId}`]) {
        const res = await call('GET', url, auditor.token);
        expect(res.statusCode).toBe(403);
        expect(res.json().error.details).toEqual({ permission: 'security:read' });
      }
      const res = await patch(auditor.token, { status: 'acknowledged' });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.details).toEqual({ permission: 'security:manage' });
      expect((await app.inject({ method: 'GET', url: '/api/v1/security/events' })).statusCode).toBe(401);
    });

    it('never folds a detection into an event closed since it was found (a new one opens)', async () => {
      const settings = { ...(await threats.settings.settingsFor(org.id)), responses: [] };
      const key = { dedupKey: `closing:${newId()}`, userId: null };
      const first = await threats.events.recordDetection(detection(org.id, key), settings);
      await t.db
        .updateTable('securityEvents')
        .set({ status: 'resolved' })
        .where('id', '=', first.event.id)
        .execute();
      const row = await store.findEvent(t.db, org.id, first.event.id);
      if (!row) throw new Error('event missing');
      // What a fold that found the event open just before the resolve would now run.
      const folded = await store.foldIntoEvent(t.db, org.id, first.event.id, {
        occurrences: 1,
        severity: 'critical',
        subjectLabel: null,
        sourceIp: null,
        country: null,
        explanation: 'late',
        details: {},
        at: nowIso(),
      });
      expect(folded).toBe(false);
      expect(await store.findEvent(t.db, org.id, first.event.id)).toMatchObject({
        status: 'resolved',
        count: 1,
      });
      const next = await threats.events.recordDetection(detection(org.id, key), settings);
      expect(next.created).toBe(true);
    });

    it.runIf(backend === 'postgres')(
      'triage waits for a detection folding into the event at that moment (PostgreSQL)',
      async () => {
        const settings = { ...(await threats.settings.settingsFor(org.id)), responses: [] };
        const dedupKey = `race:${newId()}`;
        const first = await threats.events.recordDetection(detection(org.id, { dedupKey }), settings);
        const lockKey = `custos:threat:${org.id}:${dedupKey}`;
        /** Whether a transaction holds (granted) or waits for (not granted) the key's advisory lock. */
        const lockStates = async () => {
          const { rows } = await sql<{ granted: boolean }>`
            select l.granted from pg_locks l
            where l.locktype = 'advisory' and l.objsubid = 1
              and l.classid::bigint = ((hashtextextended(${lockKey}, 0) >> 32) & 4294967295)
              and l.objid::bigint = (hashtextextended(${lockKey}, 0) & 4294967295)`.execute(t.db);
          return rows.map((r) => r.granted);
        };
        let release: () => void = () => {};
        const gate = new Promise<void>((resolve) => {
          release = resolve;
        });
        const raiser = createRaiser(t.deps);
        // A detection of the same key, in its transaction, holding the key's lock.
        const folding = t.db.transaction().execute(async (trx) => {
          await store.lockDedupKey(trx, 'postgres', org.id, dedupKey);
          await gate;
          return raiser.raiseDetection(trx, detection(org.id, { dedupKey }), nowIso());
        });
        let triage: Promise<SecurityEventOut> | null = null;
        try {
          await eventuallyAsync(async () => (await lockStates()).includes(true));
          triage = threats.events.update(await ownerCaller(org), first.event.id, { status: 'resolved' });
          // The triage queues behind the fold rather than closing the event under it. (Bounded, so
          // that without the lock the test fails here instead of leaving the fold's transaction open.)
          expect(await reached(async () => (await lockStates()).includes(false))).toBe(true);
        } finally {
          release();
        }
        expect((await folding).created).toBe(false);
        expect(await triage).toMatchObject({ status: 'resolved', count: 2 });
        const after = await threats.events.recordDetection(detection(org.id, { dedupKey }), settings);
        expect(after.created).toBe(true);
      },
    );
  });

  describe('settings', () => {
    let org: TestOrg;
    let other: TestOrg;
    let auditor: { token: string };

    beforeAll(async () => {
      org = await t.createOrganization('Settings Co');
      other = await t.createOrganization('Other Settings Co');
      auditor = await t.addMember(org, ['auditor']);
    });

    it('answers the defaults and the catalog', async () => {
      const res = await call('GET', '/api/v1/security/settings', org.owner.token);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.updatedAt).toBeNull();
      expect(body.detectors.brute_force_account).toMatchObject({
        enabled: true,
        thresholds: { failures: 10 },
      });
      expect(body.catalog.length).toBeGreaterThan(5);
      expect(body.responses.length).toBeGreaterThan(0);
    });

    it('refuses bad thresholds with the problems, and stores a valid change, audited', async () => {
      const bad = await call('PUT', '/api/v1/security/settings', org.owner.token, {
        detectors: {
          brute_force_account: { enabled: true, severity: 'high', thresholds: { failures: 0, nope: 3 } },
        },
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.code).toBe('THREAT_SETTINGS_INVALID');
      expect(bad.json().error.details.problems).toHaveLength(2);
      const unknownDetector = await call('PUT', '/api/v1/security/settings', org.owner.token, {
        detectors: { made_up: { enabled: true, severity: 'high', thresholds: {} } },
      });
      expect(unknownDetector.statusCode).toBe(400);
      // Issue 14: the audit trail's own tamper alarm is not a detector anyone can switch off.
      const silenced = await call('PUT', '/api/v1/security/settings', org.owner.token, {
        detectors: { audit_tampering: { enabled: false, severity: 'low', thresholds: {} } },
      });
      expect(silenced.statusCode).toBe(400);
      expect(JSON.stringify(silenced.json().error.details.problems)).toContain('cannot be switched off');
      const oneShotDuration = await call('PUT', '/api/v1/security/settings', org.owner.token, {
        responses: [
          { detector: '*', minSeverity: 'high', actions: [{ kind: 'notify_user', durationMinutes: 5 }] },
        ],
      });
      expect(oneShotDuration.json().error.code).toBe('THREAT_SETTINGS_INVALID');

      const ok = await call('PUT', '/api/v1/security/settings', org.owner.token, {
        detectors: {
          brute_force_account: { enabled: true, severity: 'critical', thresholds: { failures: 3 } },
        },
        responses: [{ detector: 'brute_force_ip', minSeverity: 'low', actions: [{ kind: 'block_ip' }] }],
      });
      expect(ok.statusCode).toBe(200);
      expect(ok.json().detectors.brute_force_account).toEqual({
        enabled: true,
        severity: 'critical',
        thresholds: { failures: 3, mfaFailures: 5, windowMinutes: 15 },
      });
      expect(ok.json().updatedAt).toEqual(
        expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      );
      const audited = await t.lastAuditEvent(org.id);
      expect(audited?.action).toBe('threat_settings.updated');
      expect(Object.keys(audited?.changes ?? {}).sort()).toEqual([
        'detectors.brute_force_account',
        'responses',
      ]);
      // The pipeline's view follows at once in this process.
      const resolved = await threats.settings.settingsFor(org.id);
      expect(resolved.detectors.brute_force_account.thresholds.failures).toBe(3);
      expect(resolved.responses).toEqual([
        { detector: 'brute_force_ip', minSeverity: 'low', actions: [{ kind: 'block_ip' }] },
      ]);
      // A later change to one detector keeps the others.
      await call('PUT', '/api/v1/security/settings', org.owner.token, {
        detectors: { off_hours: { enabled: false, severity: 'low', thresholds: {} } },
      });
      const after = (await call('GET', '/api/v1/security/settings', org.owner.token)).json();
      expect(after.detectors.brute_force_account.severity).toBe('critical');
      expect(after.detectors.off_hours.enabled).toBe(false);
      expect(after.responses).toHaveLength(1);
      // Another organization still has the defaults.
      const others = (await call('GET', '/api/v1/security/settings', other.owner.token)).json();
      expect(others.detectors.brute_force_account.severity).toBe('high');
    });

    it('needs a recent step-up and security:manage to change, security:read to see', async () => {
      const token = await t.signIn(org.owner.email);
      await t.expireStepUp(token);
      const res = await call('PUT', '/api/v1/security/settings', token, { responses: [] });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('STEP_UP_REQUIRED');
      expect(
        (await call('PUT', '/api/v1/security/settings', auditor.token, { responses: [] })).statusCode,
      ).toBe(403);
      expect((await call('GET', '/api/v1/security/settings', auditor.token)).statusCode).toBe(403);
    });
  });

  describe('automatic responses', () => {
    let org: TestOrg;
    let member: { id: string };

    beforeAll(async () => {
      org = await t.createOrganization('Respond Co');
      member = await t.addMember(org, ['member']);
    });

    it('locks the account (untrusted origins) and tells the user after commit on brute force', async () => {
      recorded.calls.length = 0;
      const settings = await threats.settings.settingsFor(org.id);
      const raised = await threats.events.recordDetection(
        detection(org.id, { userId: member.id, dedupKey: `bfa:${member.id}`, sourceIp: ATTACKER }),
        settings,
      );
      const rows = await responsesOf(org.id);
      const lock = rows.find((r) => r.kind === 'lock_account');
      expect(lock).toMatchObject({ userId: member.id, scope: 'untrusted', securityEventId: raised.event.id });
      const minutes = (Date.parse(lock?.expiresAt ?? '') - Date.parse(lock?.createdAt ?? '')) / 60_000;
      expect(minutes).toBe(15);
      expect(rows.find((r) => r.kind === 'notify_user')).toMatchObject({
        userId: member.id,
        expiresAt: null,
      });
      await eventually(() => recorded.calls.some((c) => c.effect === 'notifyUser'));
      expect(recorded.calls).toContainEqual({
        effect: 'notifyUser',
        organizationId: org.id,
        userId: member.id,
        committed: true,
      });
      const applied = (await t.auditEvents(org.id)).filter((e) => e.action === 'threat_response.applied');
      expect(applied.map((e) => e.metadata?.kind).sort()).toEqual(['lock_account', 'notify_user']);
      expect(alerts.of('response', 'applied').filter((c) => c.organizationId === org.id)).toHaveLength(2);
      const detail = (
        await call('GET', `/api/v1/security/events/${raised.event.id}`, org.owner.token)
      ).json();
      expect(detail.responses.map((r: { kind: string; state: string }) => [r.kind, r.state]).sort()).toEqual([
        ['lock_account', 'active'],
        ['notify_user', 'done'],
      ]);
      expect(detail.timeline.filter((a: { kind: string }) => a.kind === 'response_applied')).toHaveLength(2);

      // A repeat at the same severity runs nothing again.
      await threats.events.recordDetection(
        detection(org.id, { userId: member.id, dedupKey: `bfa:${member.id}` }),
        settings,
      );
      expect(await responsesOf(org.id)).toHaveLength(2);
    });

    it('extends an identical lock in force rather than stacking a second', async () => {
      const settings = await threats.settings.settingsFor(org.id);
      const [before] = (await responsesOf(org.id)).filter((r) => r.kind === 'lock_account');
      // A new attack (new key) against the same account.
      await threats.events.recordDetection(
        detection(org.id, { userId: member.id, dedupKey: `bfa2:${member.id}`, type: 'password_spraying' }),
        settings,
      );
      const locks = (await responsesOf(org.id)).filter((r) => r.kind === 'lock_account');
      expect(locks).toHaveLength(1);
      expect((locks[0]?.expiresAt ?? '') > (before?.expiresAt ?? '')).toBe(true);
    });

    it('blocks the source IP, normalised, and tells the IP guard', async () => {
      recorded.calls.length = 0;
      const settings = await threats.settings.settingsFor(org.id);
      await threats.events.recordDetection(
        detection(org.id, {
          type: 'brute_force_ip',
          severity: 'medium',
          dedupKey: 'bfi:198.51.100.99',
          subject: { type: 'ip', id: '198.51.100.99', label: '198.51.100.99' },
          sourceIp: '::ffff:198.51.100.99',
          userId: null,
        }),
        settings,
      );
      const block = (await responsesOf(org.id)).find((r) => r.kind === 'block_ip');
      expect(block).toMatchObject({ ip: '198.51.100.99', userId: null });
      expect(recorded.calls).toContainEqual({ effect: 'ipBlocksChanged', organizationId: org.id });
      expect(await listActiveIpBlocks(t.db, org.id, nowIso())).toEqual([
        { ip: '198.51.100.99', expiresAt: block?.expiresAt },
      ]);
    });

    it('ends sessions and locks every origin on account takeover; step-up on the rules that ask', async () => {
      recorded.calls.length = 0;
      const settings = await threats.settings.settingsFor(org.id);
      await threats.events.recordDetection(
        detection(org.id, {
          type: 'account_takeover',
          severity: 'critical',
          userId: member.id,
          dedupKey: 'ato:1',
        }),
        settings,
      );
      expect(recorded.calls.map((c) => c.effect)).toContain('endSessions');
      const rows = await responsesOf(org.id);
      expect(rows.find((r) => r.kind === 'end_sessions')).toMatchObject({ userId: member.id });
      expect(rows.find((r) => r.kind === 'lock_account' && r.scope === 'all')).toMatchObject({
        userId: member.id,
      });
      const applied = (await t.auditEvents(org.id)).find(
        (e) => e.action === 'threat_response.applied' && e.metadata?.kind === 'end_sessions',
      );
      expect(applied?.metadata).toMatchObject({ sessionsEnded: 2 });

      await threats.events.recordDetection(
        detection(org.id, {
          type: 'impossible_travel',
          severity: 'high',
          userId: member.id,
          dedupKey: 'travel:1',
        }),
        settings,
      );
      expect(recorded.calls.map((c) => c.effect)).toContain('demandStepUp');
    });

    it('runs the rules a rising severity newly reaches', async () => {
      await threats.settings.update(await ownerCaller(org), {
        responses: [
          { detector: 'data_exfiltration', minSeverity: 'critical', actions: [{ kind: 'end_sessions' }] },
        ],
      });
      const settings = await threats.settings.settingsFor(org.id);
      const key = { type: 'data_exfiltration' as const, userId: member.id, dedupKey: 'exfil:1' };
      await threats.events.recordDetection(detection(org.id, { ...key, severity: 'high' }), settings);
      const count = async () => (await responsesOf(org.id)).filter((r) => r.kind === 'end_sessions').length;
      const before = await count();
      const rose = await threats.events.recordDetection(
        detection(org.id, { ...key, severity: 'critical' }),
        settings,
      );
      expect(rose.severityRose).toBe(true);
      expect(await count()).toBe(before + 1);
    });

    it('raises an event about a user outside the organization but acts on nobody', async () => {
      const stranger = await t.createOrganization('Stranger Co');
      const everything = {
        ...(await threats.settings.settingsFor(org.id)),
        responses: [
          {
            detector: '*' as const,
            minSeverity: 'low' as const,
            actions: [
              { kind: 'lock_account' as const, durationMinutes: 30 },
              { kind: 'end_sessions' as const },
              { kind: 'require_step_up' as const },
              { kind: 'notify_user' as const },
              { kind: 'block_ip' as const, durationMinutes: 30 },
            ],
          },
        ],
      };
      recorded.calls.length = 0;
      const ip = '198.51.100.201';
      // A host app's event may name anyone: here another organization's owner.
      const raised = await threats.events.recordDetection(
        detection(org.id, {
          type: 'data_exfiltration',
          userId: stranger.owner.id,
          subject: { type: 'user', id: stranger.owner.id, label: null },
          dedupKey: `foreign:${stranger.owner.id}`,
          sourceIp: ip,
        }),
        everything,
      );
      expect(raised.created).toBe(true);
      const theirs = (await responsesOf(org.id)).filter((r) => r.securityEventId === raised.event.id);
      expect(theirs.map((r) => r.kind)).toEqual(['block_ip']);
      expect(recorded.calls.map((c) => c.effect)).toEqual(['ipBlocksChanged']);
      expect(await responsesOf(stranger.id)).toEqual([]);
      await threats.pipeline.idle();
      expect(recorded.calls.some((c) => c.effect === 'notifyUser')).toBe(false);

      // The same rules on a member act on them.
      const fresh = await t.addMember(org, ['member']);
      recorded.calls.length = 0;
      const own = await threats.events.recordDetection(
        detection(org.id, {
          type: 'data_exfiltration',
          userId: fresh.id,
          dedupKey: `own:${fresh.id}`,
          sourceIp: '198.51.100.202',
        }),
        everything,
      );
      const ours = (await responsesOf(org.id)).filter((r) => r.securityEventId === own.event.id);
      expect(ours.map((r) => r.kind).sort()).toEqual([
        'block_ip',
        'end_sessions',
        'lock_account',
        'notify_user',
        'require_step_up',
      ]);
      expect(recorded.calls.map((c) => c.effect)).toEqual(
        expect.arrayContaining(['endSessions', 'demandStepUp']),
      );
    });
  });

  describe('responses by hand', () => {
    let org: TestOrg;
    let other: TestOrg;
    let member: { id: string; token: string };
    let admin: { id: string; token: string };
    let auditor: { token: string };

    beforeAll(async () => {
      org = await t.createOrganization('Manual Co');
      other = await t.createOrganization('Other Manual Co');
      member = await t.addMember(org, ['member']);
      admin = await t.addMember(org, ['admin']);
      auditor = await t.addMember(org, ['auditor']);
    });

    const create = (token: string, body: unknown, ip = OFFICE) =>
      call('POST', '/api/v1/security/responses', token, body, ip);

    it('locks a member and blocks an IP, audited; lifts them', async () => {
      recorded.calls.length = 0;
      const lock = await create(org.owner.token, {
        kind: 'lock_account',
        userId: member.id,
        durationMinutes: 60,
      });
      expect(lock.statusCode).toBe(201);
      expect(lock.json()).toMatchObject({
        kind: 'lock_account',
        scope: 'all',
        user: { id: member.id, name: 'Member Person' },
        securityEventId: null,
        state: 'active',
      });
      expect(await t.lastAuditEvent(org.id)).toMatchObject({
        action: 'threat_response.applied',
        actor: { id: org.owner.id },
        targets: [
          { type: 'threat_response', id: lock.json().id },
          { type: 'user', id: member.id },
        ],
      });
      const block = await create(org.owner.token, { kind: 'block_ip', ip: '2001:DB8:0::7' });
      expect(block.statusCode).toBe(201);
      expect(block.json()).toMatchObject({
        kind: 'block_ip',
        ip: '2001:db8::7',
        expiresAt: null,
        state: 'active',
      });
      expect(recorded.calls).toContainEqual({ effect: 'ipBlocksChanged', organizationId: org.id });

      const active = (await call('GET', '/api/v1/security/responses', org.owner.token)).json();
      expect(active.responses.map((r: { id: string }) => r.id).sort()).toEqual(
        [lock.json().id, block.json().id].sort(),
      );

      recorded.calls.length = 0;
      const lifted = await call(
        'POST',
        `/api/v1/security/responses/${block.json().id}/lift`,
        org.owner.token,
      );
      expect(lifted.statusCode).toBe(200);
      expect(lifted.json()).toMatchObject({
        state: 'lifted',
        liftedBy: { id: org.owner.id, name: 'Owner Person' },
      });
      expect(recorded.calls).toContainEqual({ effect: 'ipBlocksChanged', organizationId: org.id });
      expect((await t.lastAuditEvent(org.id))?.action).toBe('threat_response.lifted');
      expect(alerts.of('response', 'lifted').filter((c) => c.organizationId === org.id)).toHaveLength(1);
      const again = await call('POST', `/api/v1/security/responses/${block.json().id}/lift`, org.owner.token);
      expect(again.statusCode).toBe(409);
      expect(again.json().error.code).toBe('RESPONSE_INVALID');

      const stillActive = (await call('GET', '/api/v1/security/responses', org.owner.token)).json();
      expect(stillActive.responses.map((r: { id: string }) => r.id)).toEqual([lock.json().id]);
      const all = (
        await call('GET', '/api/v1/security/responses?state=all&kind=block_ip', org.owner.token)
      ).json();
      expect(all.responses.map((r: { state: string }) => r.state)).toEqual(['lifted']);
    });

    it('refuses locking yourself, blocking your own address, and bad input', async () => {
      const self = await create(org.owner.token, { kind: 'lock_account', userId: org.owner.id });
      expect(self.statusCode).toBe(409);
      expect(self.json().error).toMatchObject({
        code: 'RESPONSE_INVALID',
        message: expect.stringContaining('your own'),
      });
      const ownIp = await create(org.owner.token, { kind: 'block_ip', ip: OFFICE }, OFFICE);
      expect(ownIp.statusCode).toBe(409);
      expect(ownIp.json().error.message).toContain('calling from');
      const ownIpMapped = await create(org.owner.token, { kind: 'block_ip', ip: `::ffff:${OFFICE}` }, OFFICE);
      expect(ownIpMapped.statusCode).toBe(409);
      for (const ip of ['not-an-ip', '10.0.0.0/8', '0x7f.1.1.1', '1.2.3']) {
        const res = await create(org.owner.token, { kind: 'block_ip', ip });
        expect(res.statusCode).toBe(400);
        expect(res.json().error.code).toBe('RESPONSE_INVALID');
      }
      expect((await create(org.owner.token, { kind: 'lock_account' })).json().error.code).toBe(
        'RESPONSE_INVALID',
      );
      expect((await create(org.owner.token, { kind: 'end_sessions', userId: member.id })).statusCode).toBe(
        400,
      );
      expect(
        (await create(org.owner.token, { kind: 'block_ip', ip: '192.0.2.5', extra: 1 })).statusCode,
      ).toBe(400);
    });

    it("refuses another organization's member and response (404), and an admin locking an owner", async () => {
      const foreign = await create(org.owner.token, { kind: 'lock_account', userId: other.owner.id });
      expect(foreign.statusCode).toBe(404);
      expect((await create(org.owner.token, { kind: 'lock_account', userId: MISSING_ID })).statusCode).toBe(
        404,
      );
      const theirs = await create(other.owner.token, { kind: 'block_ip', ip: '192.0.2.77' });
      expect(theirs.statusCode).toBe(201);
      const lift = await call('POST', `/api/v1/security/responses/${theirs.json().id}/lift`, org.owner.token);
      expect(lift.statusCode).toBe(404);
      expect(lift.json().error.code).toBe('RESPONSE_NOT_FOUND');
      const list = (await call('GET', '/api/v1/security/responses?state=all', org.owner.token)).json();
      expect(list.responses.map((r: { id: string }) => r.id)).not.toContain(theirs.json().id);
      const ownerLock = await create(admin.token, { kind: 'lock_account', userId: org.owner.id });
      expect(ownerLock.statusCode).toBe(403);
      expect(ownerLock.json().error.code).toBe('OWNER_REQUIRED');
    });

    it('nobody lifts a lock on their own account', async () => {
      const lock = await create(org.owner.token, {
        kind: 'lock_account',
        userId: admin.id,
        scope: 'untrusted',
      });
      expect(lock.statusCode).toBe(201);
      const res = await call('POST', `/api/v1/security/responses/${lock.json().id}/lift`, admin.token);
      expect(res.statusCode).toBe(409);
      expect(
        (await call('POST', `/api/v1/security/responses/${lock.json().id}/lift`, org.owner.token)).statusCode,
      ).toBe(200);
    });

    it('needs security:manage and a step-up to create, security:read to list', async () => {
      expect((await create(auditor.token, { kind: 'block_ip', ip: '192.0.2.9' })).statusCode).toBe(403);
      expect((await call('GET', '/api/v1/security/responses', auditor.token)).statusCode).toBe(403);
      const [someResponse] = await responsesOf(org.id);
      expect(
        (await call('POST', `/api/v1/security/responses/${someResponse?.id}/lift`, auditor.token)).statusCode,
      ).toBe(403);
      const token = await t.signIn(org.owner.email);
      const toLift = await create(token, { kind: 'block_ip', ip: '192.0.2.10' });
      expect(toLift.statusCode).toBe(201);
      await t.expireStepUp(token);
      const res = await create(token, { kind: 'block_ip', ip: '192.0.2.9' });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('STEP_UP_REQUIRED');
      // Lifting lets someone back in: it asks for the same step-up.
      const lift = await call('POST', `/api/v1/security/responses/${toLift.json().id}/lift`, token);
      expect(lift.statusCode).toBe(403);
      expect(lift.json().error.code).toBe('STEP_UP_REQUIRED');
      const [row] = (await responsesOf(org.id)).filter((r) => r.id === toLift.json().id);
      expect(row?.liftedAt).toBeNull();
    });

    it('a lock of every origin ends the member’s sessions in the organization; an untrusted-only lock does not', async () => {
      const target = await t.addMember(org, ['member']);
      recorded.calls.length = 0;
      const untrusted = await create(org.owner.token, {
        kind: 'lock_account',
        userId: target.id,
        scope: 'untrusted',
      });
      expect(untrusted.statusCode).toBe(201);
      expect(recorded.calls.filter((c) => c.effect === 'endSessions')).toEqual([]);
      const all = await create(org.owner.token, { kind: 'lock_account', userId: target.id, scope: 'all' });
      expect(all.statusCode).toBe(201);
      expect(recorded.calls).toContainEqual({
        effect: 'endSessions',
        organizationId: org.id,
        userId: target.id,
      });
      expect(await t.lastAuditEvent(org.id)).toMatchObject({
        action: 'threat_response.applied',
        metadata: { kind: 'lock_account', scope: 'all', sessionsEnded: 2 },
      });

      // With the real effects: the member's live session stops working at once.
      const real = createThreatsModule({
        ...t.deps,
        effects: createResponseEffects({ ...t.deps, outbox: t.services.outbox }),
        alerts,
        engine: scripted.engine,
        accessPolicies: t.services.accessPolicies,
      });
      const meta = { ip: OFFICE, userAgent: null, requestId: null, source: 'api' as const };
      const victim = await t.addMember(org, ['member']);
      await real.responses.create(await ownerCaller(org), {
        kind: 'lock_account',
        userId: victim.id,
        scope: 'untrusted',
      });
      expect(await t.services.auth.authenticate(victim.token, meta)).not.toBeNull();
      await real.responses.create(await ownerCaller(org), {
        kind: 'lock_account',
        userId: victim.id,
        scope: 'all',
      });
      expect(await t.services.auth.authenticate(victim.token, meta)).toBeNull();
      // Only this organization's sessions: the owner (who placed it) is still in.
      expect(await t.services.auth.authenticate(org.owner.token, meta)).not.toBeNull();
    });

    it('seals the IP in response audit events (applied and lifted), erasable by naming the address', async () => {
      const ip = '192.0.2.123';
      const block = await create(org.owner.token, { kind: 'block_ip', ip });
      expect(block.statusCode).toBe(201);
      const lifted = await call(
        'POST',
        `/api/v1/security/responses/${block.json().id}/lift`,
        org.owner.token,
      );
      expect(lifted.statusCode).toBe(200);
      const raw = await t.db
        .selectFrom('auditEvents')
        .select(['action', 'body', 'searchText'])
        .where('logId', '=', org.id)
        .where('action', 'in', ['threat_response.applied', 'threat_response.lifted'])
        .execute();
      const ours = raw.filter((r) => r.body?.includes(block.json().id));
      expect(ours.map((r) => r.action).sort()).toEqual(['threat_response.applied', 'threat_response.lifted']);
      for (const row of ours) {
        expect(row.body).not.toContain(ip);
        expect(row.searchText ?? '').not.toContain(ip);
      }
      const presented = async () =>
        (await t.auditEvents(org.id)).filter((e) =>
          e.targets.some((target) => target.type === 'threat_response' && target.id === block.json().id),
        );
      expect((await presented()).map((e) => e.metadata?.ip)).toEqual([ip, ip]);
      const erased = await t.inject({
        method: 'POST',
        url: '/api/v1/audit/subjects/erase',
        token: org.owner.token,
        payload: { subject: ip },
      });
      expect(erased.statusCode).toBe(200);
      expect((await presented()).map((e) => e.metadata?.ip)).toEqual(['[erased]', '[erased]']);
    });
  });

  describe('sign-in blocks', () => {
    it('finds locks of the user and blocks of the IP in force in any organization; not expired or lifted ones', async () => {
      const org = await t.createOrganization('Blocks Co');
      const elsewhere = await t.createOrganization('Blocks Elsewhere Co');
      const user = newId();
      const now = nowIso();
      const base = {
        securityEventId: null,
        createdBy: null,
        createdAt: now,
        liftedBy: null,
        liftedByName: null,
      };
      const rows = [
        {
          id: newId(),
          organizationId: org.id,
          kind: 'lock_account',
          scope: 'untrusted',
          userId: user,
          ip: null,
          expiresAt: isoAfter(60_000),
          liftedAt: null,
        },
        {
          id: newId(),
          organizationId: elsewhere.id,
          kind: 'lock_account',
          scope: 'all',
          userId: user,
          ip: null,
          expiresAt: null,
          liftedAt: null,
        },
        {
          id: newId(),
          organizationId: org.id,
          kind: 'lock_account',
          scope: 'all',
          userId: user,
          ip: null,
          expiresAt: isoAfter(-60_000),
          liftedAt: null,
        },
        {
          id: newId(),
          organizationId: org.id,
          kind: 'lock_account',
          scope: 'all',
          userId: user,
          ip: null,
          expiresAt: null,
          liftedAt: now,
        },
        {
          id: newId(),
          organizationId: elsewhere.id,
          kind: 'block_ip',
          scope: null,
          userId: null,
          ip: '192.0.2.200',
          expiresAt: null,
          liftedAt: null,
        },
        {
          id: newId(),
          organizationId: org.id,
          kind: 'block_ip',
          scope: null,
          userId: null,
          ip: '192.0.2.200',
          expiresAt: isoAfter(-1),
          liftedAt: null,
        },
        // a one-shot row of the user is no block
        {
          id: newId(),
          organizationId: org.id,
          kind: 'end_sessions',
          scope: null,
          userId: user,
          ip: null,
          expiresAt: null,
          liftedAt: null,
        },
      ];
      await t.db
        .insertInto('threatResponses')
        .values(rows.map((r) => ({ ...base, ...r })))
        .execute();
      const found = await findSignInBlocks(t.db, { userId: user, ip: '::ffff:192.0.2.200', now: nowIso() });
      expect(found.map((b) => b.id).sort()).toEqual([rows[0]?.id, rows[1]?.id, rows[4]?.id].sort());
      expect(found.find((b) => b.id === rows[0]?.id)).toMatchObject({
        organizationId: org.id,
        kind: 'lock_account',
        scope: 'untrusted',
        userId: user,
        ip: null,
      });
      expect(await findSignInBlocks(t.db, { userId: null, ip: null, now: nowIso() })).toEqual([]);
      expect(await findSignInBlocks(t.db, { userId: null, ip: '192.0.2.200', now: nowIso() })).toHaveLength(
        1,
      );
      expect(await listActiveIpBlocks(t.db, org.id, nowIso())).toEqual([]);
      expect(await listActiveIpBlocks(t.db, elsewhere.id, nowIso())).toEqual([
        { ip: '192.0.2.200', expiresAt: null },
      ]);
    });
  });

  describe('the pipeline', () => {
    it('hears real committed audit events (a failed sign-in) and turns them into signals', async () => {
      const org = await t.createOrganization('Pipeline Co');
      const member = await t.addMember(org, ['member']);
      const unsubscribe = t.services.audit.committed.subscribe((events) => threats.pipeline.handle(events));
      try {
        const res = await t.inject({
          method: 'POST',
          url: '/api/v1/auth/sign-in',
          payload: { email: member.email, password: 'wrong password here', tokenType: 'bearer' },
          remoteAddress: ATTACKER,
        });
        expect(res.statusCode).toBe(401);
        await threats.pipeline.idle();
      } finally {
        unsubscribe();
      }
      const signal = scripted.seen.find((s) => s.kind === 'sign_in_failed' && s.userId === member.id);
      expect(signal).toMatchObject({ ip: ATTACKER, accountKey: `user:${member.id}` });
    });

    it('with the real detectors: repeated failed sign-ins from a network the user once used raise one brute-force event and lock it', async () => {
      const org = await t.createOrganization('Real Engine Co');
      const member = await t.addMember(org, ['member']);
      const real = createThreatsModule({
        ...t.deps,
        effects: recorded.effects,
        alerts,
        engine: createDetectorEngine(new MemoryDetectionState()),
        accessPolicies: t.services.accessPolicies,
      });
      // The member signed in from the shared address once: a familiar IP, weak evidence, whose
      // failures reach the password check and are audit events this test's own pipeline hears
      // (a stranger's would mostly be refused by the delay, and refusals go to the app's pipeline).
      const once = await t.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        payload: { email: member.email, password: PASSWORD, tokenType: 'bearer' },
        remoteAddress: ATTACKER,
      });
      expect(once.statusCode).toBe(200);
      const unsubscribe = t.services.audit.committed.subscribe((events) => real.pipeline.handle(events));
      try {
        for (let i = 0; i < 14; i++) {
          const res = await t.inject({
            method: 'POST',
            url: '/api/v1/auth/sign-in',
            payload: { email: member.email, password: `wrong password ${i}`, tokenType: 'bearer' },
            remoteAddress: ATTACKER,
          });
          // Refused either way: bad password, or (once the app's own wiring reacts) delayed or locked.
          expect([401, 403, 429]).toContain(res.statusCode);
        }
        await real.pipeline.flush();
      } finally {
        unsubscribe();
        await real.pipeline.flush();
      }
      const events = (await eventsOf(org.id)).filter((e) => e.type === 'brute_force_account');
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ subjectId: member.id, status: 'open', sourceIp: ATTACKER });
      expect(real.pipeline.stats.detections).toBeGreaterThanOrEqual(1);
      const locks = (await responsesOf(org.id)).filter((r) => r.kind === 'lock_account');
      expect(locks).toEqual([expect.objectContaining({ userId: member.id, scope: 'untrusted' })]);
      const blocks = await findSignInBlocks(t.db, { userId: member.id, ip: ATTACKER, now: nowIso() });
      expect(blocks.map((b) => b.kind)).toContain('lock_account');
    });

    it('coalesces a burst of one attack into few writes carrying the whole count', async () => {
      let writes = 0;
      let occurrences = 0;
      const pipeline = createThreatPipeline({
        log: t.deps.log,
        engine: scripted.engine,
        settingsFor: async () => ({ ...defaultThreatSettings(), responses: [] }),
        signalContext: { country: () => null, device: () => null, hashEmail: (e) => e },
        async record(_detection, _settings, n) {
          writes += 1;
          occurrences += n;
          // A write takes a while; everything arriving meanwhile waits for the next one.
          await new Promise((resolve) => setTimeout(resolve, 20));
          return { created: writes === 1 };
        },
        coalesceMs: 10,
      });
      scripted.set((s) => bruteForceOf(s));
      const org = newId();
      pipeline.handle(Array.from({ length: 1000 }, () => failedSignIn(org, 'u1')));
      await pipeline.idle();
      expect(occurrences).toBe(1000);
      expect(writes).toBeLessThan(100);
      expect(pipeline.stats).toMatchObject({
        signals: 1000,
        detections: 1000,
        raised: 1,
        repeated: 999,
        dropped: 0,
      });
    });

    it('never throws into the caller, drops beyond its bound, and keeps going after failures', async () => {
      const pipeline = createThreatPipeline({
        log: t.deps.log,
        engine: {
          async process(signal) {
            if (signal.userId === 'boom') throw new Error('detector failed');
            return [];
          },
          async close() {},
        },
        settingsFor: async () => ({ ...defaultThreatSettings(), responses: [] }),
        signalContext: { country: () => null, device: () => null, hashEmail: (e) => e },
        record: async () => ({ created: true }),
        maxPending: 3,
      });
      const org = newId();
      expect(() =>
        pipeline.handle([
          failedSignIn(org, 'boom'),
          failedSignIn(org, 'fine'),
          failedSignIn(org, 'fine'),
          failedSignIn(org, 'fine'),
        ]),
      ).not.toThrow();
      await pipeline.idle();
      expect(pipeline.stats).toMatchObject({ signals: 3, failed: 1, dropped: 1 });
    });
  });

  /** A caller object for the owner, for service calls outside HTTP. */
  async function ownerCaller(org: TestOrg) {
    const caller = await t.services.auth.authenticate(org.owner.token, {
      ip: OFFICE,
      userAgent: null,
      requestId: null,
      source: 'api',
    });
    if (!caller) throw new Error('owner session not found');
    return caller;
  }
});
