/**
 * Search latency over the cached data set (audit-data.ts), through HTTP: GET /api/v1/audit/events
 * with an audit:read API key of the largest organization, one query at a time, newest first, the
 * default page of 50. Every search is audited (an audit.searched event is appended in its own
 * transaction), and that cost is part of each figure. Goal: p95 < 50 ms for every kind.
 */
import type { DatasetMeta } from './audit-data';
import {
  ACTIONS,
  actorCount,
  actorId,
  DATASET_DAYS,
  DATASET_START,
  DOMAINS,
  type Random,
  rng,
  VOCABULARY,
} from './audit-events';
import type { ServerInfo } from './audit-server';
import { fmt, percentile, type SummaryRow } from './common';

const QUERIES = Number(process.env.BENCH_AUDIT_QUERIES ?? 200);
const GOAL_P95_MS = 50;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

type Query = Record<string, string>;

/** A word as users would search for one: common words more often than rare ones, like the data. */
function word(random: Random): string {
  return VOCABULARY[Math.floor(VOCABULARY.length * random() ** 3)] as string;
}

function timeRange(random: Random, maxDays: number): Query {
  const width = HOUR_MS + random() * (maxDays * DAY_MS - HOUR_MS);
  const from = DATASET_START + random() * (DATASET_DAYS * DAY_MS - width);
  return { from: new Date(from).toISOString(), to: new Date(from + width).toISOString() };
}

const KINDS: Array<{ name: string; make: (random: Random, events: number) => Query }> = [
  {
    name: 'actor',
    make: (random, events) => ({ actor: actorId(Math.floor(random() * actorCount(events))) }),
  },
  {
    name: 'action prefix (x.*)',
    make: (random) => ({ action: `${DOMAINS[Math.floor(random() * DOMAINS.length)]}.*` }),
  },
  { name: 'time range (1 h – 30 d)', make: (random) => timeRange(random, 30) },
  { name: 'full text, one word', make: (random) => ({ q: word(random) }) },
  {
    name: 'combined (action x.* + 90 d + word)',
    make: (random) => {
      const domain = DOMAINS[Math.floor(random() * DOMAINS.length)] as string;
      return { action: `${domain}.*`, ...timeRange(random, 90), q: word(random) };
    },
  },
  {
    name: 'combined (actor + action + outcome)',
    make: (random, events) => {
      const domain = DOMAINS[Math.floor(random() * DOMAINS.length)] as string;
      const verbs = ACTIONS[domain] as readonly string[];
      return {
        actor: actorId(Math.floor(random() * actorCount(events))),
        action: `${domain}.${verbs[Math.floor(random() * verbs.length)]}`,
        outcome: 'success',
      };
    },
  },
];

async function timedSearch(url: string, key: string, query: Query): Promise<{ ms: number; results: number }> {
  const started = performance.now();
  const res = await fetch(`${url}/api/v1/audit/events?${new URLSearchParams(query)}`, {
    headers: { authorization: `Bearer ${key}` },
  });
  const body = (await res.json()) as { events?: unknown[] };
  const ms = performance.now() - started;
  if (res.status !== 200) throw new Error(`search ${JSON.stringify(query)} answered ${res.status}`);
  return { ms, results: body.events?.length ?? 0 };
}

export async function runSearch(info: ServerInfo, meta: DatasetMeta): Promise<SummaryRow[]> {
  const org = meta.orgs[0];
  const key = info.orgs[0]?.readKey;
  if (!org || !key) throw new Error('the data set has no organizations');
  console.log(
    `\n== Audit search: ${meta.totalEvents.toLocaleString('en-US')} events in ${meta.orgs.length} organizations; ` +
      `${QUERIES} queries of each kind, one at a time, over HTTP in the largest (${org.events.toLocaleString('en-US')} events)`,
  );
  const random = rng(2024);
  for (let i = 0; i < 30; i++) {
    const kind = KINDS[i % KINDS.length];
    if (kind) await timedSearch(info.url, key, kind.make(random, org.events));
  }
  const rows: SummaryRow[] = [];
  console.log(
    `  ${'query'.padEnd(38)} ${'p50'.padStart(10)} ${'p95'.padStart(10)} ${'p99'.padStart(10)} ${'max'.padStart(10)}   results/page`,
  );
  for (const kind of KINDS) {
    const times: number[] = [];
    let results = 0;
    let empty = 0;
    for (let i = 0; i < QUERIES; i++) {
      const r = await timedSearch(info.url, key, kind.make(random, org.events));
      times.push(r.ms);
      results += r.results;
      if (r.results === 0) empty += 1;
    }
    const p95 = percentile(times, 95);
    console.log(
      `  ${kind.name.padEnd(38)} ${fmt(percentile(times, 50))} ${fmt(p95)} ${fmt(percentile(times, 99))} ${fmt(Math.max(...times))}   ` +
        `${(results / QUERIES).toFixed(1)} avg, ${empty} empty   ${p95 < GOAL_P95_MS ? 'MET' : 'NOT MET'}`,
    );
    rows.push({
      measurement: `search p95: ${kind.name}`,
      figure: `${p95.toFixed(1)} ms (p50 ${percentile(times, 50).toFixed(1)})`,
      goal: `< ${GOAL_P95_MS} ms`,
      met: p95 < GOAL_P95_MS,
    });
  }
  return rows;
}
