/**
 * Detector throughput against the bare audit ingest rate, in the same run on the same database:
 *   ingest    POST /api/v1/audit/events/batch, BENCH_THREATS_BATCH (500) events a request,
 *             BENCH_THREATS_INGEST_CONNECTIONS (4) connections, BENCH_SECONDS (8) s after 2 s of
 *             warm-up, on a fresh server (threats-server.ts) with detection switched off (the
 *             baseline), and on another with detection on as it ships (its pipeline's counters are
 *             reported, with how long it took to drain after the load); BENCH_THREATS_INGEST_ROUNDS
 *             (2) rounds of both, best of each;
 *   engine    createDetectorEngine(state).process(signal, defaultThreatSettings()) over the signals
 *             of BENCH_THREATS_EVENTS (200,000) synthetic events (threats-stream.ts), one after
 *             the other as a pipeline lane does, on MemoryDetectionState, and with
 *             CUSTOS_BENCH_REDIS_URL on RedisDetectionState for the first BENCH_THREATS_REDIS_EVENTS
 *             (20,000) (one round trip per state operation): as one organization's log, then dealt
 *             to BENCH_THREATS_REDIS_LANES (8) organizations whose logs are worked at the same time;
 *   pipeline  the app's own pipeline (services.threats.pipeline, in this process on a fresh
 *             database) fed the same events as committed audit events at full speed, until idle():
 *             signals, detectors, cached settings and the security events the detections raise.
 * Ratios over the bare ingest rate: above 1, detection keeps up with the fastest ingest there is.
 */
import { randomUUID } from 'node:crypto';
import { buildApp } from '@custos/server';
import { createLogger } from '@custos/server/log';
import { Redis } from 'ioredis';
import type { CommittedAuditEvent } from '../packages/server/src/modules/audit/committed';
import { signalContextOf } from '../packages/server/src/modules/threats';
import {
  createDetectorEngine,
  type DetectionState,
  defaultThreatSettings,
  MemoryDetectionState,
  RedisDetectionState,
} from '../packages/server/src/modules/threats/detect';
import type { ResolvedThreatSettings } from '../packages/server/src/modules/threats/detection';
import { type Signal, signalOf } from '../packages/server/src/modules/threats/signal';
import { NO_GEOIP } from '../packages/server/src/platform/geo/geoip';
import { hostEvent } from './audit-events';
import { fmt, int, type Load, load, PASSWORD, profileArgs, startChild, stopChild } from './common';
import { type Backend, benchConfig, freshDatabase, postgresUrl } from './threats-db';
import type { ThreatServerInfo, ThreatServerStats } from './threats-server';
import { syntheticEvents } from './threats-stream';

const BATCH = Number(process.env.BENCH_THREATS_BATCH ?? 500);
const INGEST_CONNECTIONS = Number(process.env.BENCH_THREATS_INGEST_CONNECTIONS ?? 4);
const INGEST_ROUNDS = Math.max(1, Number(process.env.BENCH_THREATS_INGEST_ROUNDS ?? 2));
const EVENTS = Number(process.env.BENCH_THREATS_EVENTS ?? 200_000);
const REDIS_EVENTS = Number(process.env.BENCH_THREATS_REDIS_EVENTS ?? 20_000);
const redisUrl = process.env.CUSTOS_BENCH_REDIS_URL;
const REDIS_LANES = Number(process.env.BENCH_THREATS_REDIS_LANES ?? 8);
/** The pipeline drops what waits beyond 50,000 events; the feeder keeps its backlog below this. */
const MAX_BACKLOG = 40_000;
const FEED_CHUNK = 5_000;

export interface Ingest {
  eventsPerSecond: number;
  p99: number;
  errors: number;
  stats: ThreatServerStats | null;
}

export interface EngineRun {
  signalsPerSecond: number;
  signals: number;
  detections: number;
}

export interface PipelineRun {
  signalsPerSecond: number;
  signals: number;
  detections: number;
  raised: number;
  repeated: number;
  dropped: number;
  failed: number;
  seconds: number;
}

export interface Throughput {
  bare: Ingest;
  detecting: Ingest;
  memory: EngineRun;
  redis: { oneLog: EngineRun; lanes: EngineRun } | null;
  pipeline: PipelineRun;
}

// ------------------------------------------------------------------ ingest over HTTP

async function ingestOn(backend: Backend, detection: 'on' | 'off'): Promise<Ingest> {
  const env: Record<string, string> = { BENCH_THREATS_DETECTION: detection };
  if (backend === 'postgres' && postgresUrl) env.BENCH_THREATS_PG_URL = postgresUrl;
  const { child, info, later } = await startChild<ThreatServerInfo>(
    './threats-server.ts',
    env,
    profileArgs(`threats-ingest-${detection}-${backend}`),
  );
  const body = JSON.stringify({ events: Array.from({ length: BATCH }, (_, i) => hostEvent(i)) });
  const options = {
    url: `${info.url}/api/v1/audit/events/batch`,
    method: 'POST' as const,
    connections: INGEST_CONNECTIONS,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${info.writeKey}` },
    body,
  };
  let l: Load;
  try {
    await load({ ...options, duration: 2 });
    l = await load(options);
  } finally {
    // Its last line (the pipeline's counters) comes once detection has drained.
    await stopChild(child);
  }
  const line = later.find((text) => text.startsWith('{'));
  return {
    eventsPerSecond: l.okPerSecond * BATCH,
    p99: l.p99,
    errors: l.errors + l.non2xx,
    stats: line ? (JSON.parse(line) as ThreatServerStats) : null,
  };
}

/**
 * Rounds of both, in the order off, on, on, off, … so drift of a shared machine hits both alike;
 * the best round of each counts.
 */
async function ingestRounds(backend: Backend): Promise<{ bare: Ingest; detecting: Ingest }> {
  const runs: Record<'on' | 'off', Ingest[]> = { on: [], off: [] };
  for (let round = 0; round < INGEST_ROUNDS; round++) {
    const order: Array<'on' | 'off'> = round % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
    for (const detection of order) runs[detection].push(await ingestOn(backend, detection));
  }
  const best = (list: Ingest[]) => list.reduce((a, b) => (b.eventsPerSecond > a.eventsPerSecond ? b : a));
  return { bare: best(runs.off), detecting: best(runs.on) };
}

// ------------------------------------------------------------------ the engine alone

/**
 * Each lane's signals one after the other (as the pipeline works through one audit log), the lanes
 * at the same time (as it works through several organizations' logs).
 */
async function engineRun(
  lanes: Signal[][],
  state: DetectionState,
  settings: ResolvedThreatSettings,
): Promise<EngineRun> {
  const engine = createDetectorEngine(state);
  let detections = 0;
  const started = performance.now();
  await Promise.all(
    lanes.map(async (lane) => {
      for (const signal of lane) detections += (await engine.process(signal, settings)).length;
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await engine.close();
  const signals = lanes.reduce((n, lane) => n + lane.length, 0);
  return { signalsPerSecond: signals / seconds, signals, detections };
}

/** The stream dealt round-robin to `count` organizations, one lane each. */
function dealt(signals: Signal[], count: number): Signal[][] {
  const lanes: Signal[][] = Array.from({ length: count }, () => []);
  for (const [i, signal] of signals.entries()) {
    const lane = i % count;
    lanes[lane]?.push({ ...signal, organizationId: `${signal.organizationId}-lane${lane}` });
  }
  return lanes;
}

/** On Redis: one organization's log, then REDIS_LANES organizations at once. */
async function onRedis(url: string, signals: Signal[], settings: ResolvedThreatSettings) {
  const keyPrefix = `custos:threat:bench:${randomUUID()}:`;
  const state = (name: string) => new RedisDetectionState(url, { keyPrefix: `${keyPrefix}${name}:` });
  try {
    await engineRun([signals.slice(0, 2_000)], state('warm'), settings);
    const oneLog = await engineRun([signals], state('one'), settings);
    const lanes = await engineRun(dealt(signals, REDIS_LANES), state('lanes'), settings);
    return { oneLog, lanes };
  } finally {
    const redis = new Redis(url);
    const keys = await redis.keys(`${keyPrefix}*`);
    for (let i = 0; i < keys.length; i += 1_000) await redis.del(...keys.slice(i, i + 1_000));
    await redis.quit();
  }
}

// ------------------------------------------------------------------ the whole pipeline

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

async function pipelineRun(
  pipeline: Awaited<ReturnType<typeof buildApp>>['services']['threats']['pipeline'],
  events: CommittedAuditEvent[],
): Promise<PipelineRun> {
  const before = { ...pipeline.stats };
  const done = () => pipeline.stats.signals + pipeline.stats.failed - before.signals - before.failed;
  const started = performance.now();
  for (let from = 0; from < events.length; from += FEED_CHUNK) {
    while (from - done() > MAX_BACKLOG) await nextTurn();
    pipeline.handle(events.slice(from, from + FEED_CHUNK));
  }
  // The pipeline's quiet-period timers are unref'd (a server's listening socket keeps it alive);
  // here nothing else would, and Node would exit while idle() still waits for them.
  const keepAlive = setInterval(() => {}, 1_000);
  try {
    await pipeline.idle();
  } finally {
    clearInterval(keepAlive);
  }
  const seconds = (performance.now() - started) / 1000;
  const after = pipeline.stats;
  const signals = after.signals - before.signals;
  return {
    signalsPerSecond: signals / seconds,
    signals,
    detections: after.detections - before.detections,
    raised: after.raised - before.raised,
    repeated: after.repeated - before.repeated,
    dropped: after.dropped - before.dropped,
    failed: after.failed - before.failed,
    seconds,
  };
}

/** The engine (memory and Redis state) and the app's pipeline, in this process. */
async function inProcess(backend: Backend) {
  const { database, dataDir, cleanup } = await freshDatabase(
    backend === 'postgres' ? (postgresUrl ?? null) : null,
  );
  const { app, services } = await buildApp({
    config: benchConfig(dataDir),
    database,
    logger: createLogger('silent'),
    webRoot: null,
  });
  try {
    const { organization } = await services.setup.createAdminFromCli({
      email: `owner.${Date.now()}@threats.bench.example`,
      name: 'Bench Owner',
      password: PASSWORD,
      organizationName: 'Threat Bench Org',
    });
    const events = syntheticEvents(organization.id, EVENTS);
    const ctx = signalContextOf({ geo: NO_GEOIP });
    const signals = events.flatMap((e) => signalOf(e, ctx) ?? []);
    const settings = defaultThreatSettings();
    await engineRun([signals.slice(0, 20_000)], new MemoryDetectionState(), settings);
    const memory = await engineRun([signals], new MemoryDetectionState(), settings);
    const redis = redisUrl ? await onRedis(redisUrl, signals.slice(0, REDIS_EVENTS), settings) : null;
    const pipeline = await pipelineRun(services.threats.pipeline, events);
    return { memory, redis, pipeline };
  } finally {
    await app.close();
    await cleanup();
  }
}

export async function runThroughputOn(backend: Backend): Promise<Throughput> {
  console.log(`\nDetection throughput, ${backend}`);
  const { bare, detecting } = await ingestRounds(backend);
  console.log(
    `  ${`bare batch ingest (detection off), best of ${INGEST_ROUNDS}`.padEnd(46)} ${fmt(bare.eventsPerSecond)} events/s   p99 ${fmt(bare.p99)} ms   errors ${bare.errors}   (detection saw ${int(bare.stats?.drained.signals ?? 0)} signals)`,
  );
  console.log(
    `  ${`batch ingest, detection on, best of ${INGEST_ROUNDS}`.padEnd(46)} ${fmt(detecting.eventsPerSecond)} events/s   p99 ${fmt(detecting.p99)} ms   errors ${detecting.errors}`,
  );
  const s = detecting.stats;
  if (s) {
    console.log(
      `    its pipeline at the end of the load: ${int(s.atStop.signals)} signals, ${int(s.atStop.dropped)} dropped; ` +
        `drained in ${(s.drainMs / 1000).toFixed(1)} s: ${int(s.drained.signals)} signals, ${int(s.drained.detections)} detections, ` +
        `${int(s.drained.raised)} raised, ${int(s.drained.repeated)} repeats, ${s.drained.failed} failed`,
    );
  }
  const { memory, redis, pipeline } = await inProcess(backend);
  const ratio = (n: number) => (n / bare.eventsPerSecond).toFixed(2);
  console.log(
    `  ${'detector engine, memory state'.padEnd(46)} ${fmt(memory.signalsPerSecond)} signals/s  (${int(memory.signals)} signals, ${int(memory.detections)} detections)   / ingest ${ratio(memory.signalsPerSecond)}`,
  );
  if (redis) {
    for (const [label, run] of [
      ['detector engine, Redis state, one log', redis.oneLog],
      [`detector engine, Redis state, ${REDIS_LANES} orgs at once`, redis.lanes],
    ] as const) {
      console.log(
        `  ${label.padEnd(46)} ${fmt(run.signalsPerSecond)} signals/s  (${int(run.signals)} signals, ${int(run.detections)} detections)   / ingest ${ratio(run.signalsPerSecond)}`,
      );
    }
  } else {
    console.log('  (Redis state skipped: set CUSTOS_BENCH_REDIS_URL to include it)');
  }
  console.log(
    `  ${'pipeline in process (engine + writes)'.padEnd(46)} ${fmt(pipeline.signalsPerSecond)} signals/s  (${int(pipeline.signals)} in ${pipeline.seconds.toFixed(1)} s; ` +
      `${int(pipeline.detections)} detections, ${int(pipeline.raised)} raised, ${int(pipeline.repeated)} repeats, ${pipeline.dropped} dropped, ${pipeline.failed} failed)   / ingest ${ratio(pipeline.signalsPerSecond)}`,
  );
  return { bare, detecting, memory, redis, pipeline };
}
