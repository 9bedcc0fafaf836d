/**
 * Access control's figures (docs/benchmarks.md, "Access control"):
 *   1. In-process decisions/s of our checker (a member's roles → OrgAccess.grantsOf → decide) on
 *      casbin's benchmark models (access-models.ts), against node-casbin and CASL with the same model
 *      in the same process (goal: ours / each ≥ 1 on casbin's query). The second query of every case,
 *      with the opposite answer, is reported too.
 *   2. `POST /api/v1/authorize` over HTTP (access-http.ts): requests/s and p99 at 64 connections.
 * Each in-process measurement runs one library on one query for BENCH_ACCESS_MS (200) ms after a
 * warm-up; BENCH_ACCESS_ROUNDS (4) rounds, libraries in a different order each round, median taken.
 * BENCH_ACCESS_PARTS=decide,http picks the parts (both by default).
 */

import { runAuthorizeHttp } from './access-http';
import { buildCases, type Case, LIBRARIES, type Library, type Loop, type Query } from './access-models';
import { int, type SummaryRow } from './common';

const MEASURE_MS = Number(process.env.BENCH_ACCESS_MS ?? 200);
const ROUNDS = Number(process.env.BENCH_ACCESS_ROUNDS ?? 4);
const WARMUP_MS = 100;
const GOAL = 1;
/** BENCH_ACCESS_PARTS picks parts: decide (in-process), http (both by default). */
const PARTS = new Set((process.env.BENCH_ACCESS_PARTS ?? 'decide,http').split(','));

/** Every loop's allowed count lands here, so no decision can be optimised away. */
let sink = 0;

/** A batch size that takes about 2 ms, found while warming up. */
function calibrate(loop: Loop): number {
  let n = 16;
  const until = performance.now() + WARMUP_MS;
  for (;;) {
    const started = performance.now();
    sink += loop(n);
    const took = performance.now() - started;
    if (performance.now() >= until && took >= 1) return n;
    if (took < 2) n *= 2;
  }
}

function measure(loop: Loop, batch: number, ms: number): number {
  let done = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    sink += loop(batch);
    done += batch;
    elapsed = performance.now() - started;
  }
  return done / (elapsed / 1000);
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] as number;
};

const perLibrary = <T>(f: (lib: Library) => T) =>
  Object.fromEntries(LIBRARIES.map((lib) => [lib, f(lib)])) as Record<Library, T>;

interface Figure {
  c: Case;
  q: Query;
  perSecond: Record<Library, number>;
}

function runInProcess(cases: Case[]): Figure[] {
  const slots = cases.flatMap((c) =>
    c.queries.map((q) => {
      const loops = perLibrary((lib) => c.loops[lib](q));
      const batch = perLibrary((lib) => calibrate(loops[lib]));
      const samples = perLibrary((): number[] => []);
      return { c, q, loops, batch, samples };
    }),
  );
  for (let round = 0; round < ROUNDS; round++) {
    for (const s of slots) {
      for (let k = 0; k < LIBRARIES.length; k++) {
        const lib = LIBRARIES[(k + round) % LIBRARIES.length] as Library;
        s.samples[lib].push(measure(s.loops[lib], s.batch[lib], MEASURE_MS));
      }
    }
  }
  return slots.map(({ c, q, samples }) => ({
    c,
    q,
    perSecond: perLibrary((lib) => median(samples[lib])),
  }));
}

const rate = (n: number) => int(n).padStart(12);

export async function runAccess(): Promise<SummaryRow[]> {
  const rows = PARTS.has('decide') ? await runDecisions() : [];
  if (PARTS.has('http')) rows.push(...(await runAuthorizeHttp()));
  return rows;
}

async function runDecisions(): Promise<SummaryRow[]> {
  console.log(
    `\n== Access control: in-process decisions/s, ${ROUNDS} rounds of ${MEASURE_MS} ms per library and query (median)`,
  );
  const cases = await buildCases();
  for (const c of cases) {
    const setup = LIBRARIES.map((lib) => `${lib} ${c.setupMs[lib].toFixed(0)} ms`).join(', ');
    console.log(`  ${c.name}: ${int(c.rules)} rules; built in ${setup}; all three agree on every query`);
  }
  const figures = runInProcess(cases);
  console.log(
    `\n  ${'model, query'.padEnd(64)} ${'ours'.padStart(12)} ${'casbin'.padStart(12)} ${'casl'.padStart(12)}   ours/casbin   ours/casl`,
  );
  const rows: SummaryRow[] = [];
  for (const { c, q, perSecond } of figures) {
    const vsCasbin = perSecond.ours / perSecond.casbin;
    const vsCasl = perSecond.ours / perSecond.casl;
    const answer = q.expected ? 'allow' : 'deny';
    const title = `${c.name}, ${q.label} (${answer}${q.casbins ? ", casbin's query" : ''})`;
    console.log(
      `  ${title.padEnd(64)} ${rate(perSecond.ours)} ${rate(perSecond.casbin)} ${rate(perSecond.casl)}   ${vsCasbin.toFixed(2).padStart(11)}   ${vsCasl.toFixed(2).padStart(9)}`,
    );
    rows.push({
      measurement: `access ${c.name} ${answer}: ours/casbin, ours/casl`,
      figure: `${vsCasbin.toFixed(1)}, ${vsCasl.toFixed(2)} (${int(perSecond.ours)}/s)`,
      goal: q.casbins ? '>= 1, >= 1' : '(reported)',
      met: q.casbins ? vsCasbin >= GOAL && vsCasl >= GOAL : null,
    });
  }
  if (sink < 0) console.log(sink); // never true; keeps the sink alive
  return rows;
}
