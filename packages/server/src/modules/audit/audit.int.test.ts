import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, type TestApp, type TestOrg, type TestUser } from '../../../test/harness';
import { openCheckpoint, parseVerifierKey } from '../../platform/crypto/signed-note';
import { leafHash, verifyConsistency, verifyInclusion } from './merkle';
import { purgeExpiredEvents } from './retention';
import { splitLines, verifyExport } from './verify';

describe.each(backends)('audit trail: search, proofs, checkpoints, settings, erasure (%s)', (backend) => {
  let t: TestApp;
  let org: TestOrg;
  let other: TestOrg;
  let writer: string;
  let member: TestUser;
  let auditor: TestUser;

  const ingest = (events: unknown[]) =>
    t.inject({ method: 'POST', url: '/api/v1/audit/events/batch', token: writer, payload: { events } });
  const get = (url: string, token = org.owner.token) => t.inject({ url, token });
  const actions = (res: { json(): { events: Array<{ action: string }> } }) =>
    res.json().events.map((e) => e.action);

  beforeAll(async () => {
    t = await createTestApp(backend);
    org = await t.createOrganization('Search Co');
    other = await t.createOrganization('Other Search');
    member = await t.addMember(org, ['member']);
    auditor = await t.addMember(org, ['auditor']);
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      token: org.owner.token,
      payload: { name: 'host app', permissions: ['audit:write', 'audit:read'] },
    });
    writer = res.json().secret;
    const base = Date.parse('2026-06-01T10:00:00Z');
    const at = (minutes: number) => new Date(base + minutes * 60_000).toISOString();
    const created = await ingest([
      {
        action: 'rsvp.changed',
        occurredAt: at(0),
        actor: { type: 'user', id: 'u-ada', name: 'Ada Lovelace', ip: '10.1.2.3' },
        targets: [{ type: 'event', id: 'gig-1', name: 'Harbour gig' }],
        metadata: { answer: 'yes' },
      },
      {
        action: 'rsvp.cancelled',
        occurredAt: at(10),
        outcome: 'failure',
        actor: { type: 'user', id: 'u-bob', name: 'Bob Marley', ip: '192.168.7.9' },
        targets: [{ type: 'event', id: 'gig-2' }],
        source: 'api',
      },
      {
        action: 'event.updated',
        occurredAt: at(20),
        actor: { type: 'user', id: 'u-ada', name: 'Ada Lovelace', ip: '2001:db8::5' },
        targets: [{ type: 'event', id: 'gig-1' }],
        changes: { title: ['Harbour gig', 'Harbour concert'] },
      },
    ]);
    expect(created.statusCode).toBe(201);
  });
  afterAll(() => t.close());

  it('filters by actor, action prefix, outcome, source, time, IP/CIDR, target and full text', async () => {
    expect(actions(await get('/api/v1/audit/events?actor=u-ada'))).toEqual(['event.updated', 'rsvp.changed']);
    expect(actions(await get('/api/v1/audit/events?action=rsvp.*'))).toEqual([
      'rsvp.cancelled',
      'rsvp.changed',
    ]);
    expect(actions(await get('/api/v1/audit/events?action=rsvp.changed'))).toEqual(['rsvp.changed']);
    expect(actions(await get('/api/v1/audit/events?outcome=failure&action=rsvp.*'))).toEqual([
      'rsvp.cancelled',
    ]);
    expect(actions(await get('/api/v1/audit/events?source=api&action=rsvp.*'))).toEqual(['rsvp.cancelled']);
    expect(
      actions(await get('/api/v1/audit/events?from=2026-06-01T10:05:00Z&to=2026-06-01T10:15:00Z')),
    ).toEqual(['rsvp.cancelled']);
    // `since` is relative to now: the June events are older than a day, the key's creation is not.
    expect(actions(await get('/api/v1/audit/events?since=24h&action=rsvp.*'))).toEqual([]);
    expect(actions(await get('/api/v1/audit/events?since=24h&action=api_key.*'))).toEqual([
      'api_key.created',
    ]);
    expect((await get('/api/v1/audit/events?since=2d')).statusCode).toBe(400);
    expect(actions(await get('/api/v1/audit/events?ip=10.0.0.0/8'))).toEqual(['rsvp.changed']);
    expect(actions(await get('/api/v1/audit/events?ip=192.168.7.9'))).toEqual(['rsvp.cancelled']);
    expect(actions(await get('/api/v1/audit/events?ip=2001:db8::/32'))).toEqual(['event.updated']);
    expect(actions(await get('/api/v1/audit/events?targetType=event&targetId=gig-1'))).toEqual([
      'event.updated',
      'rsvp.changed',
    ]);
    expect(actions(await get('/api/v1/audit/events?q=harbour'))).toEqual(['rsvp.changed']);
    expect(actions(await get('/api/v1/audit/events?q=lovelace&action=event.*'))).toEqual(['event.updated']);
    // Query syntax is not passed through to FTS5 / tsquery.
    expect((await get('/api/v1/audit/events?q=%22OR%20*%20NEAR(')).statusCode).toBe(200);
  });

  it('pages newest first with a keyset cursor', async () => {
    const first = await get('/api/v1/audit/events?limit=2');
    const page1 = first.json();
    expect(page1.events).toHaveLength(2);
    expect(page1.events[0].seq).toBeGreaterThan(page1.events[1].seq);
    const second = (await get(`/api/v1/audit/events?limit=2&before=${page1.nextCursor}`)).json();
    expect(second.events[0].seq).toBeLessThan(page1.events[1].seq);
  });

  it('answers bad filters with 400 and needs audit:read; other tenants see nothing', async () => {
    for (const query of ['ip=not-an-ip', 'action=Bad*', 'limit=0', 'from=yesterday', 'nope=1', 'before=-1']) {
      const res = await get(`/api/v1/audit/events?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    }
    const reversed = await get('/api/v1/audit/events?from=2026-06-02T00:00:00Z&to=2026-06-01T00:00:00Z');
    expect(reversed.json().error.code).toBe('AUDIT_FILTER_INVALID');
    expect((await get('/api/v1/audit/events', member.token)).statusCode).toBe(403);
    expect((await get('/api/v1/audit/events', auditor.token)).statusCode).toBe(200);
    expect(actions(await get('/api/v1/audit/events?action=rsvp.*', other.owner.token))).toEqual([]);
    expect((await t.inject({ url: '/api/v1/audit/events' })).statusCode).toBe(401);
  });

  it('audits every read of the audit log', async () => {
    await get('/api/v1/audit/events?action=rsvp.*', auditor.token);
    const read = await t.lastAuditEvent(org.id);
    expect(read).toMatchObject({
      action: 'audit.searched',
      actor: { id: auditor.id },
      metadata: { query: { action: 'rsvp.*' } },
    });
  });

  it('serves an event with an inclusion proof that reaches the signed checkpoint', async () => {
    const [event] = (await get('/api/v1/audit/events?action=rsvp.changed')).json().events;
    const res = await get(`/api/v1/audit/events/${event.id}`);
    expect(res.statusCode).toBe(200);
    const { proof } = res.json();
    expect(proof.verified).toBe(true);
    const keys = (await t.inject({ url: '/.well-known/custos/audit-keys' })).json().keys;
    const verifier = parseVerifierKey(keys[0].verifierKey);
    const { checkpoint } = openCheckpoint(proof.checkpoint.note, [verifier]);
    expect(checkpoint.origin).toContain(org.id);
    expect(checkpoint.size).toBe(proof.treeSize);
    expect(
      verifyInclusion(
        proof.leafIndex,
        proof.treeSize,
        Buffer.from(proof.leafHash, 'hex'),
        proof.proof.map((h: string) => Buffer.from(h, 'hex')),
        checkpoint.rootHash,
      ),
    ).toBe(true);
    expect((await get(`/api/v1/audit/events/${event.id}`, other.owner.token)).statusCode).toBe(404);
    expect((await get('/api/v1/audit/events/not-a-uuid')).statusCode).toBe(400);
  });

  it('proves consistency between checkpoints and signs new ones as the log grows', async () => {
    const before = (await get('/api/v1/audit/checkpoint')).json();
    await ingest([{ action: 'rsvp.changed', actor: { type: 'user', id: 'u-cy' } }]);
    const after = await t.services.audit.checkpoints.current(org.id);
    expect(after?.treeSize).toBeGreaterThan(before.treeSize);
    const res = await get(`/api/v1/audit/proofs/consistency?from=${before.treeSize}&to=${after?.treeSize}`);
    const body = res.json();
    expect(
      verifyConsistency(
        before.treeSize,
        body.to,
        body.proof.map((h: string) => Buffer.from(h, 'hex')),
        Buffer.from(before.rootHash, 'hex'),
        Buffer.from(after?.rootHash as string, 'hex'),
      ),
    ).toBe(true);
    const list = (await get('/api/v1/audit/checkpoints?after=0')).json().checkpoints;
    expect(list.map((c: { treeSize: number }) => c.treeSize)).toEqual(
      [...list.map((c: { treeSize: number }) => c.treeSize)].sort((a: number, b: number) => a - b),
    );
    expect((await get('/api/v1/audit/proofs/consistency?from=5&to=2')).statusCode).toBe(400);
    expect((await get('/api/v1/audit/proofs/consistency?from=1&to=999999')).json().error.code).toBe(
      'AUDIT_TREE_SIZE_INVALID',
    );
    const [e] = (await get('/api/v1/audit/events?limit=1&action=rsvp.changed')).json().events;
    const inclusion = (await get(`/api/v1/audit/events/${e.id}/proof?treeSize=${after?.treeSize}`)).json();
    expect(inclusion.verified).toBe(true);
    expect(
      verifyInclusion(
        inclusion.leafIndex,
        inclusion.treeSize,
        Buffer.from(inclusion.leafHash, 'hex'),
        inclusion.proof.map((h: string) => Buffer.from(h, 'hex')),
        Buffer.from(after?.rootHash as string, 'hex'),
      ),
    ).toBe(true);
  });

  it('stores the stored-hash tree: leaves and completed nodes, never recomputed from events', async () => {
    const size = Number(
      (
        await t.db
          .selectFrom('auditLogHeads')
          .select('size')
          .where('logId', '=', org.id)
          .executeTakeFirstOrThrow()
      ).size,
    );
    const nodes = await t.db
      .selectFrom('auditTreeNodes')
      .select(['level', 'idx'])
      .where('logId', '=', org.id)
      .execute();
    const expected = Array.from({ length: 40 }, (_, level) => Math.floor(size / 2 ** level)).reduce(
      (a, b) => a + b,
      0,
    );
    expect(nodes.length).toBe(expected);
    const leaves = await t.db
      .selectFrom('auditTreeNodes as n')
      .innerJoin('auditEvents as e', (j) => j.onRef('e.logId', '=', 'n.logId').on('n.level', '=', 0))
      .select(['n.idx', 'n.hash', 'e.seq', 'e.body'])
      .where('n.logId', '=', org.id)
      .whereRef('e.seq', '=', (eb) => eb(eb.ref('n.idx'), '+', 1))
      .execute();
    for (const leaf of leaves) expect(leafHash(leaf.body as string).toString('hex')).toBe(leaf.hash);
  });

  it('keeps saved searches per user, audited, and refuses bad input', async () => {
    const save = await t.inject({
      method: 'POST',
      url: '/api/v1/audit/saved-searches',
      token: auditor.token,
      payload: { name: 'Failed RSVPs', query: { action: 'rsvp.*', outcome: 'failure' } },
    });
    expect(save.statusCode).toBe(201);
    expect(await t.lastAuditEvent(org.id)).toMatchObject({ action: 'audit.saved_search_created' });
    const mine = (await get('/api/v1/audit/saved-searches', auditor.token)).json().savedSearches;
    expect(mine).toEqual([
      expect.objectContaining({ name: 'Failed RSVPs', query: { action: 'rsvp.*', outcome: 'failure' } }),
    ]);
    expect((await get('/api/v1/audit/saved-searches')).json().savedSearches).toEqual([]);
    const dup = await t.inject({
      method: 'POST',
      url: '/api/v1/audit/saved-searches',
      token: auditor.token,
      payload: { name: 'Failed RSVPs', query: {} },
    });
    expect(dup.statusCode).toBe(409);
    const bad = await t.inject({
      method: 'POST',
      url: '/api/v1/audit/saved-searches',
      token: auditor.token,
      payload: { name: '', query: { ip: 'x' } },
    });
    expect(bad.statusCode).toBe(400);
    const notMine = await t.inject({
      method: 'DELETE',
      url: `/api/v1/audit/saved-searches/${save.json().id}`,
      token: org.owner.token,
    });
    expect(notMine.statusCode).toBe(404);
    const gone = await t.inject({
      method: 'DELETE',
      url: `/api/v1/audit/saved-searches/${save.json().id}`,
      token: auditor.token,
    });
    expect(gone.statusCode).toBe(200);
    expect((await get('/api/v1/audit/saved-searches', member.token)).statusCode).toBe(403);
  });

  it('sets retention and legal hold (audit:manage); purging keeps the tree so later events verify', async () => {
    const put = (payload: unknown, token = org.owner.token) =>
      t.inject({ method: 'PUT', url: '/api/v1/audit/settings', token, payload });
    expect((await put({ retentionDays: 30, legalHold: true }, auditor.token)).statusCode).toBe(403);
    expect((await put({ retentionDays: 0, legalHold: false })).statusCode).toBe(400);
    expect((await put({ retentionDays: 30 })).statusCode).toBe(400);
    expect((await put({ retentionDays: 30, legalHold: true })).statusCode).toBe(200);
    expect(await t.lastAuditEvent(org.id)).toMatchObject({
      action: 'audit.settings_updated',
      changes: { retentionDays: [null, 30], legalHold: [false, true] },
    });
    expect(await purgeExpiredEvents(t.db, t.services.audit.recorder)).toBe(0);
    await put({ retentionDays: 30, legalHold: false });
    const purged = await purgeExpiredEvents(t.db, t.services.audit.recorder);
    expect(purged).toBe(3);
    const [old] = (await get('/api/v1/audit/events?action=rsvp.cancelled')).json().events;
    expect(old).toMatchObject({
      purged: true,
      integrity: 'purged',
      metadata: null,
      leafHash: expect.any(String),
    });
    // Issue 14: what is left of a purged event cannot be verified, so it is never served as verified.
    const proof = (await get(`/api/v1/audit/events/${old.id}`)).json().proof;
    expect(proof.verified).toBe(false);
    const [purge] = (await get('/api/v1/audit/events?action=audit.events_purged')).json().events;
    expect(purge).toMatchObject({ actor: { type: 'system' }, metadata: { purged: 3, retentionDays: 30 } });
    expect(purge.metadata.ranges.flat().every(Number.isSafeInteger)).toBe(true);
    // The purge event is what proves the missing bodies to an offline verifier.
    const exported = await t.inject({ url: '/api/v1/audit/export', token: org.owner.token });
    const report = await verifyExport(splitLines([exported.body]), {
      verifierKeys: [t.services.audit.signer.verifierKey],
    });
    expect(report).toMatchObject({ ok: true, purged: 3 });
    expect((await get('/api/v1/audit/settings', other.owner.token)).json()).toMatchObject({
      retentionDays: null,
    });
  });

  it('crypto-shreds a subject: their personal data reads as erased, proofs still verify', async () => {
    const sent = await ingest([
      {
        action: 'profile.viewed',
        actor: { type: 'user', id: 'u-dan', name: 'Dan Brown', email: 'dan@example.com', ip: '198.51.100.4' },
        metadata: { phone: '555-0100', plan: 'pro' },
        personal: ['phone'],
      },
    ]);
    const { id } = sent.json().receipts[0];
    expect((await get('/api/v1/audit/events?q=brown&action=profile.*')).json().events).toHaveLength(1);
    const erase = (subject: string, token = org.owner.token) =>
      t.inject({ method: 'POST', url: '/api/v1/audit/subjects/erase', token, payload: { subject } });
    expect((await erase('u-dan', auditor.token)).statusCode).toBe(403);
    expect((await erase('')).statusCode).toBe(400);
    const res = await erase('u-dan');
    expect(res.statusCode).toBe(200);
    expect(res.json().keysDestroyed).toBeGreaterThanOrEqual(1);
    const { event, proof } = (await get(`/api/v1/audit/events/${id}`)).json();
    expect(event.actor).toMatchObject({ id: 'u-dan', name: '[erased]', email: '[erased]', ip: '[erased]' });
    expect(event.metadata).toEqual({ phone: '[erased]', plan: 'pro' });
    expect(event.erased.sort()).toEqual(['actor.email', 'actor.ip', 'actor.name', 'metadata.phone']);
    expect(proof.verified).toBe(true);
    expect((await get('/api/v1/audit/events?q=brown&action=profile.*')).json().events).toHaveLength(0);
    const [erasure] = (await get('/api/v1/audit/events?action=audit.subject_erased')).json().events;
    expect(erasure).toMatchObject({
      actor: { id: org.owner.id },
      metadata: { keysDestroyed: res.json().keysDestroyed },
    });
    // Another tenant's erasure of the same subject id touches nothing here.
    await ingest([{ action: 'rsvp.changed', actor: { type: 'user', id: 'u-ada', name: 'Ada Lovelace' } }]);
    await t.inject({
      method: 'POST',
      url: '/api/v1/audit/subjects/erase',
      token: other.owner.token,
      payload: { subject: 'u-ada' },
    });
    const [ada] = (await get('/api/v1/audit/events?actor=u-ada&limit=1')).json().events;
    expect(ada.actor.name).toBe('Ada Lovelace');
  });

  it("erases a member named by e-mail: their name in Custos' own events reads as erased", async () => {
    await get('/api/v1/audit/events?action=nothing.*', member.token);
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/audit/subjects/erase',
      token: org.owner.token,
      payload: { subject: member.email.toUpperCase() },
    });
    expect(res.json().keysDestroyed).toBeGreaterThanOrEqual(1);
    const [denied] = (await get(`/api/v1/audit/events?actor=${member.id}&action=access.denied`)).json()
      .events;
    expect(denied.actor).toMatchObject({ id: member.id, name: '[erased]' });
    expect(denied.erased).toContain('actor.name');
  });

  it('publishes the checkpoint key at the well-known address', async () => {
    const res = await t.inject({ url: '/.well-known/custos/audit-keys' });
    expect(res.statusCode).toBe(200);
    const [key] = res.json().keys;
    expect(key).toMatchObject({ algorithm: 'ed25519', name: 'custos.test/custos-audit' });
    expect(parseVerifierKey(key.verifierKey).name).toBe(key.name);
  });

  it('streams new events live over Server-Sent Events', async () => {
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const controller = new AbortController();
    const res = await fetch(`${address}/api/v1/audit/tail?action=live.*`, {
      headers: { authorization: `Bearer ${org.owner.token}` },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await ingest([
      { action: 'other.thing', actor: { type: 'system' } },
      { action: 'live.ping', actor: { type: 'system' } },
    ]);
    let text = '';
    while (!text.includes('live.ping')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    expect(text).toMatch(/id: \d+\nevent: audit\ndata: \{.*"action":"live\.ping"/);
    expect(text).not.toContain('other.thing');
    const denied = await fetch(`${address}/api/v1/audit/tail`, {
      headers: { authorization: `Bearer ${member.token}` },
    });
    expect(denied.status).toBe(403);
  });
});
