import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, type TestApp, type TestOrg } from '../../../test/harness';
import { leafHashOfCanonical } from './event';

describe.each(backends)('audit ingestion (%s)', (backend) => {
  let t: TestApp;
  let org: TestOrg;
  let other: TestOrg;
  let key: string;
  let otherKey: string;
  let readOnlyKey: string;

  const newKey = async (o: TestOrg, permissions: string[]) => {
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      token: o.owner.token,
      payload: { name: `key ${permissions.join(' ')}`, permissions },
    });
    return res.json().secret as string;
  };

  const event = (overrides: Record<string, unknown> = {}) => ({
    action: 'rsvp.changed',
    actor: {
      type: 'user',
      id: 'host-user-1',
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      ip: '203.0.113.7',
    },
    targets: [{ type: 'event', id: 'gig-42', name: 'Friday gig' }],
    metadata: { answer: 'yes', phone: '+44 20 7946 0000' },
    personal: ['phone'],
    ...overrides,
  });

  const post = (token: string, payload: unknown, headers: Record<string, string> = {}) =>
    t.inject({ method: 'POST', url: '/api/v1/audit/events', token, payload, headers });
  const batch = (token: string, events: unknown[], headers: Record<string, string> = {}) =>
    t.inject({ method: 'POST', url: '/api/v1/audit/events/batch', token, payload: { events }, headers });

  beforeAll(async () => {
    t = await createTestApp(backend);
    org = await t.createOrganization('Ingest Co');
    other = await t.createOrganization('Other Ingest');
    key = await newKey(org, ['audit:write', 'audit:read']);
    otherKey = await newKey(other, ['audit:write', 'audit:read']);
    readOnlyKey = await newKey(org, ['audit:read']);
  });
  afterAll(() => t.close());

  it('accepts one event and answers with a receipt whose leaf hash covers the stored body', async () => {
    const res = await post(key, event());
    expect(res.statusCode).toBe(201);
    const { receipt } = res.json();
    expect(receipt).toMatchObject({ id: expect.any(String), seq: expect.any(Number) });
    const row = await t.db
      .selectFrom('auditEvents')
      .selectAll()
      .where('id', '=', receipt.id)
      .executeTakeFirstOrThrow();
    expect(row.leafHash).toBe(receipt.leafHash);
    expect(leafHashOfCanonical(row.body as string)).toBe(receipt.leafHash);
    // Personal data never reaches the hashed body in clear.
    expect(row.body).not.toContain('Ada Lovelace');
    expect(row.body).not.toContain('ada@example.com');
    expect(row.body).not.toContain('203.0.113.7');
    expect(row.body).not.toContain('7946');
    expect(row.body).toContain('Friday gig');
    const [shown] = await t.auditEvents(org.id, 1);
    expect(shown).toMatchObject({
      action: 'rsvp.changed',
      actor: { name: 'Ada Lovelace', email: 'ada@example.com', ip: '203.0.113.7' },
      metadata: { answer: 'yes', phone: '+44 20 7946 0000' },
      erased: [],
    });
  });

  it('takes a batch atomically with consecutive seqs', async () => {
    const res = await batch(key, [
      event(),
      event({ action: 'event.updated' }),
      event({ outcome: 'failure' }),
    ]);
    expect(res.statusCode).toBe(201);
    const seqs = res.json().receipts.map((r: { seq: number }) => r.seq);
    expect(seqs).toEqual([seqs[0], seqs[0] + 1, seqs[0] + 2]);
  });

  it('rejects a batch with bad events, naming each index and field, and writes nothing', async () => {
    const before = await t.count('auditEvents');
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const res = await batch(key, [
      event(),
      event({ action: 'Not An Action' }),
      event({ occurredAt: future }),
      event({ metadata: { ['k'.repeat(65)]: 1 } }),
      event({ metadata: { big: 'x'.repeat(3000) } }),
      event({ personal: ['nope'] }),
    ]);
    expect(res.statusCode).toBe(400);
    const paths = res.json().error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'events.1.action',
        'events.2.occurredAt',
        expect.stringMatching(/^events\.3\.metadata/),
        'events.4.metadata.big',
        'events.5.personal.0',
      ]),
    );
    expect(paths.some((p: string) => p.startsWith('events.0'))).toBe(false);
    expect(await t.count('auditEvents')).toBe(before);
  });

  it('refuses more than 1000 events, forged sealed values, and non-JSON bodies', async () => {
    const tooMany = await batch(
      key,
      Array.from({ length: 1001 }, () => event()),
    );
    expect(tooMany.statusCode).toBe(400);
    const forged = await post(key, event({ metadata: { x: 'custos:enc:v1:abc:def' } }));
    expect(forged.statusCode).toBe(400);
    const text = await t.inject({
      method: 'POST',
      url: '/api/v1/audit/events',
      token: key,
      payload: 'action=x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.statusCode).toBe(415);
  });

  it('never duplicates a retried request with the same Idempotency-Key', async () => {
    const headers = { 'idempotency-key': 'retry-1' };
    const first = await post(key, event(), headers);
    expect(first.statusCode).toBe(201);
    const again = await post(key, event(), headers);
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    const concurrent = await Promise.all(
      Array.from({ length: 5 }, () => batch(key, [event(), event()], { 'idempotency-key': 'burst' })),
    );
    const bodies = new Set(concurrent.map((r) => JSON.stringify(r.json().receipts)));
    expect(bodies.size).toBe(1);
    const rows = await t.db
      .selectFrom('auditEvents')
      .select('id')
      .where(
        'id',
        'in',
        JSON.parse([...bodies][0] as string).map((r: { id: string }) => r.id),
      )
      .execute();
    expect(rows).toHaveLength(2);
    const changed = await post(key, event({ action: 'other.thing' }), headers);
    expect(changed.statusCode).toBe(409);
    expect(changed.json().error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const badKey = await post(key, event(), { 'idempotency-key': 'has space' });
    expect(badKey.json().error.code).toBe('IDEMPOTENCY_KEY_INVALID');
    // Keys are per organization: the same key elsewhere is a new request.
    const elsewhere = await post(otherKey, event(), headers);
    expect(elsewhere.statusCode).toBe(201);
  });

  it('group-commits concurrent single events, each acknowledged with a distinct seq', async () => {
    const { stats } = t.services.audit.committer;
    const groupsBefore = stats.groups;
    const results = await Promise.all(Array.from({ length: 50 }, () => post(key, event())));
    // Fewer transactions than requests: the ones that arrived together committed together.
    expect(stats.groups - groupsBefore).toBeLessThan(50);
    expect(results.every((r) => r.statusCode === 201)).toBe(true);
    const seqs = results.map((r) => r.json().receipt.seq);
    expect(new Set(seqs).size).toBe(50);
    for (const r of results) {
      const row = await t.db
        .selectFrom('auditEvents')
        .select('seq')
        .where('id', '=', r.json().receipt.id)
        .executeTakeFirstOrThrow();
      expect(Number(row.seq)).toBe(r.json().receipt.seq);
    }
  });

  it('needs audit:write and a signed-in caller', async () => {
    const anonymous = await t.inject({ method: 'POST', url: '/api/v1/audit/events', payload: event() });
    expect(anonymous.statusCode).toBe(401);
    const anonymousBatch = await t.inject({
      method: 'POST',
      url: '/api/v1/audit/events/batch',
      payload: { events: [event()] },
    });
    expect(anonymousBatch.statusCode).toBe(401);
    const readOnly = await post(readOnlyKey, event());
    expect(readOnly.statusCode).toBe(403);
    const denied = await t.lastAuditEvent(org.id);
    expect(denied).toMatchObject({
      action: 'access.denied',
      outcome: 'denied',
      metadata: { permission: 'audit:write', route: '/api/v1/audit/events' },
    });
  });

  it('signs checkpoints in the background while the log grows', async () => {
    const fast = await createTestApp(backend, { config: { CUSTOS_AUDIT_CHECKPOINT_SECONDS: '0.05' } });
    try {
      const o = await fast.createOrganization('Busy');
      const res = await fast.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        token: o.owner.token,
        payload: { name: 'w', permissions: ['audit:write'] },
      });
      const writerKey = res.json().secret;
      await fast.inject({ method: 'POST', url: '/api/v1/audit/events', token: writerKey, payload: event() });
      const size = await fast.db
        .selectFrom('auditLogHeads')
        .select('size')
        .where('logId', '=', o.id)
        .executeTakeFirstOrThrow();
      let signed: number[] = [];
      for (let i = 0; i < 100 && !signed.includes(Number(size.size)); i++) {
        await new Promise((r) => setTimeout(r, 50));
        const rows = await fast.db
          .selectFrom('auditCheckpoints')
          .select('treeSize')
          .where('logId', '=', o.id)
          .execute();
        signed = rows.map((r) => Number(r.treeSize));
      }
      expect(signed).toContain(Number(size.size));
    } finally {
      await fast.close();
    }
  });

  it("keeps each organization's log separate", async () => {
    const mine = await post(key, event({ action: 'tenant.mine' }));
    const theirs = await post(otherKey, event({ action: 'tenant.theirs' }));
    const search = await t.inject({ url: '/api/v1/audit/events?action=tenant.*', token: key });
    expect(search.json().events.map((e: { action: string }) => e.action)).toEqual(['tenant.mine']);
    const cross = await t.inject({ url: `/api/v1/audit/events/${theirs.json().receipt.id}`, token: key });
    expect(cross.statusCode).toBe(404);
    const own = await t.inject({ url: `/api/v1/audit/events/${mine.json().receipt.id}`, token: key });
    expect(own.statusCode).toBe(200);
  });
});
