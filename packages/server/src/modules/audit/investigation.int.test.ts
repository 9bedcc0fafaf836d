import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backends,
  createTestApp,
  PASSWORD,
  type TestApp,
  type TestOrg,
  type TestUser,
} from '../../../test/harness';
import { SESSION_COOKIE } from '../../platform/http/session-cookies';
import { signalOf } from '../threats/signal';
import type { CommittedAuditEvent } from './committed';

/**
 * Issue 17, audit investigation: an IP, an e-mail or a member's name typed into search finds their
 * events; targets carry their member's name; step-up prompts are not denials; sources say how the
 * request came; and the reader's own searches can be left out.
 */
describe.each(backends)('audit investigation (%s)', (backend) => {
  let t: TestApp;
  let org: TestOrg;
  let other: TestOrg;
  let writer: string;
  let member: TestUser;
  /** The target of the owner's role change. */
  let promoted: TestUser;
  let auditor: TestUser;
  let outsider: TestUser;

  type Events = {
    events: Array<{
      action: string;
      actor: { id: string | null };
      targets: Target[];
      metadata: Record<string, unknown> | null;
    }>;
  };
  type Target = { type: string; id: string; name?: string; displayName?: string };
  const search = async (query: string, token = org.owner.token) => {
    const res = await t.inject({ url: `/api/v1/audit/events?${query}`, token });
    expect(res.statusCode, `${query}: ${res.body}`).toBe(200);
    return (res.json() as Events).events;
  };
  const actions = async (query: string, token?: string) => (await search(query, token)).map((e) => e.action);
  /** Full text, leaving out the earlier searches, whose recorded filters hold the same words. */
  const q = (text: string) => `q=${encodeURIComponent(text)}&hideOwnReads=true`;

  beforeAll(async () => {
    t = await createTestApp(backend);
    org = await t.createOrganization('Investigation Co');
    other = await t.createOrganization('Investigation Other');
    member = await t.addMember(org, ['member']);
    promoted = await t.addMember(org, ['member']);
    auditor = await t.addMember(org, ['auditor']);
    outsider = await t.addMember(other, ['member']);
    const key = await t.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      token: org.owner.token,
      payload: { name: 'host app', permissions: ['audit:write', 'audit:read'] },
    });
    writer = key.json().secret;
    const sent = await t.inject({
      method: 'POST',
      url: '/api/v1/audit/events/batch',
      token: writer,
      payload: {
        events: [
          { action: 'doc.opened', actor: { type: 'user', id: 'h-1', name: 'Ada Lovelace', ip: '10.1.2.3' } },
          { action: 'doc.opened', actor: { type: 'user', id: 'h-2', name: 'Bob Stone', ip: '10.1.9.9' } },
          { action: 'doc.shared', actor: { type: 'user', id: 'h-3', name: 'Cy Twombly', ip: '2001:db8::5' } },
          {
            action: 'doc.exported',
            actor: { type: 'user', id: 'h-4', name: 'Dan Brown', email: 'dan@example.com', ip: '192.0.2.1' },
          },
          // An address in non-personal metadata is text, found by its words as before.
          {
            action: 'firewall.noted',
            actor: { type: 'service', id: 'fw' },
            metadata: { blocked: '203.0.113.50' },
          },
          // A host app naming another organization's user as target: never given that user's name.
          {
            action: 'doc.granted',
            actor: { type: 'service', id: 'fw' },
            targets: [{ type: 'user', id: outsider.id }],
          },
          {
            action: 'doc.granted',
            actor: { type: 'service', id: 'fw' },
            targets: [{ type: 'user', id: promoted.id, name: 'Recorded Name' }],
          },
          // The organization itself by id, and another organization by its id: only ours is named.
          {
            action: 'doc.moved',
            actor: { type: 'service', id: 'fw' },
            targets: [
              { type: 'organization', id: org.id },
              { type: 'organization', id: other.id },
            ],
          },
        ],
      },
    });
    expect(sent.statusCode).toBe(201);
    // The member is the target (not the actor) of the owner's role change.
    const changed = await t.inject({
      method: 'PATCH',
      url: `/api/v1/members/${promoted.id}`,
      token: org.owner.token,
      payload: { roles: ['member', 'auditor'] },
    });
    expect(changed.statusCode, changed.body).toBe(200);
  });
  afterAll(() => t.close());

  describe('full text matches IPs', () => {
    it("finds an address or block typed into search through the actor's sealed IP", async () => {
      expect(await actions(q('10.1.2.3'))).toEqual(['doc.opened']);
      expect(await actions(`${q('10.1.0.0/16')}&action=doc.*`)).toEqual(['doc.opened', 'doc.opened']);
      expect(await actions(q('2001:db8::/32'))).toEqual(['doc.shared']);
      expect(await actions(q('[2001:db8::5]'))).toEqual(['doc.shared']);
      // The same as the IP filter.
      expect(await actions(q('10.1.0.0/16'))).toEqual(await actions('ip=10.1.0.0/16'));
    });

    it('combines an address with words: every token must match', async () => {
      expect((await search(q('Lovelace 10.1.0.0/16'))).map((e) => e.actor.id)).toEqual(['h-1']);
      expect((await search(q('Stone 10.1.0.0/16'))).map((e) => e.actor.id)).toEqual(['h-2']);
      expect(await actions(q('Stone 2001:db8::/32'))).toEqual([]);
    });

    it('still finds an address written in metadata', async () => {
      expect(await actions(q('203.0.113.50'))).toEqual(['firewall.noted']);
    });

    it('keeps query syntax out, and another tenant sees none of it', async () => {
      for (const text of [
        '") OR 1=1 --',
        "10.1.2.3' OR '1'='1",
        '10.0.0.0/8 :* & !',
        '*',
        '2001:db8::/999',
      ]) {
        const res = await t.inject({ url: `/api/v1/audit/events?${q(text)}`, token: org.owner.token });
        expect(res.statusCode, text).toBe(200);
      }
      expect(await actions(q('10.1.0.0/16'), other.owner.token)).toEqual([]);
      expect(await actions(q('dan@example.com'), other.owner.token)).toEqual([]);
    });
  });

  describe('full text matches e-mails and members', () => {
    it("finds a host app's actor by e-mail", async () => {
      expect(await actions(q('dan@example.com'))).toEqual(['doc.exported']);
      expect(await actions(q('DAN@example.com'))).toEqual(['doc.exported']);
      expect(await actions(q('dan'))).toEqual(['doc.exported']);
    });

    it("finds a member's events by their e-mail, as actor, as target, or in a sealed field", async () => {
      const found = await search(q(promoted.email));
      const foundActions = found.map((e) => e.action);
      expect(foundActions).toContain('member.role_changed');
      expect(foundActions).toContain('invitation.accepted');
      // The invitation sent to the address seals it: found through the blind index (blind-index.ts).
      expect(foundActions).toContain('invitation.sent');
      for (const event of found) {
        const involved =
          event.actor.id === promoted.id ||
          event.targets.some((x) => x.id === promoted.id) ||
          event.metadata?.email === promoted.email;
        expect(involved, event.action).toBe(true);
      }
      // By name too (words of it), as the target of the owner's change.
      expect(await actions(`${q('member person')}&action=member.role_changed`)).toEqual([
        'member.role_changed',
      ]);
    });

    it("never resolves another organization's member", async () => {
      expect(await actions(q(outsider.email))).toEqual([]);
      expect(await actions(q(promoted.email), other.owner.token)).toEqual([]);
    });
  });

  describe('target names', () => {
    it('names a member target the event recorded without a name, for display only', async () => {
      const [changed] = await search('action=member.role_changed');
      expect(changed?.targets).toEqual(
        expect.arrayContaining([{ type: 'user', id: promoted.id, displayName: 'Member Person' }]),
      );
      const granted = await search('action=doc.granted');
      const targets = granted.flatMap((e) => e.targets);
      // A recorded name stays as recorded; another organization's user is not named.
      expect(targets).toEqual(
        expect.arrayContaining([
          { type: 'user', id: promoted.id, name: 'Recorded Name' },
          { type: 'user', id: outsider.id },
        ]),
      );
    });

    it('names this organization when a target, never another one', async () => {
      const [moved] = await search('action=doc.moved');
      expect(moved?.targets).toEqual([
        { type: 'organization', id: org.id, displayName: 'Investigation Co' },
        { type: 'organization', id: other.id },
      ]);
    });

    it('names targets in the single-event view as well', async () => {
      const [changed] = (
        await t.inject({ url: '/api/v1/audit/events?action=member.role_changed', token: org.owner.token })
      ).json().events;
      const res = await t.inject({ url: `/api/v1/audit/events/${changed.id}`, token: org.owner.token });
      expect(res.json().event.targets).toEqual(
        expect.arrayContaining([{ type: 'user', id: promoted.id, displayName: 'Member Person' }]),
      );
      // Another tenant's event id is a 404 as before.
      const elsewhere = await t.inject({
        url: `/api/v1/audit/events/${changed.id}`,
        token: other.owner.token,
      });
      expect(elsewhere.statusCode).toBe(404);
    });
  });

  describe('hideOwnReads', () => {
    it("leaves out the caller's own searches and views, not anyone else's", async () => {
      await search('action=doc.*', auditor.token);
      await search('action=doc.*');
      const [event] = await search('action=doc.shared');
      await t.inject({
        url: `/api/v1/audit/events/${(event as unknown as { id: string }).id}`,
        token: org.owner.token,
      });
      const reads = async (query: string) =>
        (await search(`action=audit.*&${query}`)).filter((e) =>
          ['audit.searched', 'audit.event_viewed'].includes(e.action),
        );
      const all = await reads('');
      expect(all.some((e) => e.actor.id === org.owner.id)).toBe(true);
      const hidden = await reads('hideOwnReads=true');
      expect(hidden.some((e) => e.actor.id === org.owner.id)).toBe(false);
      expect(hidden.some((e) => e.actor.id === auditor.id)).toBe(true);
      expect((await reads('hideOwnReads=false')).length).toBeGreaterThan(hidden.length);
      // The search itself is still recorded, with the filter.
      expect(await t.lastAuditEvent(org.id)).toMatchObject({
        action: 'audit.searched',
        metadata: { query: { hideOwnReads: 'false' } },
      });
    });

    it("works for an API key's own reads, and in the live tail's and the export's filters", async () => {
      await search('action=doc.*', writer);
      const keyReads = (await search('action=audit.searched&hideOwnReads=true', writer)).filter(
        (e) => e.actor.id !== null && e.actor.id !== org.owner.id && e.actor.id !== auditor.id,
      );
      expect(keyReads).toEqual([]);
      const exported = await t.inject({
        url: '/api/v1/audit/export?action=audit.searched&hideOwnReads=true&format=jsonl',
        token: org.owner.token,
      });
      expect(exported.statusCode, exported.body).toBe(200);
      const events = exported.body
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { type: string; event?: { actor: { id: string } } })
        .filter((line) => line.type === 'event');
      expect(events.length).toBeGreaterThan(0);
      expect(events.some((line) => line.event?.actor.id === org.owner.id)).toBe(false);
    });

    it('refuses a value that is not true or false, and needs audit:read', async () => {
      for (const value of ['yes', '1', '']) {
        const res = await t.inject({
          url: `/api/v1/audit/events?hideOwnReads=${value}`,
          token: org.owner.token,
        });
        expect(res.statusCode, value).toBe(400);
        expect(res.json().error.code).toBe('VALIDATION_FAILED');
      }
      const denied = await t.inject({ url: '/api/v1/audit/events?hideOwnReads=true', token: member.token });
      expect(denied.statusCode).toBe(403);
      expect((await t.inject({ url: '/api/v1/audit/events?hideOwnReads=true' })).statusCode).toBe(401);
    });

    it('is documented in the generated OpenAPI for search and export', async () => {
      const doc = (await t.inject({ url: '/api/openapi.json' })).json();
      for (const path of ['/api/v1/audit/events', '/api/v1/audit/export', '/api/v1/audit/tail']) {
        const params = doc.paths[path].get.parameters as Array<{ name: string; schema: { enum?: string[] } }>;
        expect(params.find((p) => p.name === 'hideOwnReads')?.schema.enum, path).toEqual(['true', 'false']);
      }
    });

    it('is kept by a saved search', async () => {
      const saved = await t.inject({
        method: 'POST',
        url: '/api/v1/audit/saved-searches',
        token: org.owner.token,
        payload: { name: 'Others only', query: { hideOwnReads: 'true' } },
      });
      expect(saved.statusCode, saved.body).toBe(201);
      expect(saved.json().query).toEqual({ hideOwnReads: 'true' });
      const bad = await t.inject({
        method: 'POST',
        url: '/api/v1/audit/saved-searches',
        token: org.owner.token,
        payload: { name: 'Bad', query: { hideOwnReads: true } },
      });
      expect(bad.statusCode).toBe(400);
    });
  });

  describe('step-up prompts', () => {
    it('are recorded as user.step_up_challenged, not as access.denied', async () => {
      const token = await t.signIn(org.owner.email);
      await t.expireStepUp(token);
      const res = await t.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        token,
        payload: { name: 'needs step-up', permissions: ['audit:read'] },
      });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('STEP_UP_REQUIRED');
      const requestId = String(res.headers['x-request-id']);
      const recorded = (await t.auditEvents(org.id, 20)).filter((e) => e.requestId === requestId);
      expect(recorded).toHaveLength(1);
      expect(recorded[0]).toMatchObject({
        action: 'user.step_up_challenged',
        outcome: 'success',
        actor: { type: 'user', id: org.owner.id },
        targets: [{ type: 'user', id: org.owner.id }],
        metadata: { method: 'POST', route: '/api/v1/api-keys' },
      });
      const denials = await search('action=access.denied');
      expect(denials.some((e) => (e as unknown as { requestId: string }).requestId === requestId)).toBe(
        false,
      );
    });

    it('do not reach detection as denials', () => {
      const at = new Date().toISOString();
      const event = (action: string): CommittedAuditEvent => ({
        id: 'e1',
        organizationId: org.id,
        logId: org.id,
        seq: 1,
        occurredAt: at,
        receivedAt: at,
        actor: { type: 'user', id: org.owner.id, name: 'Owner Person', ip: '203.0.113.9', userAgent: null },
        impersonator: null,
        action,
        outcome: 'success',
        targets: [{ type: 'user', id: org.owner.id }],
        source: 'console',
        requestId: null,
        changes: null,
        metadata: { method: 'POST', route: '/api/v1/api-keys' },
        personal: [],
        subjectRef: null,
        origin: 'custos',
      });
      const ctx = { country: () => null, device: () => null, hashEmail: (email: string) => email };
      expect(signalOf(event('access.denied'), ctx)?.kind).toBe('access_denied');
      expect(signalOf(event('user.step_up_challenged'), ctx)?.kind).not.toBe('access_denied');
    });
  });

  describe('sources', () => {
    const signedInSource = async () => {
      const [signedIn] = await search('action=user.signed_in&limit=1');
      return (signedIn as unknown as { source: string }).source;
    };

    it('labels a sign-in by a program (no browser) and bearer requests as api', async () => {
      const res = await t.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        headers: { 'user-agent': 'node' },
        payload: { email: org.owner.email, password: PASSWORD, tokenType: 'bearer' },
      });
      expect(res.statusCode).toBe(200);
      expect(await signedInSource()).toBe('api');
      await t.inject({
        method: 'PATCH',
        url: '/api/v1/me',
        token: res.json().token,
        payload: { name: 'Owner Person' },
      });
      expect(await t.lastAuditEvent(org.id)).toMatchObject({ action: 'user.updated', source: 'api' });
    });

    it("labels a browser's sign-in and its cookie session as console", async () => {
      const res = await t.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        headers: { 'user-agent': 'Mozilla/5.0', 'sec-fetch-site': 'same-origin' },
        payload: { email: org.owner.email, password: PASSWORD },
      });
      expect(res.statusCode).toBe(200);
      expect(await signedInSource()).toBe('console');
      const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE);
      expect(cookie).toBeDefined();
      const read = await t.inject({
        url: '/api/v1/audit/events?limit=1',
        cookies: { [SESSION_COOKIE]: cookie?.value ?? '' },
      });
      expect(read.statusCode).toBe(200);
      expect(await t.lastAuditEvent(org.id)).toMatchObject({ action: 'audit.searched', source: 'console' });
    });
  });
});
