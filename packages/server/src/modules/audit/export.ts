import { Readable } from 'node:stream';
import { type AuditEventOut, AuditExportQuery, type AuditSearchQuery } from '@custos/shared';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { nowIso } from '../../platform/clock';
import type { Keyring } from '../../platform/crypto/keyring';
import type { Dialect } from '../../platform/db/database';
import type { DB } from '../../platform/db/schema';
import { runAsJob, stepsAsJob } from '../../platform/db/statement-timeout';
import { authorize, type Caller, requireStepUp } from '../../platform/http/caller';
import { badRequest } from '../../platform/http/errors';
import { AUTHENTICATED } from '../../platform/http/openapi';
import { identity } from '../identity';
import { AuditLogTamperedError } from './append';
import {
  type Checkpoint,
  type CheckpointSigner,
  type Checkpoints,
  noteWithCosignatures,
} from './checkpoints';
import * as exportStore from './export-store';
import type { IntegrityAlarms } from './integrity';
import {
  consistencyProofPlan,
  hashFromSubtrees,
  inclusionProofPlan,
  type NodeAddress,
  type ProofPlan,
} from './merkle';
import { presentRows } from './present';
import { quarantinedEvents } from './quarantine-store';
import type { AuditRecorder } from './recorder';
import { resolveSearchFilters } from './search-filters';
import { countEvents, type SearchFilters, type StoredEventRow, searchEvents } from './search-store';
import { logSize, nodesAt } from './store';
import { EXPORT_FORMAT } from './verify';

/**
 * Streaming export of an organization's audit log (docs/audit-export.md): JSONL that an offline
 * verifier can check against signed checkpoints, or CSV for spreadsheets. Pages by seq (keyset), so
 * memory stays flat for any log size, and the stream is pulled by the socket (backpressure).
 */

export const EXPORT_EVENTS_HEADER = 'x-custos-export-events';
const PAGE = 1000;
const CHECKPOINT_PAGE = 100;

type ExportQuery = z.infer<typeof AuditExportQuery>;

export interface AuditExporterDeps {
  db: Kysely<DB>;
  dialect: Dialect;
  keyring: Keyring;
  audit: AuditRecorder;
  checkpoints: Checkpoints;
  signer: CheckpointSigner;
  alarms: IntegrityAlarms;
  /** Resolves once the witnesses answered for the log's newest checkpoint (or gave up). */
  cosigned?: (logId: string) => Promise<void>;
}

export interface ExportFile {
  filename: string;
  contentType: string;
  /** Event lines (JSONL) or rows (CSV) the file will hold. */
  events: number;
  body: Readable;
}

interface ExportContext {
  db: Kysely<DB>;
  dialect: Dialect;
  keyring: Keyring;
  logId: string;
  /** Size of the checkpoint signed when the export started: nothing after it is exported. */
  treeSize: number;
  checkpoint: Checkpoint | null;
  filters: SearchFilters;
}

export function createAuditExporter(deps: AuditExporterDeps) {
  const { db, dialect, keyring, audit, checkpoints, signer, alarms } = deps;
  /**
   * The tree an export covers: the checkpoint signed now. When the signer refuses (the history
   * was changed under it), the whole stored head instead, with the last stored checkpoint: the
   * verifier, given a checkpoint kept outside Custos, then names where the history broke.
   */
  async function exportedTree(logId: string) {
    const signed = await checkpoints.current(logId);
    const integrity = alarms.ofLog(logId);
    if (signed || integrity.length === 0) {
      // With witnesses, the export carries their co-signatures of the checkpoint it covers.
      await deps.cosigned?.(logId);
      const checkpoint = signed && (await checkpoints.atSize(logId, signed.treeSize));
      return { checkpoint: checkpoint ?? signed, treeSize: signed?.treeSize ?? 0, alarms: integrity };
    }
    const treeSize = await logSize(db, logId);
    return { checkpoint: await checkpoints.latest(logId, treeSize), treeSize, alarms: integrity };
  }

  /** Authorizes, pins the tree size with a fresh checkpoint, records the export, then streams. */
  async function startExport(caller: Caller, query: ExportQuery): Promise<ExportFile> {
    const c = authorize(caller, 'audit:export');
    requireStepUp(c);
    const { format, ...filters } = query;
    if (filters.from && filters.to && Date.parse(filters.from) > Date.parse(filters.to)) {
      throw badRequest('AUDIT_FILTER_INVALID', '`from` must be before `to`.');
    }
    const logId = c.organizationId;
    const { checkpoint, treeSize, alarms: integrity } = await exportedTree(logId);
    const described = definedFields(filters);
    const complete = Object.keys(described).length === 0;
    const ctx: ExportContext = {
      db,
      dialect,
      keyring,
      logId,
      treeSize,
      checkpoint,
      filters: await resolveSearchFilters(db, keyring, c, filters),
    };
    const events = format === 'jsonl' && complete ? treeSize : await countMatching(ctx, complete);
    await audit
      .recordAlone(c, { action: 'audit.exported', metadata: { format, filters: described, treeSize } })
      .catch((error: unknown) => {
        // A row in the way of the log's next seq must not stop the export that shows it.
        if (!(error instanceof AuditLogTamperedError)) throw error;
      });
    const exportedAt = nowIso();
    const header = {
      type: 'header',
      format: EXPORT_FORMAT,
      origin: await checkpoints.originOf(logId),
      organizationId: logId,
      exportedAt,
      filters: described,
      complete,
      treeSize,
      verifierKeys: [signer.verifierKey],
      // What the server found wrong with this log; the verifier reports it unless it finds worse first.
      ...(integrity.length > 0
        ? { integrityAlarms: integrity.map(({ kind, message, seq }) => ({ kind, message, seq })) }
        : {}),
    };
    const lines =
      format === 'csv' ? csvLines(ctx) : complete ? completeLines(ctx, header) : filteredLines(ctx, header);
    const name = `custos-audit-${await slugOf(db, logId)}-${exportedAt.slice(0, 10)}.${format}`;
    return {
      filename: name,
      contentType: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
      events,
      // Byte mode, so the high-water mark counts bytes: at most a page is held beyond the socket.
      // The socket pulls each page from its own async context: every step runs as the job again.
      body: Readable.from(stepsAsJob(lines), { objectMode: false }),
    };
  }

  return {
    /** Runs as a job: an export reads a whole log, so it gets the job statement timeout, not a request's. */
    start: (caller: Caller, query: ExportQuery) => runAsJob(() => startExport(caller, query)),
  };
}

export type AuditExporter = ReturnType<typeof createAuditExporter>;

export function auditExportRoutes(exporter: AuditExporter) {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/api/v1/audit/export',
      {
        schema: {
          tags: ['audit'],
          security: AUTHENTICATED,
          summary:
            'Stream the audit trail as verifiable JSONL (custos.audit.export/v1) or CSV; x-custos-export-events counts the events',
          querystring: AuditExportQuery,
        },
      },
      async (req, reply) => {
        const file = await exporter.start(req.caller, req.query);
        return reply
          .header('content-type', file.contentType)
          .header('content-disposition', `attachment; filename="${file.filename}"`)
          .header(EXPORT_EVENTS_HEADER, String(file.events))
          .send(file.body);
      },
    );
  };
}

// ---------------------------------------------------------------------------------------------
// JSONL, complete: every tree leaf with the row stored for it, checkpoints in place, strays.

interface LeafRow {
  idx: number;
  hash: string;
  /** The event row at seq idx + 1, if there is one. */
  row: StoredEventRow | null;
}

const line = (value: unknown) => `${JSON.stringify(value)}\n`;

async function* completeLines(ctx: ExportContext, header: object): AsyncGenerator<string> {
  yield line(header);
  const checkpoints = new PagedCursor<CheckpointLines>((last) => checkpointPage(ctx, last), CHECKPOINT_PAGE);
  let next = 0;
  let count = 0;
  while (next < ctx.treeSize) {
    const leaves = await leafPage(ctx, next);
    if (leaves.length === 0) break;
    const [events, interior] = await Promise.all([
      presentSafely(
        ctx,
        leaves.map((l) => l.row),
      ),
      interiorNodes(ctx, leaves[0]?.idx ?? 0, leaves.at(-1)?.idx ?? 0),
    ]);
    let out = '';
    for (const [i, leaf] of leaves.entries()) {
      // A checkpoint of size s goes right after leaf s, where a verifier has exactly that tree.
      out += await checkpoints.takeWhile((c) => c.treeSize <= leaf.idx);
      if (leaf.idx > next) {
        if (out) yield out;
        out = '';
        yield* strayLines(ctx, next + 1, leaf.idx);
      }
      out += line({
        type: 'event',
        seq: leaf.idx + 1,
        leafHash: leaf.hash,
        storedLeafHash: leaf.row?.leafHash ?? null,
        body: leaf.row?.body ?? null,
        event: events[i] ?? null,
        nodes: completedBy(leaf.idx).map((a) => interior.get(nodeKey(a)) ?? null),
      });
      next = leaf.idx + 1;
      count += 1;
    }
    yield out;
  }
  if (next < ctx.treeSize) yield* strayLines(ctx, next + 1, ctx.treeSize);
  const remaining = await checkpoints.takeWhile(() => true);
  if (remaining) yield remaining;
  // Two ranges rather than one OR, so each is an index range scan.
  yield* strayLines(ctx, Number.MIN_SAFE_INTEGER, 0);
  yield* strayLines(ctx, ctx.treeSize + 1, Number.MAX_SAFE_INTEGER);
  // Rows once found past the head and moved aside: evidence the verifier names.
  const quarantined = await quarantinedEvents(ctx.db, ctx.logId);
  if (quarantined.length > 0) yield quarantined.map((q) => line({ type: 'quarantined', ...q })).join('');
  yield line({ type: 'trailer', events: count });
}

/** One page of level-0 nodes from index `from`, each with the event row at its seq (if any). */
async function leafPage(ctx: ExportContext, from: number): Promise<LeafRow[]> {
  const rows = await exportStore.leavesWithEvents(ctx.db, ctx.logId, from, ctx.treeSize, PAGE);
  // A joined row has every NOT NULL column of audit_events; the left join only makes them optional.
  return rows.map(({ idx, hash, seq, ...e }) => ({
    idx: Number(idx),
    hash,
    row: seq === null ? null : ({ ...e, seq: Number(seq) } as StoredEventRow),
  }));
}

/** The interior nodes leaf `index` completes, bottom-up: (L, i) with (i + 1)·2^L − 1 = index. */
function completedBy(index: number): NodeAddress[] {
  const nodes: NodeAddress[] = [];
  for (let level = 1, span = 2; (index + 1) % span === 0; level++, span *= 2) {
    nodes.push({ level, index: (index + 1) / span - 1 });
  }
  return nodes;
}

/**
 * The stored interior nodes completed by the leaves [first, last], so the verifier can check every
 * node proofs are served from (a changed interior node otherwise hides until someone asks for a
 * proof through it).
 */
async function interiorNodes(ctx: ExportContext, first: number, last: number): Promise<Map<string, string>> {
  const ranges: { level: number; from: number; to: number }[] = [];
  for (let level = 1, span = 2; span <= last + 1; level++, span *= 2) {
    const from = Math.ceil((first + 1) / span) - 1;
    const to = Math.floor((last + 1) / span) - 1;
    if (from <= to) ranges.push({ level, from, to });
  }
  const found = new Map<string, string>();
  // One index range scan per level: an OR of ranges makes both databases scan the log's whole tree.
  for (const r of ranges) {
    const rows = await exportStore.nodesInRange(ctx.db, ctx.logId, r.level, r.from, r.to);
    for (const row of rows) found.set(nodeKey({ level: r.level, index: Number(row.idx) }), row.hash);
  }
  return found;
}

/**
 * Event rows with a seq in [from, to] and no leaf in the tree: inside the tree's range (where the
 * walk found a gap), and beyond it. Rows appended since the export began always have their leaf
 * (same transaction), so only rows written around the append path show up.
 */
async function* strayLines(ctx: ExportContext, from: number, to: number): AsyncGenerator<string> {
  for (let after = from - 1; ; ) {
    const rows = await exportStore.eventsWithoutLeaf(ctx.db, ctx.logId, after, to, PAGE);
    if (rows.length > 0)
      yield rows.map((r) => line({ type: 'stray', seq: Number(r.seq), body: r.body })).join('');
    if (rows.length < PAGE) return;
    after = Number(rows.at(-1)?.seq);
  }
}

interface CheckpointLines {
  treeSize: number;
  /** The checkpoint line, and the consistency line from the previous checkpoint. */
  text: string;
}

async function checkpointPage(
  ctx: ExportContext,
  after: CheckpointLines | undefined,
): Promise<CheckpointLines[]> {
  const rows = await exportStore.checkpointsBetween(
    ctx.db,
    ctx.logId,
    after?.treeSize ?? 0,
    ctx.treeSize,
    CHECKPOINT_PAGE,
  );
  let previous = after?.treeSize ?? 0;
  const pairs = rows.map((row) => {
    const pair = { row, from: previous, to: Number(row.treeSize) };
    previous = pair.to;
    return pair;
  });
  const proofs = await resolvePlans(
    ctx,
    pairs.map(({ from, to }) => (from > 0 ? consistencyProofPlan(from, to) : [])),
  );
  return pairs.map(({ row, from, to }, i) => {
    const note = noteWithCosignatures(row.note, row.cosignatures);
    const checkpoint = line({ type: 'checkpoint', treeSize: to, rootHash: row.rootHash, note });
    const consistency = from > 0 ? line({ type: 'consistency', from, to, proof: proofs[i] ?? null }) : '';
    return { treeSize: to, text: checkpoint + consistency };
  });
}

// ---------------------------------------------------------------------------------------------
// JSONL, filtered: matching events, each with its inclusion proof in the exported tree.

async function* filteredLines(ctx: ExportContext, header: object): AsyncGenerator<string> {
  yield line(header);
  let count = 0;
  for await (const rows of matchingPages(ctx, PAGE)) {
    const [events, proofs] = await Promise.all([
      presentSafely(ctx, rows),
      resolvePlans(
        ctx,
        rows.map((r) => inclusionProofPlan(r.seq - 1, ctx.treeSize)),
      ),
    ]);
    count += rows.length;
    yield rows
      .map((row, i) =>
        line({
          type: 'event',
          seq: row.seq,
          leafHash: row.leafHash,
          body: row.body,
          event: events[i] ?? null,
          proof: proofs[i] ?? null,
        }),
      )
      .join('');
  }
  const c = ctx.checkpoint;
  const checkpoint = c
    ? line({ type: 'checkpoint', treeSize: c.treeSize, rootHash: c.rootHash, note: c.note })
    : '';
  yield checkpoint + line({ type: 'trailer', events: count });
}

/** The log's events matching the filters, oldest first, up to the exported tree size. */
async function* matchingPages(ctx: ExportContext, size: number): AsyncGenerator<StoredEventRow[]> {
  for (let after = 0; ; ) {
    const rows = await searchEvents(ctx.db, ctx.dialect, ctx.logId, ctx.filters, {
      afterSeq: after,
      beforeSeq: ctx.treeSize + 1,
      limit: size,
      ascending: true,
    });
    if (rows.length > 0) yield rows;
    if (rows.length < size) return;
    after = (rows.at(-1) as StoredEventRow).seq;
  }
}

/** The number of events an export will hold, for the progress header. */
async function countMatching(ctx: ExportContext, complete: boolean): Promise<number> {
  return countEvents(ctx.db, ctx.dialect, ctx.logId, complete ? {} : ctx.filters, ctx.treeSize);
}

// ---------------------------------------------------------------------------------------------
// CSV: one row per matching event, as the API presents it.

const CSV_COLUMNS = [
  'seq',
  'id',
  'occurredAt',
  'receivedAt',
  'action',
  'outcome',
  'actorType',
  'actorId',
  'actorName',
  'actorEmail',
  'actorIp',
  'targets',
  'source',
  'requestId',
  'metadata',
  'leafHash',
] as const;

async function* csvLines(ctx: ExportContext): AsyncGenerator<string> {
  yield csvRow([...CSV_COLUMNS]);
  for await (const rows of matchingPages(ctx, PAGE)) {
    const events = await presentSafely(ctx, rows);
    yield rows.map((row, i) => csvRow(csvFields(row, events[i] ?? null))).join('');
  }
}

function csvFields(row: StoredEventRow, event: AuditEventOut | null): (string | number | null | undefined)[] {
  const actor = event?.actor;
  return [
    row.seq,
    row.id,
    row.occurredAt,
    row.receivedAt,
    row.action,
    row.outcome,
    row.actorType,
    row.actorId,
    actor?.name,
    actor?.email,
    actor?.ip,
    event?.targets.map((t) => `${t.type}:${t.id}`).join(';'),
    row.source,
    row.requestId,
    event?.metadata ? JSON.stringify(event.metadata) : null,
    row.leafHash,
  ];
}

function csvRow(cells: (string | number | null | undefined)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/**
 * One RFC 4180 cell. Text a spreadsheet would run as a formula (= + - @, or a leading tab or CR)
 * gets a leading apostrophe: audit data comes from host apps and must not execute on an auditor's
 * machine (OWASP "CSV injection").
 */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

// ---------------------------------------------------------------------------------------------
// Shared helpers.

/**
 * Events as the API shows them. A body altered in the database may not even parse: such events
 * are exported with `event: null` rather than failing the export — the verifier names them.
 */
async function presentSafely(
  ctx: ExportContext,
  rows: (StoredEventRow | null)[],
): Promise<(AuditEventOut | null)[]> {
  const present = (list: StoredEventRow[]) => presentRows(ctx.db, ctx.keyring, ctx.logId, list);
  const stored = rows.filter((r): r is StoredEventRow => r !== null);
  let shown: (AuditEventOut | null)[];
  try {
    shown = await present(stored);
  } catch (error) {
    if (!isBodyError(error)) throw error;
    shown = await Promise.all(
      stored.map((row) =>
        present([row]).then(
          ([event]) => event ?? null,
          (e: unknown) => {
            if (isBodyError(e)) return null;
            throw e;
          },
        ),
      ),
    );
  }
  let at = 0;
  return rows.map((r) => (r === null ? null : (shown[at++] ?? null)));
}

const isBodyError = (error: unknown) => error instanceof SyntaxError || error instanceof TypeError;

/**
 * Proofs for a batch of plans with one read per tree level, instead of a size check and several
 * reads per proof (proofs.ts): an export needs thousands. A plan whose nodes are missing from the
 * store gets `null`, so the export goes on and the verifier reports it.
 */
async function resolvePlans(ctx: ExportContext, plans: ProofPlan[]): Promise<(string[] | null)[]> {
  const found = await readNodeMap(
    ctx,
    plans.flatMap((p) => p.flat()),
  );
  return plans.map((plan) => {
    const proof: string[] = [];
    for (const element of plan) {
      const hashes = element.map((a) => found.get(nodeKey(a)));
      if (hashes.some((h) => h === undefined)) return null;
      proof.push(hashFromSubtrees(hashes as Buffer[]).toString('hex'));
    }
    return proof;
  });
}

const nodeKey = (a: NodeAddress) => `${a.level}:${a.index}`;

async function readNodeMap(ctx: ExportContext, addresses: NodeAddress[]): Promise<Map<string, Buffer>> {
  const byLevel = new Map<number, Set<number>>();
  for (const a of addresses) byLevel.set(a.level, (byLevel.get(a.level) ?? new Set()).add(a.index));
  const found = new Map<string, Buffer>();
  for (const [level, indexes] of byLevel) {
    const all = [...indexes];
    for (let i = 0; i < all.length; i += 500) {
      const rows = await nodesAt(ctx.db, ctx.logId, level, all.slice(i, i + 500));
      for (const r of rows) found.set(nodeKey({ level, index: Number(r.idx) }), Buffer.from(r.hash, 'hex'));
    }
  }
  return found;
}

/** Pulls text items one at a time from a keyset-paged source, fetching the next page only when needed. */
class PagedCursor<T extends { text: string }> {
  #page: T[] = [];
  #at = 0;
  #done = false;

  constructor(
    private readonly fetch: (last: T | undefined) => Promise<T[]>,
    private readonly pageSize: number,
  ) {}

  /** Concatenates the text of the items at the front that satisfy `test`, consuming them. */
  async takeWhile(test: (item: T) => boolean): Promise<string> {
    let text = '';
    for (let item = await this.#peek(); item && test(item); item = await this.#peek()) {
      text += item.text;
      this.#at += 1;
    }
    return text;
  }

  async #peek(): Promise<T | undefined> {
    if (this.#at < this.#page.length) return this.#page[this.#at];
    if (this.#done) return undefined;
    this.#page = await this.fetch(this.#page.at(-1));
    this.#at = 0;
    this.#done = this.#page.length < this.pageSize;
    return this.#page[0];
  }
}

/** Filters that were actually given: what an export's audit event and header record. */
function definedFields(filters: AuditSearchQuery): Record<string, unknown> {
  return Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined));
}

async function slugOf(db: Kysely<DB>, organizationId: string): Promise<string> {
  const organization = await identity.findOrganization(db, organizationId);
  // The filename sits inside a quoted header value: keep it to safe characters.
  return (organization?.slug ?? organizationId).replace(/[^A-Za-z0-9_-]/g, '-');
}
