import { randomUUID } from 'node:crypto';
import { CustosApiError, CustosClient, EXPORT_COUNT_HEADER } from '@custos/sdk';
import { ERASED } from '@custos/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, PASSWORD, type TestApp, type TestOrg } from './harness';

describe.each(backends)('SDK audit methods against a live server (%s)', (backend) => {
  let t: TestApp;
  let org: TestOrg;
  let other: TestOrg;
  let baseUrl: string;
  /** The organization owner, signed in with a bearer token. */
  let owner: CustosClient;
  /** A host app's API key with audit:write. */
  let host: CustosClient;

  const signedIn = async (email: string) => {
    const client = new CustosClient({ baseUrl });
    await client.auth.signIn({ email, password: PASSWORD, tokenType: 'bearer' });
    return client;
  };

  const rsvp = (overrides: Record<string, unknown> = {}) => ({
    action: 'rsvp.changed',
    actor: { type: 'user' as const, id: 'band-member-7', name: 'Grace Hopper', email: 'grace@example.com' },
    targets: [{ type: 'gig', id: 'gig-42', name: 'Friday gig' }],
    changes: { answer: ['maybe', 'yes'] as [string, string] },
    metadata: { phone: '+44 20 7946 0000' },
    personal: ['phone'],
    ...overrides,
  });

  beforeAll(async () => {
    t = await createTestApp(backend);
    org = await t.createOrganization('SDK Audit Org');
    other = await t.createOrganization('SDK Audit Other');
    baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
    owner = await signedIn(org.owner.email);
    const key = await owner.apiKeys.create({ name: 'Band app', permissions: ['audit:write'] });
    host = new CustosClient({ baseUrl, token: key.secret });
  });
  afterAll(() => t.close());

  it('ingests one event, and a retry with the same idempotency key answers the same receipt', async () => {
    const idempotencyKey = randomUUID();
    const first = await host.audit.ingest(rsvp(), { idempotencyKey });
    const retry = await host.audit.ingest(rsvp(), { idempotencyKey });
    expect(retry.receipt).toEqual(first.receipt);
    const { events } = await owner.audit.search({ action: 'rsvp.changed' });
    expect(events.filter((e) => e.id === first.receipt.id)).toHaveLength(1);
  });

  it('ingests a batch atomically and pages through a search with the cursor', async () => {
    const { receipts } = await host.audit.ingestBatch(
      [1, 2, 3].map((n) =>
        rsvp({ action: 'setlist.song_added', targets: [{ type: 'song', id: `song-${n}` }] }),
      ),
      { idempotencyKey: randomUUID() },
    );
    expect(receipts).toHaveLength(3);
    await expect(
      host.audit.ingestBatch([rsvp(), rsvp({ action: 'Not A Valid Action' })]),
    ).rejects.toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });

    const first = await owner.audit.search({ action: 'setlist.*', limit: 2 });
    expect(first.events.map((e) => e.seq)).toEqual([receipts[2]?.seq, receipts[1]?.seq]);
    expect(first.nextCursor).not.toBeNull();
    const second = await owner.audit.search({ action: 'setlist.*', limit: 2, before: first.nextCursor ?? 0 });
    expect(second.events.map((e) => e.id)).toEqual([receipts[0]?.id]);
    expect(second.nextCursor).toBeNull();
    const byTarget = await owner.audit.search({ targetType: 'song', targetId: 'song-2' });
    expect(byTarget.events.map((e) => e.id)).toEqual([receipts[1]?.id]);
  });

  it('reads an event with a verified proof, checkpoints, consistency proofs and the signing keys', async () => {
    const { receipt } = await host.audit.ingest(rsvp());
    const { event, proof } = await owner.audit.event(receipt.id);
    expect(event).toMatchObject({ id: receipt.id, action: 'rsvp.changed', leafHash: receipt.leafHash });
    expect(event.metadata).toEqual({ phone: '+44 20 7946 0000' });
    expect(proof).toMatchObject({ seq: receipt.seq, leafIndex: receipt.seq - 1, verified: true });
    expect(proof.checkpoint?.note).toContain(proof.checkpoint?.origin);

    const checkpoint = await owner.audit.checkpoint();
    expect(checkpoint.treeSize).toBeGreaterThanOrEqual(receipt.seq);
    const inclusion = await owner.audit.inclusionProof(receipt.id);
    expect(inclusion).toMatchObject({ seq: receipt.seq, leafHash: receipt.leafHash });

    await t.services.audit.checkpoints.signGrownLogs();
    const { checkpoints } = await owner.audit.checkpoints({ limit: 10 });
    expect(checkpoints.length).toBeGreaterThan(0);
    const latest = checkpoints.at(-1)?.treeSize ?? 1;
    const consistency = await owner.audit.consistencyProof(1, latest);
    expect(consistency).toMatchObject({ from: 1, to: latest, toRoot: expect.any(String) });

    const { keys } = await new CustosClient({ baseUrl }).audit.keys();
    expect(keys[0]).toMatchObject({ algorithm: 'ed25519', verifierKey: expect.any(String) });
  });

  it('verifies the history against a checkpoint kept earlier, and reads the integrity state (issue 14)', async () => {
    await host.audit.ingestBatch([rsvp(), rsvp()]);
    const kept = await owner.audit.checkpoint();
    await host.audit.ingestBatch([rsvp(), rsvp(), rsvp()]);
    await t.services.audit.checkpoints.signGrownLogs();
    const result = await owner.audit.verify({ checkpoints: [kept.note] });
    expect(result).toMatchObject({ ok: true, keysFrom: 'server' });
    expect(result.checks).toMatchObject([{ treeSize: kept.treeSize, status: 'consistent' }]);
    const pinned = await owner.audit.verify({
      checkpoints: [kept.note],
      verifierKeys: [t.services.audit.signer.verifierKey],
    });
    expect(pinned).toMatchObject({ ok: true, keysFrom: 'pinned' });
    expect(await owner.audit.integrity()).toMatchObject({ status: 'ok', alarms: [], witnesses: [] });
    // Another organization's checkpoint is not this log's history.
    const theirs = await (await signedIn(other.owner.email)).audit.checkpoint().catch(() => null);
    if (theirs) {
      const foreign = await owner.audit.verify({ checkpoints: [theirs.note] });
      expect(foreign.ok).toBe(false);
      expect(foreign.checks[0]?.status).toBe('other-log');
    }
  });

  it('keeps another tenant out: its owner cannot read, prove or delete this organization’s data', async () => {
    const { receipt } = await host.audit.ingest(rsvp());
    const saved = await owner.audit.savedSearches.create({ name: 'Mine', query: { action: 'rsvp.*' } });
    const stranger = await signedIn(other.owner.email);
    await expect(stranger.audit.event(receipt.id)).rejects.toMatchObject({
      status: 404,
      code: 'AUDIT_EVENT_NOT_FOUND',
    });
    await expect(stranger.audit.inclusionProof(receipt.id)).rejects.toBeInstanceOf(CustosApiError);
    expect((await stranger.audit.search({ action: 'rsvp.changed' })).events).toEqual([]);
    await expect(stranger.audit.savedSearches.remove(saved.id)).rejects.toMatchObject({ status: 404 });
    await owner.audit.savedSearches.remove(saved.id);
  });

  it('manages saved searches and writes their audit events', async () => {
    const saved = await owner.audit.savedSearches.create({
      name: 'Failed sign-ins',
      query: { action: 'user.sign_in_failed', outcome: 'failure' },
    });
    expect(saved).toMatchObject({ name: 'Failed sign-ins', query: { action: 'user.sign_in_failed' } });
    expect((await owner.audit.savedSearches.list()).savedSearches.map((s) => s.id)).toContain(saved.id);
    await owner.audit.savedSearches.remove(saved.id);
    expect((await owner.audit.savedSearches.list()).savedSearches.map((s) => s.id)).not.toContain(saved.id);
    const created = await owner.audit.search({ action: 'audit.saved_search_created', targetId: saved.id });
    const deleted = await owner.audit.search({ action: 'audit.saved_search_deleted', targetId: saved.id });
    expect(created.events).toHaveLength(1);
    expect(deleted.events).toHaveLength(1);
  });

  it('reads and sets retention and legal hold, refusing members without audit:manage', async () => {
    expect(await owner.audit.settings.get()).toMatchObject({ retentionDays: null, legalHold: false });
    const updated = await owner.audit.settings.update({ retentionDays: 400, legalHold: true });
    expect(updated).toMatchObject({ retentionDays: 400, legalHold: true, updatedAt: expect.any(String) });
    expect(await owner.audit.settings.get()).toMatchObject({ retentionDays: 400, legalHold: true });
    await owner.audit.settings.update({ retentionDays: null, legalHold: false });
    const [written] = (await owner.audit.search({ action: 'audit.settings_updated', limit: 1 })).events;
    expect(written?.changes).toEqual({ retentionDays: [400, null], legalHold: [true, false] });

    const auditor = await t.addMember(org, ['auditor']);
    const reader = new CustosClient({ baseUrl, token: auditor.token });
    expect((await reader.audit.settings.get()).retentionDays).toBeNull();
    await expect(reader.audit.settings.update({ retentionDays: 30, legalHold: false })).rejects.toMatchObject(
      {
        status: 403,
      },
    );
    await expect(reader.audit.eraseSubject('band-member-7')).rejects.toMatchObject({ status: 403 });
  });

  it('erases a data subject: personal fields read as erased and the proof still verifies', async () => {
    const { receipt } = await host.audit.ingest(
      rsvp({ actor: { type: 'user', id: 'leaver-1', name: 'Lee Ver' } }),
    );
    const result = await owner.audit.eraseSubject('leaver-1');
    expect(result.keysDestroyed).toBeGreaterThan(0);
    expect(result.eventsAffected).toBeGreaterThan(0);
    const { event, proof } = await owner.audit.event(receipt.id);
    expect(event.actor.name).toBe(ERASED);
    expect(event.metadata?.phone).toBe(ERASED);
    expect(event.erased).toEqual(expect.arrayContaining(['actor.name', 'metadata.phone']));
    expect(proof.verified).toBe(true);
    const [written] = (await owner.audit.search({ action: 'audit.subject_erased', limit: 1 })).events;
    expect(written).toBeDefined();
  });

  it('streams an export as a Response whose header counts the events', async () => {
    const response = await owner.audit.export({ action: 'setlist.*', format: 'jsonl' });
    expect(Number(response.headers.get(EXPORT_COUNT_HEADER))).toBe(3);
    const lines = (await response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; event?: { action: string } });
    expect(lines[0]?.type).toBe('header');
    const events = lines.filter((line) => line.type === 'event');
    expect(events.map((line) => line.event?.action)).toEqual(Array(3).fill('setlist.song_added'));
    const csv = await owner.audit.export({ action: 'setlist.*', format: 'csv' });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    await expect(host.audit.export()).rejects.toMatchObject({ status: 403 });
  });

  it('tails new events over Server-Sent Events, from a cursor', async () => {
    const { receipt: before } = await host.audit.ingest(rsvp({ action: 'tail.before' }));
    const controller = new AbortController();
    const response = await owner.audit.tail(
      { action: 'tail.*' },
      { after: before.seq, signal: controller.signal },
    );
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const { receipt } = await host.audit.ingest(rsvp({ action: 'tail.after' }));
    const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (reader && !/event: audit\ndata: .*\n\n/.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    controller.abort();
    expect(text).toContain(`id: ${receipt.seq}\nevent: audit\n`);
    const data = text.split('\n').find((line) => line.startsWith('data: ')) ?? '';
    expect(JSON.parse(data.slice('data: '.length))).toMatchObject({ id: receipt.id, action: 'tail.after' });
    expect(owner.audit.tailUrl({ action: 'tail.*' }, 5)).toBe(
      `${baseUrl}/api/v1/audit/tail?action=tail.*&after=5`,
    );
  });
});
