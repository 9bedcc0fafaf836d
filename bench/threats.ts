/**
 * Threat detection's figures (docs/benchmarks.md, "Threat detection"), on SQLite and, when
 * CUSTOS_BENCH_DATABASE_URL (or CUSTOS_TEST_DATABASE_URL) is set, on PostgreSQL:
 *   1. alert latency from a failing sign-in's response to the alert on the console's live stream,
 *      under concurrent sign-ins (threats-latency.ts; goal p99 < 100 ms);
 *   2. detector throughput (signals/s) of the engine alone and of the whole pipeline, against the
 *      bare audit ingest rate measured in the same run on the same database (threats-throughput.ts).
 * BENCH_THREATS_PARTS=latency,throughput picks the parts (both by default).
 */
import { int, SECONDS, type SummaryRow } from './common';
import { type Backend, postgresUrl } from './threats-db';
import { runLatencyOn } from './threats-latency';
import { runThroughputOn, type Throughput } from './threats-throughput';

const PARTS = new Set((process.env.BENCH_THREATS_PARTS ?? 'latency,throughput').split(','));

function throughputRows(backend: Backend, t: Throughput): SummaryRow[] {
  const ingest = t.bare.eventsPerSecond;
  const row = (what: string, perSecond: number): SummaryRow => ({
    measurement: `${what} / bare batch ingest (${backend})`,
    figure: `${(perSecond / ingest).toFixed(2)} (${int(perSecond)} signals/s vs ${int(ingest)} events/s)`,
    goal: '>= 1 (keeps up)',
    met: perSecond >= ingest,
  });
  const rows = [row('detector engine, memory', t.memory.signalsPerSecond)];
  if (t.redis) {
    rows.push(row('detector engine, Redis, one log', t.redis.oneLog.signalsPerSecond));
    rows.push(row('detector engine, Redis, orgs at once', t.redis.lanes.signalsPerSecond));
  }
  rows.push(row('detection pipeline', t.pipeline.signalsPerSecond));
  const dropped = t.detecting.stats?.drained.dropped ?? 0;
  rows.push({
    measurement: `batch ingest with detection / without (${backend})`,
    figure:
      `${(t.detecting.eventsPerSecond / ingest).toFixed(2)} (${int(t.detecting.eventsPerSecond)} vs ${int(ingest)} events/s)` +
      `${dropped ? `, ${int(dropped)} events dropped by detection` : ''}`,
    goal: '—',
    met: null,
  });
  return rows;
}

export async function runThreats(): Promise<SummaryRow[]> {
  const backends: Backend[] = postgresUrl ? ['sqlite', 'postgres'] : ['sqlite'];
  console.log(
    `\n== Threat detection: alert latency under sign-in load; detection vs ingest (${SECONDS} s loads)`,
  );
  if (!postgresUrl) console.log('  (PostgreSQL skipped: set CUSTOS_BENCH_DATABASE_URL to include it)');
  const rows: SummaryRow[] = [];
  for (const backend of backends) {
    if (PARTS.has('latency')) rows.push(...(await runLatencyOn(backend)));
    if (PARTS.has('throughput')) rows.push(...throughputRows(backend, await runThroughputOn(backend)));
  }
  return rows;
}
