import type { SecurityEventDetail, SecurityEventOut } from '@custos/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, type TestApp, type TestOrg } from '../../../test/harness';
import { nowIso } from '../../platform/clock';
import { newId } from '../../platform/crypto/tokens';
import type { GeoIp } from '../../platform/geo/geoip';
import type { CommittedAuditEvent } from '../audit';
import { createDetectorEngine, MemoryDetectionState } from './detect';
import type { Detection, DetectionEvidence } from './detection';
import { createThreatsModule, type ThreatsModule } from './index';
import { sourceTotals, topSourcesOf } from './sources-store';

/**
 * Issue 15: a security event keeps every address its attempts came from, each with its own
 * country; one count reads the same in the count, the explanation and the timeline; evidence
 * carries the facts of each attempt. Detection runs in a module of this file's own (a real
 * detector engine, a GeoIP that knows the test addresses), reading and writing the app's database.
 */

const ATTACKER = '198.51.100.66';
/** The address a later attempt came from, unknown to GeoIP (like 127.0.0.1 in the issue). */
const ELSEWHERE = '192.0.2.77';
const STUFFER = '203.0.113.44';
const COUNTRIES: Record<string, string> = { [ATTACKER]: 'RU', [STUFFER]: 'BR' };
const GEO: GeoIp = { country: (ip) => (ip ? (COUNTRIES[ip] ?? null) : null) };
const CHROME_ON_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36';

/** The detections of this file apply no response: locks and e-mails are other tests' business. */
const NO_EFFECTS = {
  async endSessions(): Promise<number> {
    throw new Error('no response runs in these tests');
  },
  async demandStepUp(): Promise<number> {
    throw new Error('no response runs in these tests');
  },
  async ipBlocksChanged(): Promise<void> {
    throw new Error('no response runs in these tests');
  },
  async notifyUser(): Promise<never> {
    throw new Error('no response runs in these tests');
  },
};

let seq = 5000;
/** A committed failed sign-in, as the audit recorder publishes it to detection. */
function failedSignIn(
  organizationId: string,
  target: { userId: string; name: string } | { email: string },
  ip: string,
): CommittedAuditEvent {
  seq += 1;
  const at = nowIso();
  const known = 'userId' in target;
  return {
    id: newId(),
    organizationId,
    logId: organizationId,
    seq,
    occurredAt: at,
    receivedAt: at,
    actor: known
      ? { type: 'user', id: target.userId, name: target.name, ip, userAgent: CHROME_ON_MAC }
      : { type: 'anonymous', id: null, name: null, ip, userAgent: CHROME_ON_MAC, email: target.email },
    impersonator: null,
    action: 'user.sign_in_failed',
    outcome: 'failure',
    targets: known ? [{ type: 'user', id: target.userId }] : [],
    source: 'console',
    requestId: null,
    changes: null,
    metadata: { reason: known ? 'bad_password' : 'unknown_user' },
    personal: [],
    subjectRef: null,
  };
}

const times = <T>(n: number, make: () => T): T[] => Array.from({ length: n }, make);

describe.each(backends)('security event sources and evidence (%s)', (backend) => {
  let t: TestApp;
  let threats: ThreatsModule;

  beforeAll(async () => {
    t = await createTestApp(backend);
    threats = createThreatsModule({
      ...t.deps,
      geo: GEO,
      effects: NO_EFFECTS,
      alerts: { notify() {} },
      engine: createDetectorEngine(new MemoryDetectionState()),
      accessPolicies: t.services.accessPolicies,
    });
  });
  afterAll(async () => {
    await t.close();
  });

  async function feed(events: CommittedAuditEvent[]): Promise<void> {
    threats.pipeline.handle(events);
    await threats.pipeline.flush();
  }

  /** An organization whose detections respond with nothing. */
  async function quietOrganization(name: string): Promise<TestOrg> {
    const org = await t.createOrganization(name);
    const res = await t.inject({
      method: 'PUT',
      url: '/api/v1/security/settings',
      token: org.owner.token,
      payload: { responses: [] },
    });
    expect(res.statusCode).toBe(200);
    return org;
  }

  async function eventsOf(org: TestOrg, query: string): Promise<SecurityEventOut[]> {
    const res = await t.inject({ url: `/api/v1/security/events?${query}`, token: org.owner.token });
    expect(res.statusCode).toBe(200);
    return res.json().events;
  }

  async function detail(org: TestOrg, id: string): Promise<SecurityEventDetail> {
    const res = await t.inject({ url: `/api/v1/security/events/${id}`, token: org.owner.token });
    expect(res.statusCode).toBe(200);
    return res.json();
  }

  const timelineCounts = (event: SecurityEventDetail) =>
    event.timeline.flatMap((entry) => (typeof entry.data.count === 'number' ? [entry.data.count] : []));

  describe('a brute force that later comes from elsewhere (issue 15)', () => {
    let org: TestOrg;
    let member: { userId: string; name: string };
    let eventId: string;

    beforeAll(async () => {
      org = await quietOrganization('Sources Co');
      const joined = await t.addMember(org, ['member']);
      member = { userId: joined.id, name: 'Member Person' };
      await feed(times(10, () => failedSignIn(org.id, member, ATTACKER)));
      const [event] = await eventsOf(org, `type=brute_force_account&subjectId=${member.userId}`);
      eventId = event?.id ?? '';
    });

    it('opens on the attacker’s address with the attacker’s country, counting the attempts that fired it', async () => {
      const event = await detail(org, eventId);
      expect(event).toMatchObject({ sourceIp: ATTACKER, country: 'RU', count: 10, sourceCount: 1 });
      expect(event.explanation).toMatch(
        /^10 failed sign-ins .*\(threshold 10\)\. In all, 10 attempts, all from /,
      );
      expect(timelineCounts(event)).toEqual([10]);
    });

    it('keeps the attacker first, with RU, when an attempt comes from an address GeoIP does not know', async () => {
      await feed([failedSignIn(org.id, member, ELSEWHERE)]);
      const event = await detail(org, eventId);
      // Never 192.0.2.77 with Russia, never the latest address in place of the attacker's.
      expect(event).toMatchObject({ sourceIp: ATTACKER, country: 'RU', count: 11, sourceCount: 2 });
      expect(event.sources).toEqual([
        expect.objectContaining({ ip: ATTACKER, country: 'RU', attempts: 10 }),
        expect.objectContaining({ ip: ELSEWHERE, country: null, attempts: 1 }),
      ]);
      // One number: the count, the explanation (window and whole) and the timeline's last row.
      expect(event.explanation).toMatch(
        new RegExp(
          `^11 failed sign-ins .* in 15 minutes \\(threshold 10\\)\\. In all, 11 attempts: 10 from ${ATTACKER.replaceAll('.', '\\.')} in .+\\(RU\\) and 1 from 1 other address\\.$`,
        ),
      );
      expect(event.explanation).not.toContain(ELSEWHERE);
      expect(timelineCounts(event)).toEqual([10, 11]);
    });

    it('counts every later attempt once, so sources, evidence and the count add up', async () => {
      await feed(times(3, () => failedSignIn(org.id, member, ATTACKER)));
      const event = await detail(org, eventId);
      expect(event).toMatchObject({ sourceIp: ATTACKER, country: 'RU', count: 14 });
      expect(event.sources?.reduce((sum, s) => sum + s.attempts, 0)).toBe(14);
      expect(event.evidence).toHaveLength(14);
      expect(event.explanation).toContain('In all, 14 attempts: 13 from');
      // The stored row says the same as the API.
      const row = await t.db
        .selectFrom('securityEvents')
        .select(['count', 'sourceIp', 'country'])
        .where('id', '=', eventId)
        .executeTakeFirst();
      expect(row).toEqual({ count: 14, sourceIp: ATTACKER, country: 'RU' });
    });

    it('lists each attempt with its address, that address’s country, device, account, outcome and reason', async () => {
      const event = await detail(org, eventId);
      const elsewhere = event.evidence.find((e) => e.ip === ELSEWHERE);
      expect(elsewhere).toEqual({
        auditEventId: expect.any(String),
        seq: expect.any(Number),
        action: 'user.sign_in_failed',
        occurredAt: expect.any(String),
        ip: ELSEWHERE,
        country: null,
        device: expect.stringMatching(/Chrome/),
        account: { kind: 'user', id: member.userId, name: 'Member Person' },
        outcome: 'failed',
        reason: 'bad_password',
      });
      expect(event.evidence.filter((e) => e.ip === ATTACKER).every((e) => e.country === 'RU')).toBe(true);
    });

    it('the list says the same: the attacker’s address and country, the count, the sources', async () => {
      const [listed] = await eventsOf(org, `type=brute_force_account&subjectId=${member.userId}`);
      expect(listed).toMatchObject({
        id: eventId,
        sourceIp: ATTACKER,
        country: 'RU',
        count: 14,
        sourceCount: 2,
      });
      expect(listed?.sources?.map((s) => s.ip)).toEqual([ATTACKER, ELSEWHERE]);
      // Filtering by an address finds the events any attempt came from it, not only those it started.
      expect((await eventsOf(org, `sourceIp=${ELSEWHERE}`)).map((e) => e.id)).toEqual([eventId]);
      expect(await eventsOf(org, 'sourceIp=192.0.2.250')).toEqual([]);
    });

    it('shows another organization neither the event nor its sources', async () => {
      const other = await quietOrganization('Other Sources Co');
      const res = await t.inject({ url: `/api/v1/security/events/${eventId}`, token: other.owner.token });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('SECURITY_EVENT_NOT_FOUND');
      // The store itself filters by tenant: a guessed event id reads nothing.
      expect((await topSourcesOf(t.db, other.id, [eventId], 10)).get(eventId)).toEqual({
        sources: [],
        sourceCount: 0,
      });
      expect(await eventsOf(other, `type=brute_force_account`)).toEqual([]);
    });
  });

  it('names an address that has no account as such, and never shows the address itself', async () => {
    const org = await quietOrganization('Stuffed Co');
    const emails = times(6, () => t.uniqueEmail('nobody'));
    await feed(emails.map((email) => failedSignIn(org.id, { email }, STUFFER)));
    const [stuffing] = await eventsOf(org, `type=credential_stuffing&subjectId=${STUFFER}`);
    expect(stuffing).toMatchObject({ sourceIp: STUFFER, country: 'BR' });
    const res = await t.inject({ url: `/api/v1/security/events/${stuffing?.id}`, token: org.owner.token });
    const event: SecurityEventDetail = res.json();
    expect(event.evidence.length).toBeGreaterThanOrEqual(5);
    for (const item of event.evidence) {
      expect(item).toMatchObject({
        ip: STUFFER,
        country: 'BR',
        account: { kind: 'unknown_address' },
        outcome: 'failed',
        reason: 'unknown_user',
      });
    }
    for (const email of emails) expect(res.body).not.toContain(email);
    expect(event.count).toBe(event.evidence.length);
    expect(event.explanation).toContain(`In all, ${event.count} attempts, all from ${STUFFER} in`);
  });

  it('lists the top 10 sources by attempts with the total, and keeps the first address as the event’s', async () => {
    const org = await quietOrganization('Botnet Co');
    const settings = await threats.settings.settingsFor(org.id);
    // 12 addresses: 192.0.2.1 comes first with one attempt; 192.0.2.12 makes the most (12).
    const evidence: DetectionEvidence[] = [];
    const start = Date.now() - 60_000;
    for (let i = 1; i <= 12; i++) {
      for (let n = 0; n < i; n++) {
        seq += 1;
        evidence.push({
          auditEventId: newId(),
          seq,
          action: 'user.sign_in_failed',
          occurredAt: new Date(start + i * 1000 + n).toISOString(),
          ip: `192.0.2.${i}`,
          country: i % 2 === 0 ? 'DE' : null,
          device: null,
          account: { kind: 'user', id: 'u1', name: 'Sprayed Person' },
          outcome: 'failed',
          reason: 'bad_password',
        });
      }
    }
    const detection: Detection = {
      type: 'password_spraying',
      severity: 'high',
      organizationId: org.id,
      dedupKey: `password_spraying:user:${newId()}`,
      subject: { type: 'user', id: 'u1', label: 'Sprayed Person' },
      sourceIp: '192.0.2.12',
      country: 'DE',
      explanation:
        'Sign-ins for Sprayed Person failed from 12 distinct IPs in 1 hour (threshold 5), latest from 192.0.2.12.',
      details: { observed: 12, threshold: 5, windowMinutes: 60 },
      // Newest first, as detections list evidence.
      evidence: [...evidence].reverse(),
      userId: null,
    };
    const { event } = await threats.events.recordDetection(detection, { ...settings, responses: [] });
    expect(event).toMatchObject({ sourceIp: '192.0.2.1', country: null, count: 78, sourceCount: 12 });
    expect(event.sources?.map((s) => [s.ip, s.attempts])).toEqual(
      Array.from({ length: 10 }, (_, k) => [`192.0.2.${12 - k}`, 12 - k]),
    );
    expect(event.sources?.find((s) => s.ip === '192.0.2.12')?.country).toBe('DE');
    expect(event.explanation).toBe(
      'Sign-ins for Sprayed Person failed from 12 distinct IPs in 1 hour (threshold 5). ' +
        'In all, 78 attempts: 1 from 192.0.2.1 (country unknown) and 77 from 11 other addresses.',
    );
    const stored = await detail(org, event.id);
    // Evidence stays bounded (the newest 100); the count and the sources keep every attempt.
    expect(stored.evidence).toHaveLength(78);
    expect(stored.sourceCount).toBe(12);

    // The same attempts listed again (a detection repeating its window) count once; a new one counts.
    const again = await threats.events.recordDetection(
      { ...detection, evidence: detection.evidence.slice(0, 20) },
      { ...settings, responses: [] },
    );
    expect(again.event).toMatchObject({ count: 78, sourceIp: '192.0.2.1' });
    seq += 1;
    const newest = detection.evidence[0];
    if (!newest) throw new Error('no evidence');
    const fresh: DetectionEvidence = {
      ...newest,
      auditEventId: newId(),
      seq,
      occurredAt: new Date().toISOString(),
    };
    const more = await threats.events.recordDetection(
      { ...detection, evidence: [fresh, ...detection.evidence.slice(0, 19)] },
      { ...settings, responses: [] },
    );
    expect(more.event.count).toBe(79);
    expect(await sourceTotals(t.db, org.id, event.id)).toEqual({ addresses: 12, attempts: 79 });
    expect(more.event.sources?.[0]).toMatchObject({ ip: '192.0.2.12', attempts: 13 });
  });
});
