/**
 * The audit trail's figures (docs/benchmarks.md, "Audit trail"): ingestion (audit-ingest.ts), search
 * over the cached 1,000,000-event data set (audit-search.ts) and `custos audit verify` over an export
 * of its largest organization, or of a data set of BENCH_AUDIT_VERIFY_EVENTS events in one
 * organization when that is larger (audit-verify.ts), and search plans on a fresh PostgreSQL
 * database (audit-plans.ts, issue 15; only with a PostgreSQL URL). BENCH_AUDIT_PARTS picks parts:
 * ingest,search,verify,plans (all by default).
 */
import { type DatasetMeta, ensureDataset, SEARCH_SET } from './audit-data';
import { runIngest } from './audit-ingest';
import { runPlans } from './audit-plans';
import { runSearch } from './audit-search';
import type { ServerInfo } from './audit-server';
import { cachedExport, type ExportedFile, makeExport, runVerify } from './audit-verify';
import { profileArgs, type SummaryRow, startChild, stopChild } from './common';

const PARTS = new Set((process.env.BENCH_AUDIT_PARTS ?? 'ingest,search,verify,plans').split(','));
const VERIFY_EVENTS = Number(process.env.BENCH_AUDIT_VERIFY_EVENTS ?? 0);

/** A server on a fresh copy of a data set (the copy takes a few seconds per GB). */
async function withDatasetServer<T>(dir: string, label: string, run: (info: ServerInfo) => Promise<T>) {
  const started = performance.now();
  const { child, info } = await startChild<ServerInfo>(
    './audit-server.ts',
    { BENCH_AUDIT_DB: 'dataset', BENCH_AUDIT_DATASET: dir },
    profileArgs(label),
  );
  console.log(
    `  server started on a copy of the data set in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  try {
    return await run(info);
  } finally {
    await stopChild(child);
  }
}

async function exportOf(dir: string, meta: DatasetMeta): Promise<ExportedFile> {
  return cachedExport(dir, meta) ?? withDatasetServer(dir, 'export', (info) => makeExport(info, dir, meta));
}

export async function runAudit(): Promise<SummaryRow[]> {
  const rows: SummaryRow[] = [];
  if (PARTS.has('ingest')) rows.push(...(await runIngest()));
  if (PARTS.has('plans')) rows.push(...(await runPlans()));
  if (!PARTS.has('search') && !PARTS.has('verify')) return rows;

  const search = await ensureDataset(SEARCH_SET);
  if (PARTS.has('search')) {
    rows.push(...(await withDatasetServer(search.dir, 'search', (info) => runSearch(info, search.meta))));
  }
  if (PARTS.has('verify')) {
    const largest = search.meta.orgs[0]?.events ?? 0;
    const source =
      VERIFY_EVENTS > largest ? await ensureDataset({ total: VERIFY_EVENTS, shares: [1] }) : search;
    rows.push(...(await runVerify(await exportOf(source.dir, source.meta))));
  }
  return rows;
}
