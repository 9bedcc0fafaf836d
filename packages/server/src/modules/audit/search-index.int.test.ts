import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestOrg } from '../../../test/harness';
import { indexPendingSearchText, SEARCH_INDEX_BATCH } from './search-index-store';

/**
 * SQLite's full-text index is filled in batches (migration 0013). What must hold whatever the
 * timing: a search finds every event committed before it; an event the index has not taken in yet
 * can be rewritten (retention, erasure) or deleted (quarantine) without corrupting the index; and a
 * rowid SQLite reuses after the newest row is deleted is still indexed. FTS5's own integrity check
 * (which compares the index with audit_events) is the judge.
 */
describe('audit full-text index in batches (sqlite)', () => {
  let t: TestApp;
  let org: TestOrg;

  beforeAll(async () => {
    t = await createTestApp('sqlite');
    org = await t.createOrganization('Batch Search Co');
    // Only what a test does moves the mark: the search-index job would race the assertions.
    await t.services.jobs.stop();
  });
  afterAll(async () => {
    await t.close();
  });

  const mark = async () =>
    Number(
      (await t.db.selectFrom('auditSearchIndex').select('indexedUpto').executeTakeFirstOrThrow()).indexedUpto,
    );
  const maxRowid = async () =>
    Number(
      (await sql<{ n: number }>`select coalesce(max(rowid), 0) as n from audit_events`.execute(t.db)).rows[0]
        ?.n,
    );
  const indexIsExact = async () => {
    // The check compares the index with every row, so what is still pending (the searches' own
    // audit.searched events) is taken in first.
    await indexPendingSearchText(t.db, 'sqlite');
    // Throws SQLITE_CORRUPT_VTAB when the index and audit_events disagree.
    await sql`insert into audit_events_fts(audit_events_fts, rank) values ('integrity-check', 1)`.execute(
      t.db,
    );
  };
  /** One audit event (of an action nothing else here records) whose searchable metadata holds `word`. */
  const invite = async (word: string) => {
    await t.services.audit.recorder.recordAlone(
      { kind: 'anonymous', meta: { ip: null, userAgent: null, requestId: null, source: 'api' } },
      {
        action: 'alert_delivery.replayed',
        organizationId: org.id,
        actor: { type: 'system', id: 'search-index-test', name: 'Search index test' },
        metadata: { word },
      },
    );
  };
  const found = async (word: string) => {
    const res = await t.inject({
      url: `/api/v1/audit/events?q=${word}&action=alert_delivery.replayed`,
      token: org.owner.token,
    });
    expect(res.statusCode).toBe(200);
    return (res.json().events as unknown[]).length;
  };
  const rowidsOf = async (word: string) =>
    (
      await sql<{
        rowid: number;
      }>`select rowid from audit_events where search_text like ${`%${word}%`} order by rowid`.execute(t.db)
    ).rows.map((r) => Number(r.rowid));

  it('leaves new events to the batch, and a search indexes them before it runs', async () => {
    await invite('quokkafresh');
    const [rowid] = await rowidsOf('quokkafresh');
    expect(await mark()).toBeLessThan(rowid as number);
    expect(await found('quokkafresh')).toBe(1);
    // Taken in before the search ran (which then recorded its own audit.searched event).
    expect(await mark()).toBeGreaterThanOrEqual(rowid as number);
    await indexIsExact();
  });

  it('keeps the index exact when a pending event is rewritten before it is indexed', async () => {
    await invite('wombatpending');
    const [rowid] = await rowidsOf('wombatpending');
    expect(rowid).toBeGreaterThan(await mark());
    // What retention and erasure do to an event's search text.
    await sql`update audit_events set search_text = 'rewritten numbatword' where rowid = ${rowid}`.execute(
      t.db,
    );
    expect(await found('wombatpending')).toBe(0);
    expect(await found('numbatword')).toBe(1);
    await indexIsExact();
  });

  it('keeps the index exact when indexed and pending events are rewritten or deleted', async () => {
    await invite('dingoindexed');
    expect(await found('dingoindexed')).toBe(1);
    await invite('dingopending');
    const [indexed] = await rowidsOf('dingoindexed');
    const [pending] = await rowidsOf('dingopending');
    expect(indexed).toBeLessThanOrEqual(await mark());
    expect(pending).toBeGreaterThan(await mark());
    await sql`update audit_events set search_text = 'dingorewritten' where rowid = ${indexed}`.execute(t.db);
    await sql`delete from audit_events where rowid = ${pending}`.execute(t.db);
    await indexIsExact();
    expect(await found('dingoindexed')).toBe(0);
    expect(await found('dingorewritten')).toBe(1);
    expect(await found('dingopending')).toBe(0);
  });

  it('indexes a row that reuses the rowid of a deleted newest row', async () => {
    await invite('possumfirst');
    expect(await found('possumfirst')).toBe(1);
    await indexPendingSearchText(t.db, 'sqlite');
    const top = await maxRowid();
    expect(await mark()).toBe(top);
    // A writer with database access deletes the newest rows; SQLite hands their rowids out again.
    await sql`delete from audit_events where rowid >= ${top - 1}`.execute(t.db);
    expect(await mark()).toBe(await maxRowid());
    await invite('possumsecond');
    const [reused] = await rowidsOf('possumsecond');
    expect(reused).toBeLessThanOrEqual(top);
    expect(await found('possumsecond')).toBe(1);
    await indexIsExact();
  });

  it('takes a backlog larger than one batch in several transactions', async () => {
    await indexPendingSearchText(t.db, 'sqlite');
    const before = await mark();
    const backlog = SEARCH_INDEX_BATCH + 500;
    const [template] = (
      await sql<Record<string, unknown>>`select * from audit_events where rowid = ${before}`.execute(t.db)
    ).rows;
    expect(template).toBeDefined();
    // Copies of one event under seqs nobody uses: the index only needs rows to take in.
    await sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < ${backlog})
      insert into audit_events (log_id, seq, id, organization_id, occurred_at, received_at, actor_type,
        actor_id, action, outcome, source, request_id, actor_ip_key, data_subject, search_text, body, leaf_hash)
      select 'backlog-test', i, 'backlog-' || i, organization_id, occurred_at, received_at, actor_type,
        actor_id, action, outcome, source, request_id, actor_ip_key, data_subject, 'kangaroobacklog', body, leaf_hash
      from audit_events, n where audit_events.rowid = ${before}`.execute(t.db);
    expect(await indexPendingSearchText(t.db, 'sqlite')).toBe(backlog);
    expect(await mark()).toBe(await maxRowid());
    const hits = await sql<{
      n: number;
    }>`select count(*) as n from audit_events_fts where audit_events_fts match 'kangaroobacklog'`.execute(
      t.db,
    );
    expect(Number(hits.rows[0]?.n)).toBe(backlog);
    await indexIsExact();
    await sql`delete from audit_events where log_id = 'backlog-test'`.execute(t.db);
    await indexIsExact();
  });

  // Last: a row without search text is in audit_events but not in the index, which the full
  // comparison above would report; FTS5's check of its own structure still applies.
  it('drops a wiped search text from the index (retention, erasure)', async () => {
    await invite('emuwiped');
    expect(await found('emuwiped')).toBe(1);
    const [rowid] = await rowidsOf('emuwiped');
    await sql`update audit_events set search_text = null where rowid = ${rowid}`.execute(t.db);
    await invite('emupendingwiped');
    const [pending] = await rowidsOf('emupendingwiped');
    await sql`update audit_events set search_text = null where rowid = ${pending}`.execute(t.db);
    expect(await found('emuwiped')).toBe(0);
    expect(await found('emupendingwiped')).toBe(0);
    await sql`insert into audit_events_fts(audit_events_fts) values ('integrity-check')`.execute(t.db);
  });

  it('runs as a job of the server', () => {
    expect(t.services.jobs.states().map((job) => job.name)).toContain('audit.search-index');
  });
});
