/**
 * Ingestion over HTTP, each measurement on a fresh server process and database:
 *   batch   POST /api/v1/audit/events/batch, 100 events a request, vs raw better-sqlite3 inserts of
 *           the same rows (audit-raw.ts), goal ratio >= 0.5 (SQLite);
 *   single  POST /api/v1/audit/events with 64 connections, goal >= 10,000 events/s and p99 < 20 ms,
 *           beside a bare Fastify route that only parses the body (the HTTP ceiling of this machine).
 * Both run on SQLite and, when CUSTOS_BENCH_DATABASE_URL (or CUSTOS_TEST_DATABASE_URL) is set, on
 * PostgreSQL in a fresh schema that is dropped afterwards.
 */
import { hostEvent } from './audit-events';
import { rawBatchInserts } from './audit-raw';
import type { ServerInfo } from './audit-server';
import {
  fmt,
  int,
  type Load,
  load,
  profileArgs,
  SECONDS,
  type SummaryRow,
  startChild,
  stopChild,
} from './common';

const BATCH_SIZE = 100;
const BATCH_CONNECTIONS = Number(process.env.BENCH_AUDIT_BATCH_CONNECTIONS ?? 8);
const SINGLE_CONNECTIONS = Number(process.env.BENCH_AUDIT_CONNECTIONS ?? 64);
/** The raw baseline inserts as many events as the server wrote, up to this many. */
const RAW_MAX = Number(process.env.BENCH_AUDIT_RAW_MAX ?? 200_000);

export const postgresUrl = process.env.CUSTOS_BENCH_DATABASE_URL ?? process.env.CUSTOS_TEST_DATABASE_URL;

type Backend = 'sqlite' | 'postgres';

/** Runs `run` against a fresh server; `commits` is the server's group-commit summary. */
async function withServer<T>(
  backend: Backend,
  label: string,
  run: (info: ServerInfo) => Promise<T>,
): Promise<{ result: T; commits: string }> {
  const env: Record<string, string> = { BENCH_AUDIT_DB: backend };
  if (backend === 'postgres' && postgresUrl) env.BENCH_AUDIT_PG_URL = postgresUrl;
  const { child, info, later } = await startChild<ServerInfo>('./audit-server.ts', env, profileArgs(label));
  let result: T;
  try {
    result = await run(info);
  } finally {
    await stopChild(child);
  }
  return { result, commits: later.join(' ') };
}

function post(url: string, key: string, body: string, connections: number, duration?: number) {
  return load({
    url,
    method: 'POST',
    connections,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body,
    ...(duration ? { duration } : {}),
  });
}

const line = (label: string, perSecond: number, unit: string, l: Load) =>
  console.log(
    `  ${label.padEnd(44)} ${fmt(perSecond)} ${unit}   p50 ${fmt(l.p50)} ms   p99 ${fmt(l.p99)} ms   errors ${l.errors + l.non2xx}`,
  );

async function batchOn(backend: Backend) {
  const body = JSON.stringify({ events: Array.from({ length: BATCH_SIZE }, (_, i) => hostEvent(i)) });
  return withServer(backend, `batch-${backend}`, async (info) => {
    const key = info.orgs[0]?.writeKey ?? '';
    const url = `${info.url}/api/v1/audit/events/batch`;
    await post(url, key, body, BATCH_CONNECTIONS, 2);
    return post(url, key, body, BATCH_CONNECTIONS);
  });
}

async function singleOn(backend: Backend) {
  const body = JSON.stringify(hostEvent(0));
  return withServer(backend, `single-${backend}`, async (info) => {
    const key = info.orgs[0]?.writeKey ?? '';
    const url = `${info.url}/api/v1/audit/events`;
    await post(url, key, body, SINGLE_CONNECTIONS, 2);
    return post(url, key, body, SINGLE_CONNECTIONS);
  });
}

/** The same requests against bare-server.ts, in a process of its own. */
async function bareSingle(): Promise<Load> {
  const { child, info } = await startChild<{ url: string }>('./bare-server.ts');
  try {
    const body = JSON.stringify(hostEvent(0));
    return await post(`${info.url}/events`, 'none', body, SINGLE_CONNECTIONS);
  } finally {
    await stopChild(child);
  }
}

export async function runIngest(): Promise<SummaryRow[]> {
  const rows: SummaryRow[] = [];
  const backends: Backend[] = postgresUrl ? ['sqlite', 'postgres'] : ['sqlite'];
  console.log(
    `\n== Audit ingestion: ${SECONDS}s per measurement; batches of ${BATCH_SIZE} with ${BATCH_CONNECTIONS} connections, single events with ${SINGLE_CONNECTIONS}`,
  );
  if (!postgresUrl) console.log('  (PostgreSQL skipped: set CUSTOS_BENCH_DATABASE_URL to include it)');

  let bare: Load | null = null;
  for (const backend of backends) {
    console.log(`\nBatch ingest, ${backend}`);
    const { result: batchLoad, commits: batchCommits } = await batchOn(backend);
    const batch = { eventsPerSecond: batchLoad.okPerSecond * BATCH_SIZE, load: batchLoad };
    line(`POST /api/v1/audit/events/batch (x${BATCH_SIZE})`, batch.eventsPerSecond, 'events/s', batch.load);
    console.log(`    server: ${batchCommits}`);
    if (backend === 'sqlite') {
      const count = Math.min(RAW_MAX, Math.max(10_000, batch.load.ok * BATCH_SIZE));
      const raw = await rawBatchInserts(
        Array.from({ length: BATCH_SIZE }, (_, i) => hostEvent(i)),
        count,
      );
      console.log(
        `  ${'raw better-sqlite3 inserts, same rows'.padEnd(44)} ${fmt(raw.eventsPerSecond)} events/s   (${int(raw.events)} events in ${raw.seconds.toFixed(1)} s, tx of 100; precomputed in ${raw.precomputeSeconds.toFixed(1)} s)`,
      );
      const ratio = batch.eventsPerSecond / raw.eventsPerSecond;
      console.log(`  ratio ${ratio.toFixed(3)} (goal >= 0.5) ${ratio >= 0.5 ? 'MET' : 'NOT MET'}`);
      rows.push({
        measurement: 'batch ingest / raw inserts (sqlite)',
        figure: `${ratio.toFixed(3)} (${int(batch.eventsPerSecond)} vs ${int(raw.eventsPerSecond)} ev/s)`,
        goal: '>= 0.5',
        met: ratio >= 0.5,
      });
    } else {
      rows.push({
        measurement: `batch ingest (${backend})`,
        figure: `${int(batch.eventsPerSecond)} events/s`,
        goal: '—',
        met: null,
      });
    }

    console.log(`\nSingle-event ingest, ${backend}, ${SINGLE_CONNECTIONS} connections`);
    const { result: single, commits: singleCommits } = await singleOn(backend);
    bare ??= await bareSingle();
    line('POST /api/v1/audit/events', single.okPerSecond, 'events/s', single);
    console.log(`    server: ${singleCommits}`);
    line('bare Fastify POST (JSON parse only)', bare.okPerSecond, 'req/s   ', bare);
    const met = single.okPerSecond >= 10_000 && single.p99 < 20;
    console.log(
      `  ratio to bare ${(single.okPerSecond / bare.okPerSecond).toFixed(3)}; goal >= 10,000 events/s and p99 < 20 ms: ${met ? 'MET' : 'NOT MET'}`,
    );
    rows.push({
      measurement: `single-event ingest (${backend}, ${SINGLE_CONNECTIONS} conn)`,
      figure: `${int(single.okPerSecond)} events/s, p99 ${single.p99.toFixed(1)} ms`,
      goal: '>= 10,000/s, p99 < 20 ms',
      met,
    });
  }
  return rows;
}
