/**
 * Baseline of the batch-ingest benchmark: the rows the append path writes for the benchmark's events
 * (audit_events, every tree node the new leaves complete, audit_event_targets, and the log head),
 * inserted with prepared better-sqlite3 statements in transactions of 100 events, into a fresh
 * migrated SQLite file with the server's pragmas. Sealing, canonical JSON and hashing are done
 * beforehand with the server's own functions, so only the inserts are timed.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrateToLatest, openDatabase } from '@custos/server/db';
import { AuditEventInput, type AuditEventInputParsed } from '@custos/shared';
import Sqlite from 'better-sqlite3';
import { canonicalBody, leafHashOfCanonical } from '../packages/server/src/modules/audit/event';
import { draftOf } from '../packages/server/src/modules/audit/ingest';
import { appendLeaf, type StoredNode } from '../packages/server/src/modules/audit/merkle';
import { prepareDrafts } from '../packages/server/src/modules/audit/prepare';
import { Keyring } from '../packages/server/src/platform/crypto/keyring';

const LOG_ID = 'bench-raw-org';
const TRANSACTION_EVENTS = 100;

type EventValues = [
  string, // log_id
  number, // seq
  string, // id
  string | null, // organization_id
  string, // occurred_at
  string, // received_at
  string, // actor_type
  string | null, // actor_id
  string, // action
  string, // outcome
  string, // source
  string | null, // request_id
  string | null, // actor_ip_key
  string | null, // data_subject
  string | null, // search_text
  string, // body
  string, // leaf_hash
];

interface Precomputed {
  events: EventValues[];
  /** Per event: its [log_id, target_type, target_id, seq] rows. */
  targets: [string, string, string, number][][];
  /** Per event: the tree nodes its leaf completes, [log_id, level, idx, hash]. */
  nodes: [string, number, number, string][][];
  /** Per event: the head's frontier after it (hex hashes, JSON). */
  frontiers: string[];
}

/** Seals, canonicalizes and hashes `count` events (the batch body's events, cycled) as the server would. */
async function precompute(file: string, batch: unknown[], count: number): Promise<Precomputed> {
  const database = openDatabase({ kind: 'sqlite', file });
  await migrateToLatest(database);
  const keyring = new Keyring(randomBytes(32));
  const inputs = batch.map((e) => AuditEventInput.parse(e));
  const out: Precomputed = { events: [], targets: [], nodes: [], frontiers: [] };
  let frontier: StoredNode[] = [];
  let size = 0;
  const CHUNK = 5000;
  for (let start = 0; start < count; start += CHUNK) {
    const n = Math.min(CHUNK, count - start);
    const receivedAt = new Date().toISOString();
    const drafts = Array.from({ length: n }, (_, k) =>
      draftOf(inputs[(start + k) % inputs.length] as AuditEventInputParsed, LOG_ID, receivedAt),
    );
    // The subject keys this creates stay in the file, as they would in the server's database.
    const { events, promote } = await database.db
      .transaction()
      .execute((trx) => prepareDrafts(keyring, trx, LOG_ID, drafts));
    promote();
    for (const event of events) {
      const seq = size + 1;
      const body = canonicalBody({ ...event.body, seq });
      const leafHash = leafHashOfCanonical(body);
      const appended = appendLeaf(frontier, size, Buffer.from(leafHash, 'hex'));
      frontier = appended.frontier;
      const e = event.body;
      const p = event.projections;
      out.events.push([
        LOG_ID,
        seq,
        e.id,
        e.organizationId,
        e.occurredAt,
        e.receivedAt,
        e.actor.type,
        e.actor.id,
        e.action,
        e.outcome,
        e.source,
        e.requestId,
        p.actorIpKey,
        p.dataSubject,
        p.searchText,
        body,
        leafHash,
      ]);
      out.targets.push(e.targets.map((t) => [LOG_ID, t.type, t.id, seq]));
      out.nodes.push(
        appended.created.map((node) => [LOG_ID, node.level, node.index, node.hash.toString('hex')]),
      );
      out.frontiers.push(JSON.stringify(frontier.map((node) => node.hash.toString('hex'))));
      size += 1;
    }
  }
  await database.destroy();
  return out;
}

export interface RawResult {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  precomputeSeconds: number;
}

/** Raw inserts of `count` events built from the batch body's events; events per second. */
export async function rawBatchInserts(batch: unknown[], count: number): Promise<RawResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-bench-raw-'));
  try {
    const file = path.join(dir, 'raw.db');
    const t0 = performance.now();
    const rows = await precompute(file, batch, count);
    const precomputeSeconds = (performance.now() - t0) / 1000;

    const db = new Sqlite(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    const insertEvent = db.prepare(
      `insert into audit_events (log_id, seq, id, organization_id, occurred_at, received_at, actor_type,
        actor_id, action, outcome, source, request_id, actor_ip_key, data_subject, search_text, body, leaf_hash)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertTarget = db.prepare(
      'insert into audit_event_targets (log_id, target_type, target_id, seq) values (?, ?, ?, ?) on conflict do nothing',
    );
    const insertNode = db.prepare(
      'insert into audit_tree_nodes (log_id, level, idx, hash) values (?, ?, ?, ?)',
    );
    const moveHead = db.prepare(
      `insert into audit_log_heads (log_id, size, frontier) values (?, ?, ?)
        on conflict (log_id) do update set size = excluded.size, frontier = excluded.frontier`,
    );
    const insertGroup = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        insertEvent.run(rows.events[i]);
        for (const t of rows.targets[i] ?? []) insertTarget.run(t);
        for (const n of rows.nodes[i] ?? []) insertNode.run(n);
      }
      moveHead.run(LOG_ID, to, rows.frontiers[to - 1]);
    });
    const t1 = performance.now();
    for (let from = 0; from < count; from += TRANSACTION_EVENTS) {
      insertGroup(from, Math.min(count, from + TRANSACTION_EVENTS));
    }
    const seconds = (performance.now() - t1) / 1000;
    db.close();
    return { events: count, seconds, eventsPerSecond: count / seconds, precomputeSeconds };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
