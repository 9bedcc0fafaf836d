import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, type TestApp, type TestOrg, type TestUser } from '../../../test/harness';

/**
 * Issue 17 item 1: the actor filter's people picker (GET /api/v1/audit/actors), and names for
 * display — a user actor recorded without a name, a session target.
 */
describe.each(backends)('audit actors and display names (%s)', (backend) => {
  let t: TestApp;
  let org: TestOrg;
  let other: TestOrg;
  let ada: TestUser;
  let plain: TestUser;
  let outsider: TestUser;

  type Suggestion = { type: string; id: string; name: string | null; email: string | null; kind: string };
  const suggest = async (query: string, token = org.owner.token) => {
    const res = await t.inject({ url: `/api/v1/audit/actors?${query}`, token });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().actors as Suggestion[];
  };
  const rename = (user: TestUser, name: string) =>
    t.inject({ method: 'PATCH', url: '/api/v1/me', token: user.token, payload: { name } });
  const ingest = async (o: TestOrg, events: unknown[]) => {
    const key = await t.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      token: o.owner.token,
      payload: { name: `Billing sync ${o.name}`, permissions: ['audit:write'] },
    });
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/audit/events/batch',
      token: key.json().secret,
      payload: { events },
    });
    expect(res.statusCode, res.body).toBe(201);
  };

  beforeAll(async () => {
    t = await createTestApp(backend);
    org = await t.createOrganization('Picker Co');
    other = await t.createOrganization('Picker Other');
    ada = await t.addMember(org, ['member'], t.uniqueEmail('ada'));
    plain = await t.addMember(org, ['member'], t.uniqueEmail('plain'));
    outsider = await t.addMember(other, ['member'], t.uniqueEmail('adaother'));
    expect((await rename(ada, 'Ada Lovelace')).statusCode).toBe(200);
    expect((await rename(outsider, 'Ada Outsider')).statusCode).toBe(200);
    await ingest(org, [
      { action: 'doc.opened', actor: { type: 'user', id: 'host-ada-1' } },
      { action: 'doc.opened', actor: { type: 'user', id: 'host-ada-1' } },
      { action: 'doc.opened', actor: { type: 'user', id: 'host-ada-2' } },
      { action: 'doc.opened', actor: { type: 'user', id: 'Host-Bob' } },
      // A member as actor with no recorded name: named for display.
      { action: 'doc.viewed', actor: { type: 'user', id: ada.id } },
    ]);
    await ingest(other, [{ action: 'doc.opened', actor: { type: 'user', id: 'host-ada-other' } }]);
  });
  afterAll(() => t.close());

  describe('GET /api/v1/audit/actors', () => {
    it('suggests members by a word of their name or their e-mail, with name and e-mail', async () => {
      const byName = await suggest('q=love');
      expect(byName).toContainEqual({
        type: 'user',
        id: ada.id,
        name: 'Ada Lovelace',
        email: ada.email,
        kind: 'member',
      });
      const byEmail = await suggest(`q=${encodeURIComponent(ada.email.slice(0, 5).toUpperCase())}`);
      expect(byEmail.map((a) => a.id)).toContain(ada.id);
      expect((await suggest(`q=${ada.id}`)).map((a) => a.id)).toContain(ada.id);
    });

    it('suggests API keys by name and actor ids seen in the log, each once, bounded', async () => {
      const keys = await suggest('q=billing');
      expect(keys).toEqual([
        expect.objectContaining({ type: 'api_key', name: 'Billing sync Picker Co', kind: 'api_key' }),
      ]);
      const seen = await suggest('q=host-');
      expect(seen.map((a) => a.id)).toEqual(['host-ada-1', 'host-ada-2']);
      expect(seen[0]).toEqual({ type: 'user', id: 'host-ada-1', name: null, email: null, kind: 'actor' });
      expect((await suggest('q=Host-')).map((a) => a.id)).toEqual(['Host-Bob', 'host-ada-1', 'host-ada-2']);
      expect(await suggest('q=host-&limit=1')).toHaveLength(1);
    });

    it("never suggests another organization's members, keys or actors", async () => {
      const ids = (await suggest('q=ada')).map((a) => a.id);
      expect(ids).toContain(ada.id);
      expect(ids).not.toContain(outsider.id);
      expect((await suggest('q=host-ada-o')).map((a) => a.id)).toEqual([]);
      expect((await suggest('q=Billing')).map((a) => a.name)).not.toContain('Billing sync Picker Other');
      expect((await suggest(`q=${encodeURIComponent(outsider.email)}`)).map((a) => a.id)).toEqual([]);
      // Their owner sees their own.
      expect((await suggest('q=host-ada', other.owner.token)).map((a) => a.id)).toEqual(['host-ada-other']);
    });

    it('treats wildcards as text', async () => {
      expect(await suggest('q=%25')).toEqual([]);
      expect(await suggest('q=_')).toEqual([]);
    });

    it('answers bad input with 400 in the standard error shape', async () => {
      for (const query of [
        '',
        'q=',
        'q=%20%20',
        `q=${'x'.repeat(101)}`,
        'q=a&limit=0',
        'q=a&limit=21',
        'q=a&x=1',
      ]) {
        const res = await t.inject({ url: `/api/v1/audit/actors?${query}`, token: org.owner.token });
        expect(res.statusCode, query).toBe(400);
        expect(res.json().error?.code, query).toBeTypeOf('string');
      }
    });

    it('needs audit:read, and a signed-in caller', async () => {
      const res = await t.inject({ url: '/api/v1/audit/actors?q=ada', token: plain.token });
      expect(res.statusCode).toBe(403);
      expect((await t.inject({ url: '/api/v1/audit/actors?q=ada' })).statusCode).toBe(401);
    });
  });

  describe('names for display', () => {
    it('names a member actor the event recorded without a name; the record stays as is', async () => {
      const res = await t.inject({ url: '/api/v1/audit/events?action=doc.viewed', token: org.owner.token });
      const [event] = res.json().events;
      expect(event.actor).toMatchObject({ id: ada.id, name: null, displayName: 'Ada Lovelace' });
      const host = await t.inject({ url: '/api/v1/audit/events?actor=host-ada-2', token: org.owner.token });
      expect(host.json().events[0].actor.displayName).toBeUndefined();
    });

    it('names a session target after its user, with the device', async () => {
      const res = await t.inject({
        url: `/api/v1/audit/events?action=user.signed_in&actor=${ada.id}`,
        token: org.owner.token,
      });
      const events = res.json().events as Array<{ targets: Array<{ type: string; displayName?: string }> }>;
      const session = events.flatMap((e) => e.targets).find((x) => x.type === 'session');
      expect(session?.displayName).toMatch(/^session of Member Person|^session of Ada Lovelace/);
    });

    it("names a revoked session after the member whose it was, not the admin's", async () => {
      const list = await t.inject({ url: '/api/v1/sessions', token: org.owner.token });
      expect(list.statusCode, list.body).toBe(200);
      const sessions = list.json().sessions as Array<{ id: string; userId: string }>;
      const session = sessions.find((s) => s.userId === ada.id);
      expect(session).toBeDefined();
      const revoked = await t.inject({
        method: 'DELETE',
        url: `/api/v1/sessions/${session?.id}`,
        token: org.owner.token,
      });
      expect(revoked.statusCode, revoked.body).toBe(200);
      const res = await t.inject({
        url: '/api/v1/audit/events?action=session.revoked',
        token: org.owner.token,
      });
      const [event] = res.json().events;
      expect(event.actor.id).toBe(org.owner.id);
      expect(event.targets).toContainEqual({
        type: 'session',
        id: session?.id,
        displayName: 'session of Ada Lovelace',
      });
      // Another organization's reader never gets this event, named or not.
      const theirs = await t.inject({
        url: '/api/v1/audit/events?action=session.revoked',
        token: other.owner.token,
      });
      expect(theirs.json().events).toEqual([]);
    });
  });
});
