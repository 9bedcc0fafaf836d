import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database';

/**
 * The audit trail proper: events keep the exact canonical JSON that was hashed (`body`), search
 * projections beside it, the RFC 6962 tree as stored node hashes, signed checkpoints, idempotency
 * keys, saved searches, per-organization settings, and the keyring behind per-subject encryption.
 *
 * The foundation's audit_events table is rebuilt: its events are carried over with their original
 * canonical bodies (so their leaf hashes still match) and the tree is built for them.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  const old = await readOldEvents(db);
  await db.schema.dropTable('audit_events').execute();
  await db.schema.dropTable('audit_log_heads').execute();

  await db.schema
    .createTable('audit_events')
    .addColumn('log_id', 'text', (c) => c.notNull())
    .addColumn('seq', sql.raw(big), (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('organization_id', 'text')
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text')
    // Plaintext projections for search; wiped when the subject's key is destroyed or the body purged.
    .addColumn('actor_ip_key', 'text')
    .addColumn('data_subject', 'text')
    .addColumn('search_text', 'text')
    // The canonical JSON that was hashed; null once purged by retention (the leaf hash stays).
    .addColumn('body', 'text')
    .addColumn('leaf_hash', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_events_pk', ['log_id', 'seq'])
    .execute();
  await index(db, 'audit_events_actor_idx', ['log_id', 'actor_id', 'seq']);
  await index(db, 'audit_events_action_idx', ['log_id', 'action', 'seq']);
  await index(db, 'audit_events_time_idx', ['log_id', 'occurred_at']);
  await index(db, 'audit_events_ip_idx', ['log_id', 'actor_ip_key']);
  await index(db, 'audit_events_subject_idx', ['log_id', 'data_subject']);
  await index(db, 'audit_events_received_idx', ['log_id', 'received_at']);

  await db.schema
    .createTable('audit_event_targets')
    .addColumn('log_id', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('seq', sql.raw(big), (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_event_targets_pk', ['log_id', 'target_type', 'target_id', 'seq'])
    .execute();
  await index(db, 'audit_event_targets_target_idx', ['log_id', 'target_id', 'seq'], 'audit_event_targets');
  await index(db, 'audit_event_targets_event_idx', ['log_id', 'seq', 'target_type'], 'audit_event_targets');

  await db.schema
    .createTable('audit_tree_nodes')
    .addColumn('log_id', 'text', (c) => c.notNull())
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('idx', sql.raw(big), (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_tree_nodes_pk', ['log_id', 'level', 'idx'])
    .execute();

  await db.schema
    .createTable('audit_log_heads')
    .addColumn('log_id', 'text', (c) => c.primaryKey())
    .addColumn('size', sql.raw(big), (c) => c.notNull())
    // Hex hashes of the complete subtrees on the right edge, largest first: all a new leaf needs.
    .addColumn('frontier', 'text', (c) => c.notNull())
    .addColumn('checkpointed_size', sql.raw(big), (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('audit_checkpoints')
    .addColumn('log_id', 'text', (c) => c.notNull())
    .addColumn('tree_size', sql.raw(big), (c) => c.notNull())
    .addColumn('root_hash', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_checkpoints_pk', ['log_id', 'tree_size'])
    .execute();

  await db.schema
    .createTable('audit_idempotency_keys')
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('response', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_idempotency_keys_pk', ['organization_id', 'key'])
    .execute();
  await index(db, 'audit_idempotency_keys_expiry_idx', ['expires_at'], 'audit_idempotency_keys');

  await db.schema
    .createTable('audit_saved_searches')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) =>
      c.notNull().references('organizations.id').onDelete('cascade'),
    )
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('query', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('audit_saved_searches_name_unique', ['organization_id', 'user_id', 'name'])
    .execute();

  await db.schema
    .createTable('audit_settings')
    .addColumn('organization_id', 'text', (c) =>
      c.primaryKey().references('organizations.id').onDelete('cascade'),
    )
    .addColumn('retention_days', 'integer')
    .addColumn('legal_hold', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  // The keyring: one key-encryption key per scope (organization or the platform log), wrapped by the
  // master key, and data keys per subject wrapped by their scope's key. Destroying a data key erases.
  await db.schema
    .createTable('crypto_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('wrapped', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('destroyed_at', 'text')
    .execute();
  await sql`create unique index crypto_keys_live_unique on crypto_keys (scope, purpose, subject) where destroyed_at is null`.execute(
    db,
  );

  await createFullText(db, dialect);
  await carryOver(db, old);
}

async function index(db: Kysely<unknown>, name: string, columns: string[], table = 'audit_events') {
  await db.schema.createIndex(name).on(table).columns(columns).execute();
}

async function createFullText(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect === 'postgres') {
    await sql`alter table audit_events add column search_vector tsvector
      generated always as (to_tsvector('simple', coalesce(search_text, ''))) stored`.execute(db);
    await sql`create index audit_events_search_idx on audit_events using gin (search_vector)`.execute(db);
    return;
  }
  // External-content FTS5 over audit_events.search_text, kept in step by triggers.
  await sql`create virtual table audit_events_fts using fts5(
    search_text, content='audit_events', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
  )`.execute(db);
  await sql`create trigger audit_events_fts_insert after insert on audit_events
    when new.search_text is not null begin
      insert into audit_events_fts(rowid, search_text) values (new.rowid, new.search_text);
    end`.execute(db);
  await sql`create trigger audit_events_fts_update after update of search_text on audit_events begin
      insert into audit_events_fts(audit_events_fts, rowid, search_text)
        select 'delete', old.rowid, old.search_text where old.search_text is not null;
      insert into audit_events_fts(rowid, search_text)
        select new.rowid, new.search_text where new.search_text is not null;
    end`.execute(db);
  await sql`create trigger audit_events_fts_delete after delete on audit_events
    when old.search_text is not null begin
      insert into audit_events_fts(audit_events_fts, rowid, search_text) values ('delete', old.rowid, old.search_text);
    end`.execute(db);
}

interface OldEvent {
  logId: string;
  seq: number;
  body: Record<string, unknown>;
  row: Record<string, unknown>;
}

async function readOldEvents(db: Kysely<unknown>): Promise<OldEvent[]> {
  const rows = await sql<Record<string, unknown>>`select * from audit_events order by log_id, seq`.execute(
    db,
  );
  const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
  return rows.rows.map((r) => ({
    logId: String(r.log_id),
    seq: Number(r.seq),
    row: r,
    body: {
      id: r.id,
      organizationId: r.organization_id,
      seq: Number(r.seq),
      occurredAt: r.occurred_at,
      receivedAt: r.received_at,
      actor: json(r.actor),
      impersonator: r.impersonator ? json(r.impersonator) : null,
      action: r.action,
      outcome: r.outcome,
      targets: json(r.targets),
      source: r.source,
      requestId: r.request_id,
      changes: r.changes ? json(r.changes) : null,
      metadata: r.metadata ? json(r.metadata) : null,
    },
  }));
}

const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();

/** Re-inserts the foundation's events with their canonical bodies and builds their trees. */
async function carryOver(db: Kysely<unknown>, events: OldEvent[]): Promise<void> {
  const frontiers = new Map<string, { level: number; hash: Buffer }[]>();
  const sizes = new Map<string, number>();
  for (const e of events) {
    const body = canonicalize(e.body) ?? '{}';
    const leaf = sha(Buffer.from([0]), Buffer.from(body));
    const r = e.row;
    await sql`insert into audit_events (log_id, seq, id, organization_id, occurred_at, received_at, actor_type,
      actor_id, action, outcome, source, request_id, body, leaf_hash, search_text)
      values (${e.logId}, ${e.seq}, ${r.id}, ${r.organization_id}, ${r.occurred_at}, ${r.received_at},
      ${r.actor_type}, ${r.actor_id}, ${r.action}, ${r.outcome}, ${r.source}, ${r.request_id}, ${body},
      ${leaf.toString('hex')}, ${String(r.action)})`.execute(db);
    const index = (sizes.get(e.logId) ?? 0) + 0;
    const frontier = frontiers.get(e.logId) ?? [];
    await insertNode(db, e.logId, 0, index, leaf);
    let node = { level: 0, hash: leaf };
    let at = index;
    while (frontier.length > 0 && frontier[frontier.length - 1]?.level === node.level) {
      const left = frontier.pop() as { level: number; hash: Buffer };
      node = { level: node.level + 1, hash: sha(Buffer.from([1]), left.hash, node.hash) };
      at = Math.floor(at / 2);
      await insertNode(db, e.logId, node.level, at, node.hash);
    }
    frontier.push(node);
    frontiers.set(e.logId, frontier);
    sizes.set(e.logId, index + 1);
  }
  for (const [logId, frontier] of frontiers) {
    const hex = JSON.stringify(frontier.map((n) => n.hash.toString('hex')));
    await sql`insert into audit_log_heads (log_id, size, frontier, checkpointed_size)
      values (${logId}, ${sizes.get(logId) ?? 0}, ${hex}, 0)`.execute(db);
  }
}

async function insertNode(db: Kysely<unknown>, logId: string, level: number, idx: number, hash: Buffer) {
  await sql`insert into audit_tree_nodes (log_id, level, idx, hash)
    values (${logId}, ${level}, ${idx}, ${hash.toString('hex')})`.execute(db);
}
