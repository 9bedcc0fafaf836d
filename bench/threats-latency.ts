/**
 * Alert latency: from a failing sign-in's response to the alert on the console's live stream, under
 * a concurrent sign-in load (goal p99 < 100 ms). The server (threats-server.ts, own process) has one
 * organization whose owner watches GET /api/v1/security/stream; its `brute_force_account` detector
 * is set (PUT /api/v1/security/settings) to fire on the first failure, so every probe raises a NEW
 * security event: the alert path that matters, not the coalesced repeats of an open one.
 *
 * Background: BENCH_THREATS_CLIENTS (16) clients sign in back to back for the whole run, as the
 * first BENCH_THREATS_BACKGROUND_ACCOUNTS (48) members: 60 % correct passwords from the member's own
 * network, 25 % typos from there (a trusted origin: nothing counts them against the account),
 * 15 % wrong passwords from 1,000 other IPs (an attack on those accounts: it raises their events,
 * then the lock and the progressive delay refuse it early, as they would in production).
 * Probes: BENCH_THREATS_PROBES (200) failed sign-ins at BENCH_THREATS_PROBE_RATE (20) per second,
 * each for a member not used before, from an IP not used before. t0 = the probe's response fully
 * read; t1 = the stream message whose `event.subject.id` is that member read. An alert that beat
 * the response counts as 0 ms (and is counted).
 */
import type { SecurityStreamMessage, UpdateThreatSettingsBody } from '@custos/shared';
import { DETECTOR_CATALOG } from '../packages/server/src/modules/threats/detect';
import { rng } from './audit-events';
import {
  fmt,
  int,
  PASSWORD,
  percentile,
  profileArgs,
  type SummaryRow,
  startChild,
  stopChild,
} from './common';
import type { Backend } from './threats-db';
import { postgresUrl } from './threats-db';
import type { BenchMember, ThreatServerInfo, ThreatServerStats } from './threats-server';
import { openSecurityStream } from './threats-sse';

const CLIENTS = Number(process.env.BENCH_THREATS_CLIENTS ?? 16);
const BACKGROUND_ACCOUNTS = Number(process.env.BENCH_THREATS_BACKGROUND_ACCOUNTS ?? 48);
const PROBES = Number(process.env.BENCH_THREATS_PROBES ?? 200);
const PROBE_RATE = Number(process.env.BENCH_THREATS_PROBE_RATE ?? 20);
const WARMUP_MS = 2_000;
/** A probe whose alert has not arrived by then counts as missed. */
const ALERT_TIMEOUT_MS = 5_000;
const GOAL_MS = 100;
const ATTACK_IPS = 1_000;
const USER_AGENT =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';

const homeIp = (k: number) => `10.20.${(k >> 8) & 255}.${k & 255}`;
const attackIp = (n: number) => `198.18.${(n >> 8) & 255}.${n & 255}`;
const probeIp = (i: number) => `100.64.${(i >> 8) & 255}.${i & 255}`;

async function signIn(base: string, email: string, password: string, ip: string): Promise<number> {
  const res = await fetch(`${base}/api/v1/auth/sign-in`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      'x-forwarded-for': ip,
    },
    body: JSON.stringify({ email, password, tokenType: 'bearer' }),
  });
  await res.arrayBuffer();
  return res.status;
}

/** The org's detectors as they are, except brute force on an account: fire at the first failure. */
async function fireOnFirstFailure(info: ThreatServerInfo): Promise<void> {
  const spec = DETECTOR_CATALOG.find((d) => d.type === 'brute_force_account');
  if (!spec) throw new Error('brute_force_account is not in the detector catalog');
  const thresholds = Object.fromEntries(spec.thresholds.map((t) => [t.key, t.default]));
  const body: UpdateThreatSettingsBody = {
    detectors: {
      brute_force_account: {
        enabled: true,
        severity: spec.defaultSeverity,
        thresholds: { ...thresholds, failures: 1 },
      },
    },
  };
  const res = await fetch(`${info.url}/api/v1/security/settings`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${info.ownerToken}` },
    body: JSON.stringify(body),
  });
  if (res.status !== 200)
    throw new Error(`PUT /api/v1/security/settings answered ${res.status}: ${await res.text()}`);
}

interface Background {
  /** Sign-ins answered while `counting` was on, by status. */
  byStatus: Map<number, number>;
  counting: boolean;
  stop(): Promise<void>;
}

function startBackground(base: string, accounts: BenchMember[]): Background {
  const random = rng(42);
  let running = true;
  const bg: Background = { byStatus: new Map(), counting: false, stop: async () => {} };
  const one = async () => {
    const k = Math.floor(random() * accounts.length);
    const account = accounts[k] as BenchMember;
    const r = random();
    const [password, ip] =
      r < 0.6
        ? [PASSWORD, homeIp(k)]
        : r < 0.85
          ? ['a typo of the password', homeIp(k)]
          : ['a guess from elsewhere', attackIp(Math.floor(random() * ATTACK_IPS))];
    const status = await signIn(base, account.email, password, ip).catch(() => 0);
    if (bg.counting) bg.byStatus.set(status, (bg.byStatus.get(status) ?? 0) + 1);
  };
  const workers = Array.from({ length: CLIENTS }, async () => {
    while (running) await one();
  });
  bg.stop = async () => {
    running = false;
    await Promise.all(workers);
  };
  return bg;
}

interface Probe {
  status: number;
  /** t1 − t0 in ms, 0 when the alert beat the response; null when it never came. */
  latency: number | null;
  beat: boolean;
}

/** Arrival times of brute-force alerts by member, and whoever waits for one. */
function alertBoard() {
  const arrived = new Map<string, number>();
  const waiting = new Map<string, (at: number) => void>();
  return {
    onMessage(message: SecurityStreamMessage, at: number) {
      const event = message.event;
      if (message.kind !== 'security_event' || event?.type !== 'brute_force_account') return;
      const id = event.subject.id;
      if (arrived.has(id)) return;
      arrived.set(id, at);
      waiting.get(id)?.(at);
    },
    /** When the alert for `id` arrived (maybe already), or null after the timeout. */
    arrival(id: string): Promise<number | null> {
      const known = arrived.get(id);
      if (known !== undefined) return Promise.resolve(known);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          resolve(null);
        }, ALERT_TIMEOUT_MS);
        waiting.set(id, (at) => {
          clearTimeout(timer);
          waiting.delete(id);
          resolve(at);
        });
      });
    },
  };
}

async function probe(
  base: string,
  member: BenchMember,
  i: number,
  board: ReturnType<typeof alertBoard>,
): Promise<Probe> {
  const status = await signIn(base, member.email, `not the password, probe ${i}`, probeIp(i));
  const t0 = performance.now();
  const t1 = await board.arrival(member.id);
  if (t1 === null) return { status, latency: null, beat: false };
  return { status, latency: Math.max(0, t1 - t0), beat: t1 < t0 };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function runProbes(base: string, members: BenchMember[], board: ReturnType<typeof alertBoard>) {
  const intervalMs = 1000 / PROBE_RATE;
  const started = performance.now();
  const running: Array<Promise<Probe>> = [];
  for (const [i, member] of members.entries()) {
    const wait = started + i * intervalMs - performance.now();
    if (wait > 0) await sleep(wait);
    running.push(probe(base, member, i, board));
  }
  return Promise.all(running);
}

function statusLine(byStatus: Map<number, number>): string {
  return [...byStatus.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, n]) => `${status === 0 ? 'network error' : status} ${int(n)}`)
    .join(', ');
}

function parseStats(later: string[]): ThreatServerStats | null {
  const line = later.find((l) => l.startsWith('{'));
  return line ? (JSON.parse(line) as ThreatServerStats) : null;
}

export async function runLatencyOn(backend: Backend): Promise<SummaryRow[]> {
  const env: Record<string, string> = { BENCH_THREATS_MEMBERS: String(BACKGROUND_ACCOUNTS + PROBES) };
  if (backend === 'postgres' && postgresUrl) env.BENCH_THREATS_PG_URL = postgresUrl;
  const { child, info, later } = await startChild<ThreatServerInfo>(
    './threats-server.ts',
    env,
    profileArgs(`threats-latency-${backend}`),
  );
  let probes: Probe[];
  let bg: Background;
  let seconds: number;
  let streamed: number;
  try {
    console.log(
      `\nAlert latency, ${backend}: ${int(info.members.length)} members joined in ${info.seedSeconds.toFixed(1)} s`,
    );
    await fireOnFirstFailure(info);
    const board = alertBoard();
    const stream = await openSecurityStream(info.url, info.ownerToken, board.onMessage);
    bg = startBackground(info.url, info.members.slice(0, BACKGROUND_ACCOUNTS));
    await sleep(WARMUP_MS);
    bg.counting = true;
    const started = performance.now();
    probes = await runProbes(info.url, info.members.slice(BACKGROUND_ACCOUNTS), board);
    seconds = (performance.now() - started) / 1000;
    bg.counting = false;
    await bg.stop();
    streamed = stream.count();
    await stream.close();
  } finally {
    await stopChild(child);
  }
  return report(backend, probes, bg, seconds, streamed, parseStats(later));
}

function report(
  backend: Backend,
  probes: Probe[],
  bg: Background,
  seconds: number,
  streamed: number,
  stats: ThreatServerStats | null,
): SummaryRow[] {
  const latencies = probes.flatMap((p) => (p.latency === null ? [] : [p.latency]));
  const missed = probes.length - latencies.length;
  const beat = probes.filter((p) => p.beat).length;
  const refused = probes.filter((p) => p.status !== 401).length;
  const [p50, p90, p99] = [50, 90, 99].map((p) => percentile(latencies, p)) as [number, number, number];
  const max = latencies.length ? Math.max(...latencies) : Number.NaN;
  const bgTotal = [...bg.byStatus.values()].reduce((a, b) => a + b, 0);
  const bgRate = bgTotal / seconds;
  const met = missed === 0 && p99 < GOAL_MS;

  const checked = ((bg.byStatus.get(200) ?? 0) + (bg.byStatus.get(401) ?? 0)) / seconds;
  console.log(
    `  background: ${CLIENTS} clients, ${fmt(bgRate)} sign-ins/s over ${seconds.toFixed(1)} s (${statusLine(bg.byStatus)}); ` +
      `${checked.toFixed(1)}/s had their password checked (200, 401), the rest were refused before (429, 403)`,
  );
  console.log(
    `  probes: ${probes.length} failed sign-ins at ${PROBE_RATE}/s, each a new member from a new IP` +
      `${refused ? ` (${refused} not answered 401)` : ''}`,
  );
  console.log(
    `  response → alert on the stream (ms)  p50 ${fmt(p50)}   p90 ${fmt(p90)}   p99 ${fmt(p99)}   max ${fmt(max)}`,
  );
  console.log(
    `  alerts before the response: ${beat}; missed (none within ${ALERT_TIMEOUT_MS / 1000} s): ${missed}; stream messages: ${int(streamed)}`,
  );
  if (stats) {
    const s = stats.drained;
    console.log(
      `  server pipeline: ${int(s.signals)} signals, ${int(s.detections)} detections, ${int(s.raised)} raised, ` +
        `${int(s.repeated)} repeats coalesced, ${s.dropped} dropped, ${s.failed} failed`,
    );
    const w = stats.writes;
    const ms = (v: [number, number, number]) => `p50 ${v[0]} / p99 ${v[1]} / max ${v[2]}`;
    console.log(
      `  server, ${int(w.raised)} writes raising a new event (ms): audit event built → write starts ${ms(w.untilWrite)}; write ${ms(w.write)}`,
    );
    const d = stats.loopDelay;
    console.log(
      `  server event-loop delay (ms): p50 ${d.p50.toFixed(1)} / p99 ${d.p99.toFixed(1)} / max ${d.max.toFixed(1)}`,
    );
  }
  console.log(`  goal p99 < ${GOAL_MS} ms: ${met ? 'MET' : 'NOT MET'}`);
  return [
    {
      measurement: `alert latency, response → stream (${backend}, ${CLIENTS} sign-in clients)`,
      figure:
        `p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms (${latencies.length} probes, ${int(bgRate)} sign-ins/s)` +
        `${missed ? `, ${missed} missed` : ''}`,
      goal: `p99 < ${GOAL_MS} ms`,
      met,
    },
  ];
}
