/**
 * The threat benchmarks' server process: Custos on a fresh SQLite file, or on a fresh schema of
 * BENCH_THREATS_PG_URL (dropped at shutdown), with one organization, its owner signed in (bearer),
 * BENCH_THREATS_MEMBERS members who joined by invitation (as people do: invite, accept, password
 * hashed with argon2id) and an `audit:write` API key. BENCH_THREATS_DETECTION=off stops committed
 * audit events from reaching the detection pipeline (the bare-ingest baseline). Prints one JSON line
 * (ThreatServerInfo) once it listens; at SIGTERM, one more (ThreatServerStats) once detection has
 * worked off what it still held.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { buildApp, type Services } from '@custos/server';
import { createLogger } from '@custos/server/log';
import type { FastifyInstance } from 'fastify';
import type { ThreatPipelineStats } from '../packages/server/src/modules/threats';
import { PASSWORD } from './common';
import { benchConfig, freshDatabase } from './threats-db';

export interface BenchMember {
  id: string;
  email: string;
}

export interface ThreatServerInfo {
  url: string;
  dialect: 'sqlite' | 'postgres';
  organizationId: string;
  /** The owner's bearer token, from a sign-in just now (counts as a fresh verification). */
  ownerToken: string;
  /** audit:write */
  writeKey: string;
  members: BenchMember[];
  /** Seconds the members took to join. */
  seedSeconds: number;
}

export interface ThreatServerStats {
  /** The pipeline's counters when the load ended, and once it had drained. */
  atStop: ThreatPipelineStats;
  drained: ThreatPipelineStats;
  drainMs: number;
  writes: WriteTimes;
  /** The server's event-loop delay over its life, in ms: how long ready work waited its turn. */
  loopDelay: { p50: number; p99: number; max: number };
}

const MEMBERS = Number(process.env.BENCH_THREATS_MEMBERS ?? 0);

/**
 * Where a new event's alert time goes on the server, in ms (p50, p99, max over the detection writes
 * that raised a new security event).
 */
export interface WriteTimes {
  raised: number;
  /** Writes that folded into an open event (not timed: they wait out the coalescing period). */
  repeats: number;
  /** From the newest evidence's occurredAt (stamped when the audit event was built) to the write's start. */
  untilWrite: [number, number, number];
  /** The write: one transaction (event, evidence, responses), then the stream message. */
  write: [number, number, number];
}

const JOIN_CONCURRENCY = 8;

async function inject<T>(
  app: FastifyInstance,
  method: 'GET' | 'POST',
  url: string,
  token: string | null,
  payload?: object,
): Promise<T> {
  const res = await app.inject({
    method,
    url,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    ...(payload ? { payload } : {}),
  });
  if (res.statusCode >= 300) throw new Error(`${method} ${url} answered ${res.statusCode}: ${res.body}`);
  return res.json() as T;
}

/**
 * Times every detection write. The pipeline calls `recordDetection` on the events service by name,
 * so it is wrapped on the instance: diagnostics for this benchmark only, nothing the server exposes.
 */
function watchDetectionWrites(events: Services['threats']['events']) {
  const untilWrite: number[] = [];
  const write: number[] = [];
  let repeats = 0;
  const original = events.recordDetection.bind(events);
  events.recordDetection = async (detection, settings, occurrences) => {
    const started = Date.now();
    const newest = detection.evidence[0]?.occurredAt;
    const result = await original(detection, settings, occurrences);
    // Repeats of an open event wait out the coalescing quiet period by design: not the alert path.
    if (!result.created) {
      repeats += 1;
      return result;
    }
    if (newest) untilWrite.push(started - Date.parse(newest));
    write.push(Date.now() - started);
    return result;
  };
  const spread = (values: number[]): [number, number, number] => {
    const sorted = [...values].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
    return [at(0.5), at(0.99), sorted[sorted.length - 1] ?? 0];
  };
  return (): WriteTimes => ({
    raised: write.length,
    repeats,
    untilWrite: spread(untilWrite),
    write: spread(write),
  });
}

/** Invites and accepts `count` members, `JOIN_CONCURRENCY` at a time (each accept hashes a password). */
async function addMembers(app: FastifyInstance, owner: string, count: number): Promise<BenchMember[]> {
  const invites: Array<{ email: string; token: string }> = [];
  for (let i = 0; i < count; i++) {
    const email = `member.${i}@threats.bench.example`;
    const { inviteUrl } = await inject<{ inviteUrl: string }>(app, 'POST', '/api/v1/invitations', owner, {
      email,
      roles: ['member'],
    });
    invites.push({ email, token: new URL(inviteUrl).hash.replace('#token=', '') });
  }
  const members: BenchMember[] = new Array(count);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const invite = invites[i] as { email: string; token: string };
      const accepted = await inject<{ user: { id: string } }>(
        app,
        'POST',
        '/api/v1/invitations/accept',
        null,
        {
          token: invite.token,
          name: `Member ${i}`,
          password: PASSWORD,
          tokenType: 'bearer',
        },
      );
      members[i] = { id: accepted.user.id, email: invite.email };
    }
  };
  await Promise.all(Array.from({ length: JOIN_CONCURRENCY }, worker));
  return members;
}

const { database, dataDir, cleanup } = await freshDatabase(process.env.BENCH_THREATS_PG_URL ?? null);
const { app, services } = await buildApp({
  config: benchConfig(dataDir),
  database,
  logger: createLogger('silent'),
  webRoot: null,
});
if (process.env.BENCH_THREATS_DETECTION === 'off') {
  // The app hands committed events to `services.threats.pipeline.handle` by name at each commit:
  // a no-op there is the append path without detection (a benchmark switch, not a server feature).
  services.threats.pipeline.handle = () => {};
}

const writes = watchDetectionWrites(services.threats.events);
const loopDelay = monitorEventLoopDelay({ resolution: 10 });

const email = `owner.${Date.now()}@threats.bench.example`;
const { organization } = await services.setup.createAdminFromCli({
  email,
  name: 'Bench Owner',
  password: PASSWORD,
  organizationName: 'Threat Bench Org',
});
const { token: ownerToken } = await inject<{ token: string }>(app, 'POST', '/api/v1/auth/sign-in', null, {
  email,
  password: PASSWORD,
  tokenType: 'bearer',
});
const { secret: writeKey } = await inject<{ secret: string }>(app, 'POST', '/api/v1/api-keys', ownerToken, {
  name: 'bench audit:write',
  permissions: ['audit:write'],
});
const seedStarted = performance.now();
const members = await addMembers(app, ownerToken, MEMBERS);
const seedSeconds = (performance.now() - seedStarted) / 1000;

const url = await app.listen({ port: 0, host: '127.0.0.1' });
loopDelay.enable();
const info: ThreatServerInfo = {
  url,
  dialect: database.dialect,
  organizationId: organization.id,
  ownerToken,
  writeKey,
  members,
  seedSeconds,
};
process.stdout.write(`${JSON.stringify(info)}\n`);

process.on('SIGTERM', async () => {
  const pipeline = services.threats.pipeline;
  const atStop = { ...pipeline.stats };
  const started = performance.now();
  await pipeline.idle();
  const stats: ThreatServerStats = {
    atStop,
    drained: { ...pipeline.stats },
    drainMs: performance.now() - started,
    writes: writes(),
    loopDelay: {
      p50: loopDelay.percentile(50) / 1e6,
      p99: loopDelay.percentile(99) / 1e6,
      max: loopDelay.max / 1e6,
    },
  };
  process.stdout.write(`${JSON.stringify(stats)}\n`);
  await app.close();
  await cleanup();
  process.exit(0);
});
