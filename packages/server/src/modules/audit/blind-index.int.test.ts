import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, type TestApp, type TestOrg } from '../../../test/harness';

/**
 * Issue 17 item 1: an e-mail typed into search finds a host app's events whose actor id is that
 * e-mail, or whose sealed fields hold it, through a keyed blind index — the search text holds no
 * plaintext address and no plain hash of it; erasure takes the tokens with the rest.
 */
describe.each(backends)('audit blind index of e-mails (%s)', (backend) => {
  let t: TestApp;
  let org: TestOrg;
  let other: TestOrg;
  let writer: string;
  let otherWriter: string;

  const keyFor = async (o: TestOrg) => {
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      token: o.owner.token,
      payload: { name: 'host app', permissions: ['audit:write'] },
    });
    return res.json().secret as string;
  };
  const ingest = async (token: string, events: unknown[]) => {
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/audit/events/batch',
      token,
      payload: { events },
    });
    expect(res.statusCode, res.body).toBe(201);
  };
  /** Full text over the host app's events, leaving out the searches themselves. */
  const found = async (text: string, o: TestOrg = org) => {
    const url = `/api/v1/audit/events?q=${encodeURIComponent(text)}&action=doc.*&hideOwnReads=true`;
    const res = await t.inject({ url, token: o.owner.token });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json().events as Array<{ action: string }>).map((e) => e.action).sort();
  };
  const searchTexts = async (o: TestOrg, action: string) =>
    (
      await t.db
        .selectFrom('auditEvents')
        .select('searchText')
        .where('logId', '=', o.id)
        .where('action', '=', action)
        .execute()
    ).map((r) => r.searchText);
  const erase = async (subject: string) => {
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/audit/subjects/erase',
      token: org.owner.token,
      payload: { subject },
    });
    expect(res.statusCode, res.body).toBe(200);
  };

  beforeAll(async () => {
    t = await createTestApp(backend);
    org = await t.createOrganization('Blind Index Co');
    other = await t.createOrganization('Blind Index Other');
    writer = await keyFor(org);
    otherWriter = await keyFor(other);
    await ingest(writer, [
      { action: 'doc.opened', actor: { type: 'user', id: 'erin@example.com', name: 'Erin Host' } },
      {
        action: 'doc.shared',
        actor: { type: 'user', id: 'h-7', name: 'Frank Host' },
        metadata: { contact: 'Grace <grace@example.org>', plan: 'pro' },
        personal: ['contact'],
        subject: 'grace-1',
      },
      { action: 'doc.deleted', actor: { type: 'user', id: 'h-8', email: 'Hal@Example.com' } },
    ]);
    await ingest(otherWriter, [
      { action: 'doc.elsewhere', actor: { type: 'user', id: 'erin@example.com', name: 'Erin Elsewhere' } },
    ]);
  });
  afterAll(() => t.close());

  it('finds an e-mail used as actor id, sealed as actor e-mail, or inside a sealed field', async () => {
    expect(await found('erin@example.com')).toEqual(['doc.opened']);
    expect(await found('ERIN@Example.com')).toEqual(['doc.opened']);
    expect(await found('grace@example.org')).toEqual(['doc.shared']);
    expect(await found('hal@example.com')).toEqual(['doc.deleted']);
    // With another word: every word must still match.
    expect(await found('erin@example.com Host')).toEqual(['doc.opened']);
    expect(await found('erin@example.com Frank')).toEqual([]);
  });

  it('keeps the address out of the search text: no plaintext, no plain hash, a keyed token', async () => {
    const texts = [
      ...(await searchTexts(org, 'doc.opened')),
      ...(await searchTexts(org, 'doc.shared')),
      ...(await searchTexts(org, 'doc.deleted')),
    ];
    expect(texts).toHaveLength(3);
    for (const email of ['erin@example.com', 'grace@example.org', 'hal@example.com']) {
      const sha = createHash('sha256').update(email).digest('hex');
      for (const text of texts) {
        expect(text?.toLowerCase()).not.toContain(email);
        expect(text).not.toContain(sha.slice(0, 16));
      }
    }
    for (const text of texts) expect(text).toMatch(/\bzbx[0-9a-f]{32}\b/);
    // The key is the organization's: the same address has another token in another organization.
    const [mine] = await searchTexts(org, 'doc.opened');
    const [theirs] = await searchTexts(other, 'doc.elsewhere');
    const token = (text: string | null | undefined) => text?.match(/zbx[0-9a-f]{32}/)?.[0];
    expect(token(mine)).toBeDefined();
    expect(token(theirs)).toBeDefined();
    expect(token(mine)).not.toBe(token(theirs));
  });

  it("never finds another organization's events by e-mail", async () => {
    expect(await found('grace@example.org', other)).toEqual([]);
    expect(await found('erin@example.com', other)).toEqual(['doc.elsewhere']);
  });

  it('finds nothing once the subject is erased; another organization keeps its own', async () => {
    await erase('erin@example.com');
    await erase('grace-1');
    expect(await found('erin@example.com')).toEqual([]);
    expect(await found('grace@example.org')).toEqual([]);
    expect(await searchTexts(org, 'doc.opened')).toEqual([null]);
    expect(await searchTexts(org, 'doc.shared')).toEqual([null]);
    // Not erased: still found.
    expect(await found('hal@example.com')).toEqual(['doc.deleted']);
    expect(await found('erin@example.com', other)).toEqual(['doc.elsewhere']);
  });
});
